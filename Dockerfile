# One image for every Handoff process (gateway, subgraphs, workers); docker-compose.yml picks
# the entry point per service with `command`. Build: docker build -t handoff:local .
# Node 20, the oldest line package.json's engines (>= 20.19) accept.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Manifests first so the dependency layer is cached until a package.json or the lockfile
# changes. Every workspace of the root package.json must be listed here, or `npm ci` fails
# (launcher/src/docker-compose.spec.ts checks the list).
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY simulators/psp-sandbox/package.json simulators/psp-sandbox/
COPY subgraphs/merchant/package.json subgraphs/merchant/
COPY subgraphs/checkout-session/package.json subgraphs/checkout-session/
COPY subgraphs/payment-intent/package.json subgraphs/payment-intent/
COPY subgraphs/conversion-ledger/package.json subgraphs/conversion-ledger/
COPY gateway/package.json gateway/
COPY portal/package.json portal/
COPY launcher/package.json launcher/
COPY test/package.json test/
COPY bench/package.json bench/
# No dependency install scripts: nothing Handoff runs needs them (as with npm 11's default).
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Root-owned and read-only for the process: the app writes nothing to its own directory.
COPY --from=build /app /app
USER node
EXPOSE 4000 4001 4002 4003 4004 4010
# Overridden per service in docker-compose.yml; the gateway is the sensible default.
CMD ["node", "gateway/dist/main.js"]
