// Builds Handoff's gateway: @apollo/gateway over the four subgraphs behind Apollo Server and
// express, with API key auth, signed subgraph calls, query limits, error masking, health and
// metrics. No side effects until `listen`.
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import { ErrorCode, unauthenticated } from '@handoff/shared/errors/codes';
import { UNEXPECTED_MESSAGE } from '@handoff/shared/errors/mask';
import { IDEMPOTENCY_KEY_HEADER } from '@handoff/shared/http/context';
import { mountHealth } from '@handoff/shared/http/health';
import type { RunningServer } from '@handoff/shared/http/subgraph-server';
import { encodePrincipal, PRINCIPAL_HEADER } from '@handoff/shared/identity/signing';
import type { Principal } from '@handoff/shared/identity/principal';
import { REQUEST_ID_HEADER, requestIdFrom } from '@handoff/shared/logging/logger';
import { requestIdOf, setRequestId } from './http/request-id.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { Authenticator } from './auth/authenticator.js';
import { CachingApiKeyResolver, merchantApiKeyLookup, type ApiKeyResolver } from './auth/api-key-resolver.js';
import { createFormatError, tagErrorsWithRequestId } from './graphql/format-error.js';
import { queryProtection } from './graphql/limits.js';
import { operationResolutionPlugin } from './graphql/operation-resolution.js';
import { clientAllowListPlugin } from './auth/client-allow-list.js';
import { refuseNulPlugin } from './graphql/refuse-nul.js';
import { createGatewayMetrics, type GatewayMetrics } from './http/metrics.js';
import { listenMetrics, serveMetrics } from './http/metrics-endpoint.js';
import { listenGracefully } from './http/listen.js';
import { graphqlFastPath } from './http/graphql-fast-path.js';
import { prepareManifest, persistedRequests } from './http/persisted-request.js';
import { PersistedDocuments } from './graphql/persisted-documents.js';
import { subgraphReadinessChecks } from './http/subgraph-health.js';
import { workerReadinessChecks } from './http/worker-health.js';
import { opsRedis } from './http/ops-redis.js';
import { callDeadlines, paymentDeadlines } from './subgraph/call-deadline.js';
import { gatewayForApolloServer } from './execution/apollo-fallback.js';
import { fallbackReasonLogger } from './execution/fallback-reasons.js';
import { createSigningClient, createSubgraphAgents, flatHeaders } from './subgraph/signing-fetcher.js';
import { SignedDataSource } from './subgraph/signed-data-source.js';
import { SUBGRAPH_NAMES, type SubgraphName } from './subgraph/subgraph-names.js';
import { HandoffExecutor } from './execution/handoff-executor.js';
import { directExecute } from './rest/direct-execute.js';
import { routeMounts, type GatewayRouteDeps, type RouteMount } from './routes.js';
import { WEBHOOK_ROUTE, webhookIngress } from './webhooks/webhook-route.js';
import { createSubscriptionServer } from './subscriptions/server.js';
import { MerchantAccountsPort, mountPortalAuth, PortalAuth, portalRolePlugin } from './portal-auth/index.js';

export interface CreateGatewayOptions {
  config: GatewayConfig;
  /** The composed supergraph; the subgraph URLs inside it are ignored. */
  supergraphSdl: string;
  /**
   * Where each subgraph listens (the POST URL of its /graphql), by subgraph name: merchant,
   * checkout-session, payment-intent, conversion-ledger (all four required; checked at start).
   */
  subgraphUrls: Readonly<Record<SubgraphName, string>> | Readonly<Record<string, string>>;
  /** Replaces the merchant-backed key resolver (tests). */
  apiKeyResolver?: ApiKeyResolver;
  /** Non-GraphQL routes to mount before /graphql (default: every feature's mount in routes.ts). */
  routes?: RouteMount[];
}

export interface HandoffGateway {
  app: Express;
  /** The key → principal resolver; `apiKeys.invalidate()` forgets remembered answers. */
  apiKeys: ApiKeyResolver;
  metrics: GatewayMetrics;
  /** Starts HTTP on `port` (0 = any free port), host default 127.0.0.1, and the metrics listener if configured. */
  listen(port: number, host?: string): Promise<GatewayServer>;
  /** Stops Apollo and closes the subgraph connections (close the RunningServer first). */
  close(): Promise<void>;
}

export interface GatewayServer extends RunningServer {
  /** Where GET /metrics answers: the public port, or the metrics listener (config.metrics.port). */
  metricsUrl: string;
}

const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const GATEWAY_SERVICE_PRINCIPAL_HEADER = encodePrincipal({ kind: 'SERVICE', service: 'gateway' });


export async function createGateway(opts: CreateGatewayOptions): Promise<HandoffGateway> {
  const { config } = opts;
  const { logger } = config;
  const subgraphUrls = checkSubgraphUrls(opts.subgraphUrls);
  const metrics = createGatewayMetrics();
  const agents = createSubgraphAgents(config.subgraphMaxSockets);
  const clientFor = (name: string) =>
    createSigningClient({
      secret: config.internalSecret,
      timeoutMs: config.subgraphTimeoutMs,
      agents,
      observe: metrics.fetchObserver(name),
    });

  const apiKeys =
    opts.apiKeyResolver ??
    // Key lookups get their own metric label, so auth traffic is visible apart from queries.
    new CachingApiKeyResolver(merchantApiKeyLookup({ merchantUrl: subgraphUrls.merchant, fetcher: clientFor('merchant-api-keys').fetcher }), {
      ttlMs: config.apiKeyCacheTtlMs,
    });
  const authenticator = new Authenticator(apiKeys, config.adminKey, config.internalSecret);
  // The merchant portal's session cookies (docs/portal-auth.md), resolved by the merchant subgraph on every request.
  const accountsClient = clientFor('merchant-portal-accounts');
  const portal = new PortalAuth(
    new MerchantAccountsPort((body, requestId) =>
      accountsClient.post(subgraphUrls.merchant, { 'content-type': 'application/json', [PRINCIPAL_HEADER]: GATEWAY_SERVICE_PRINCIPAL_HEADER, [REQUEST_ID_HEADER]: requestId ?? randomUUID() }, body),
    ),
    config.internalSecret,
    config.portalOrigins,
  );

  // One signed data source per subgraph, shared by @apollo/gateway and Handoff's executor.
  const deadlineOf = callDeadlines(config.subgraphTimeoutMs, { ...paymentDeadlines(config.subgraphTimeoutMs), runSettlement: config.settlementTimeoutMs });
  const dataSources = new Map<string, SignedDataSource>(
    SUBGRAPH_NAMES.map((name) => [
      name,
      new SignedDataSource({
        url: subgraphUrls[name],
        name,
        logger,
        client: clientFor(name),
        deadlineOf,
      }),
    ]),
  );
  const handoffRuns = metrics.operations.labels({ executor: 'handoff' });
  const tellFallbackReason = fallbackReasonLogger(logger);
  const apolloRuns = metrics.operations.labels({ executor: 'apollo' });
  const protection = queryProtection(config.limits, { hideSuggestions: config.production });
  // GATEWAY_EXECUTOR=apollo: no executor of Handoff's anywhere (Apollo's runs everything).
  const executor =
    config.executor === 'handoff'
      ? new HandoffExecutor({
          dataSources,
          onPrepareError: (err) => logger.warn({ err }, 'operation left to @apollo/gateway: preparing it failed'),
          onOperation: (by) => (by === 'handoff' ? handoffRuns : apolloRuns).inc(),
          onPlan: (planner, reason) => {
            metrics.plans.inc({ planner });
            if (planner === 'apollo' && reason) tellFallbackReason(reason);
          },
          validation: { parseOptions: protection.parseOptions, validationRules: protection.validationRules },
        })
      : undefined;
  const { gateway, apiSchema } = await gatewayForApolloServer({ supergraphSdl: opts.supergraphSdl, dataSources, executor, logger, production: config.production });

  const formatError = createFormatError({
    production: config.production,
    logger,
    onError: (code) => metrics.graphqlErrors.inc({ code }),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger: logger.child({ component: 'apollo-server' }),
    nodeEnv: config.nodeEnv,
    introspection: !config.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    persistedQueries: false,
    stopOnTerminationSignals: false,
    parseOptions: protection.parseOptions,
    validationRules: protection.validationRules,
    formatError,
    plugins: [
      ...protection.plugins,
      operationResolutionPlugin(),
      clientAllowListPlugin(),
      portalRolePlugin(),
      refuseNulPlugin(),
      {
        // Masked errors are logged with their request's id (formatError is not given the context).
        async requestDidStart({ contextValue }) {
          return {
            async didEncounterErrors({ errors }) {
              if (contextValue?.requestId) tagErrorsWithRequestId(errors, contextValue.requestId);
            },
          };
        },
      },
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      // Apollo would turn these on by itself from APOLLO_KEY in the environment, sending
      // operations to Apollo's cloud: never implicitly.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      // Inline traces are for subgraphs; Apollo Server would load its protobuf code to find out.
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  await apollo.start();
  // Persisted and trusted documents, resolved before anything parses GraphQL (both /graphql paths).
  const persistedDocuments = new PersistedDocuments(config.persistedDocuments);
  const persisted = persistedRequests(persistedDocuments, formatError);
  const manifest = config.persistedDocuments.manifest;
  if (manifest) {
    const ready = executor ? prepareManifest(executor, manifest) : undefined;
    logger.info({ mode: config.persistedDocuments.mode, operations: manifest.byHash.size, format: manifest.format, ...ready, invalid: ready?.invalid.length }, 'trusted documents loaded');
    if (ready?.invalid.length) logger.warn({ hashes: ready.invalid.slice(0, 20) }, 'trusted documents that do not validate against this supergraph (a stale manifest?)');
  }

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Behind a load balancer or an Ingress: req.ip is the client's address from X-Forwarded-For.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  // Request id (kept from the client when sane) and HTTP metrics, before anything can fail.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    setRequestId(req, requestId);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const route = routeOf(req.path);
    const stopTimer = metrics.httpDuration.startTimer({ route });
    res.once('finish', () => {
      stopTimer();
      metrics.httpRequests.inc({ route, status: res.statusCode });
    });
    next();
  });

  // Operator concerns' Redis (worker heartbeats, every package's queues): connected on first use.
  const redis = opsRedis(config.operations.redisUrl);
  const closers: Array<() => Promise<void>> = [];
  mountHealth(app, { ...subgraphReadinessChecks(subgraphUrls, agents), ...workerReadinessChecks(redis.get, config.operations) });
  // On the public port only where no metrics listener of its own is configured (never in production).
  if (config.metrics.port === undefined) app.get('/metrics', (req, res) => serveMetrics(metrics.registry, config.metrics.token, req, res));

  const internalClient = clientFor('internal-routes');
  // Runs an operation through Apollo Server as `principal`; `derived`: one the subscription server
  // derived from a subscription it already held to the client allow-list (never a client's text).
  const executeAs =
    (derived: boolean): GatewayRouteDeps['execute'] =>
    async ({ query, variables, principal, idempotencyKey, requestId }) => {
      const response = await apollo.executeOperation(
        { query, variables },
        {
          contextValue: {
            principal,
            principalHeader: encodePrincipal(principal),
            requestId: requestId ?? randomUUID(),
            idempotencyKey,
            ...(derived ? { derivedFromCheckedSubscription: true } : {}),
          },
        },
      );
      if (response.body.kind !== 'single') throw new Error('execute: incremental delivery is not supported');
      const { data, errors } = response.body.singleResult;
      return { data: data as never, errors };
    };
  const routeDeps: GatewayRouteDeps = {
    config,
    logger,
    subgraphUrls,
    metrics,
    redis: redis.get,
    onClose: (stop) => void closers.push(stop),
    // The REST routes' fixed operations: Handoff's executor without Apollo Server's request pipeline where it can (rest/direct-execute.ts).
    execute: directExecute({ executor, formatError, viaApollo: executeAs(false), newRequestId: randomUUID }),
    authenticate: async (authorization, requestId) => {
      const auth = await authenticator.authenticate(authorization, requestId);
      return auth.ok ? { ok: true, principal: auth.principal } : { ok: false, reason: auth.reason };
    },
    callInternal: async (subgraph, path, body, headers = {}) => {
      const lowerCased = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      const response = await internalClient.post(new URL(path, subgraphUrls[subgraph]).toString(), {
        ...lowerCased,
        [PRINCIPAL_HEADER]: GATEWAY_SERVICE_PRINCIPAL_HEADER,
        [REQUEST_ID_HEADER]: lowerCased[REQUEST_ID_HEADER] ?? randomUUID(),
      }, body);
      return { status: response.status, headers: flatHeaders(response.headers), body: response.body };
    },
  };
  // Webhooks in: their own ingress in front of express (unless a caller chose the routes).
  const webhooks = opts.routes ? undefined : webhookIngress();
  mountPortalAuth(app, { portal, logger });
  for (const mount of opts.routes ?? [webhooks!.mount, ...routeMounts]) mount(app, routeDeps);
  // graphql-ws on the same port and path (gateway/src/subscriptions); Redis only once listening.
  const subscriptions = createSubscriptionServer({
    config,
    logger,
    schema: apiSchema,
    parseOptions: protection.parseOptions,
    validationRules: protection.validationRules,
    trusted: persistedDocuments.checksText ? (query) => persistedDocuments.resolve(query, undefined).kind !== 'refused' : undefined,
    execute: executeAs(false),
    executeDerived: executeAs(true),
    authenticate: (authorization) => authenticator.authenticate(authorization),
    portal,
    invalidateApiKey: (keyHash) => apiKeys.invalidate(keyHash),
  });

  app.all(
    '/graphql',
    express.json({ limit: config.maxBodyBytes, type: ['application/json', 'application/*+json'], verify: refuseInvalidUtf8 }),
    (req: Request, _res: Response, next: NextFunction) => {
      // Express 5 leaves req.body unset for bodies it did not parse; Apollo then answers 400 itself.
      if (!('body' in req)) (req as { body?: unknown }).body = undefined;
      next();
    },
    persisted.middleware,
    expressMiddleware(apollo, {
      context: ({ req }) => graphqlContext(req.headers, requestIdOf(req)!),
    }),
  );

  // The request context of a /graphql operation: the caller's principal from its API key or client secret.
  async function graphqlContext(headers: IncomingHttpHeaders, requestId: string): Promise<GatewayContext> {
    let auth;
    try {
      // No Authorization header but the portal's cookie: the session's principal, with its CSRF token checked.
      auth = !headers.authorization && portal.hasCookie(headers) ? await portalAuthentication(headers, requestId) : await authenticator.authenticate(headers.authorization, requestId);
    } catch (err) {
      logger.error({ err, requestId }, 'API key lookup failed');
      throw new GraphQLError('Authentication is temporarily unavailable; retry shortly.', {
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503, headers: new HeaderMap([['retry-after', '1']]) } },
      });
    }
    if (!auth.ok && auth.reason === 'csrf') {
      throw new GraphQLError('Missing or invalid X-CSRF-Token for this session.', { extensions: { code: ErrorCode.CSRF_INVALID, http: { status: 403 } } });
    }
    if (!auth.ok && auth.reason === 'session') {
      const error = unauthenticated('Not signed in: the portal session is unknown, ended or expired.');
      error.extensions.http = { status: 401 };
      throw error;
    }
    if (!auth.ok) {
      const error = unauthenticated(
        auth.reason === 'malformed' ? 'Malformed Authorization header: expected "Bearer <api key>".' : undefined,
      );
      error.extensions.http = { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer realm="handoff"']]) };
      throw error;
    }
    const idempotencyKey = headerValue(headers, IDEMPOTENCY_KEY_HEADER);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new GraphQLError('Idempotency-Key: must be 1 to 255 printable ASCII characters.', {
        extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'Idempotency-Key', http: { status: 400 } },
      });
    }
    return { principal: auth.principal, principalHeader: auth.principalHeader, requestId, idempotencyKey };
  }

  async function portalAuthentication(headers: IncomingHttpHeaders, requestId: string): Promise<{ ok: true; principal: Principal; principalHeader: string } | { ok: false; reason: 'csrf' | 'session' }> {
    const identity = await portal.authenticate(headers, requestId);
    if (identity === 'CSRF_INVALID') return { ok: false, reason: 'csrf' };
    if (identity === 'UNAUTHENTICATED') return { ok: false, reason: 'session' };
    return { ok: true, principal: identity.principal, principalHeader: encodePrincipal(identity.principal) };
  }

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: 'Not found.', extensions: { code: ErrorCode.NOT_FOUND } }] });
  });

  // Body parser failures and anything else thrown before Apollo: a JSON error, never a stack.
  app.use((err: { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const { status, message } = httpErrorOf(err, config.maxBodyBytes);
    if (status >= 500) logger.error({ err, requestId: requestIdOf(req) }, 'gateway request failed');
    res.status(status).json({
      errors: [{ message, extensions: { code: status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_REQUEST } }],
    });
  });

  const withWebhooks = (next: RequestListener): RequestListener => (webhooks ? webhooks.listener(routeDeps, next, metrics) : next);

  let closed = false;
  return {
    app,
    apiKeys,
    metrics,
    listen: async (port, host = '127.0.0.1') => {
      const server = await listenGracefully(
        withWebhooks(
          graphqlFastPath({
            apollo,
            maxBodyBytes: config.maxBodyBytes,
            metrics,
            logger,
            context: graphqlContext,
            fallback: app,
            executor,
            formatError,
            persisted,
          }),
        ),
        port,
        host,
        undefined,
        subscriptions,
      );
      const metricsServer = await listenMetrics(metrics.registry, config.metrics).catch(async (err: unknown) => {
        await server.close();
        throw err;
      });
      if (!metricsServer) return { ...server, metricsUrl: `${server.url}/metrics` };
      return {
        ...server,
        metricsUrl: `${metricsServer.url}/metrics`,
        close: async () => {
          await Promise.all([server.close(), metricsServer.close()]);
        },
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const stop of closers.splice(0)) await stop().catch((err: unknown) => logger.warn({ err }, 'closing a route failed'));
      await redis.close();
      await subscriptions.close();
      await apollo.stop();
      await agents.destroy();
    },
  };
}

function checkSubgraphUrls(urls: Readonly<Record<string, string>>): Record<SubgraphName, string> {
  const missing = SUBGRAPH_NAMES.filter((n) => !urls[n]);
  if (missing.length) throw new Error(`createGateway: no URL for subgraph(s) ${missing.join(', ')}`);
  return Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, urls[n]!])) as Record<SubgraphName, string>;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A bounded route label (never the raw path: that would let clients mint metric series). */
function routeOf(path: string): string {
  if (path === '/graphql') return '/graphql';
  if (path.startsWith('/health/')) return '/health';
  if (path.startsWith('/webhooks/')) return WEBHOOK_ROUTE;
  if (path === '/metrics') return '/metrics';
  return 'other';
}

const INVALID_UTF8 = 'entity.utf8.invalid';

/** body-parser's `verify` hook: a JSON body is UTF-8 (RFC 8259); invalid bytes are refused, not turned into U+FFFD. */
function refuseInvalidUtf8(_req: unknown, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) throw Object.assign(new Error('Request body is not valid UTF-8.'), { status: 400, type: INVALID_UTF8 });
}

function httpErrorOf(err: { status?: number; type?: string }, limit: number): { status: number; message: string } {
  switch (err?.type) {
    case 'entity.too.large':
      return { status: 413, message: `Request body too large (limit ${limit} bytes).` };
    case 'entity.parse.failed':
      return { status: 400, message: 'Request body is not valid JSON.' };
    case INVALID_UTF8:
      return { status: 400, message: 'Request body is not valid UTF-8.' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: 'Unsupported body encoding or charset.' };
    default:
      break;
  }
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  return { status, message: status === 500 ? UNEXPECTED_MESSAGE : 'Bad request.' };
}
