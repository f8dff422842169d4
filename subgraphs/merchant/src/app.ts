// Builds the merchant subgraph over its resources: services, resolvers, schema, and the
// background work (outbox relay, idempotency-key purge).
import { buildFederatedSchema, defineSubgraph, instanceContainer, OutboxRelay, type SubgraphApp } from '@handoff/shared';
import { AgentResolver } from './agent/agent.resolver.js';
import { resolveAgentReference } from './agent/agent.reference.js';
import { ApiKeyResolver } from './api-key/api-key.resolver.js';
import type { MerchantConfig } from './config.js';
import { SCHEMA_NAME, SUBGRAPH_NAME } from './constants.js';
import { extendContext, type MerchantContext } from './context.js';
import { entities } from './entities.js';
import { outboxRoutes, pubsubChannelFor, type OutboxNotifier } from './events.js';
import { resolveMerchantReference } from './merchant/merchant.reference.js';
import { MerchantResolver } from './merchant/merchant.resolver.js';
import { migrations } from './migrations/index.js';
import { resolveOfferReference } from './offer/offer.reference.js';
import { MerchantOffersResolver, OfferResolver } from './offer/offer.resolver.js';
import { PaymentConnectorResolver } from './payment-connector/payment-connector.resolver.js';
import { createServices } from './services.js';
import { ViewerResolver } from './viewer/viewer.resolver.js';

export { SCHEMA_NAME, SUBGRAPH_NAME };

const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

export function createApp(config: MerchantConfig): Promise<SubgraphApp> {
  return defineSubgraph<MerchantConfig, MerchantContext>({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource, redis }) {
      // Services tell the relay after each commit; the relay exists once workers have started
      // in this process (otherwise the worker process's relay finds the rows on its next tick).
      let relay: OutboxRelay | undefined;
      const notifier: OutboxNotifier = { notify: () => relay?.notify() };
      const services = createServices({ dataSource, encryptionKey: config.encryptionKey, outbox: notifier });

      const resolvers = [
        new MerchantResolver(services.merchants),
        new OfferResolver(services.offers),
        new MerchantOffersResolver(services.offers),
        new AgentResolver(services.agents),
        new ApiKeyResolver(services.apiKeys),
        new PaymentConnectorResolver(services.connectors),
        new ViewerResolver(),
      ];
      const schema = await buildFederatedSchema<MerchantContext>({
        resolvers: [
          MerchantResolver,
          OfferResolver,
          MerchantOffersResolver,
          AgentResolver,
          ApiKeyResolver,
          PaymentConnectorResolver,
          ViewerResolver,
        ],
        container: instanceContainer(resolvers),
        referenceResolvers: {
          Merchant: resolveMerchantReference,
          Offer: resolveOfferReference,
          Agent: resolveAgentReference,
        },
      });

      const startWorkers = async () => {
        const started = new OutboxRelay({
          dataSource,
          schema: SCHEMA_NAME,
          redis,
          queuePrefix: config.env.QUEUE_PREFIX,
          logger: config.logger,
          routes: outboxRoutes,
          pubsubChannel: pubsubChannelFor(config.env.QUEUE_PREFIX),
        });
        started.start();
        relay = started;
        const purge = setInterval(() => {
          services.idempotency
            .purgeExpired()
            .catch((err: unknown) => config.logger.warn({ err }, 'idempotency key purge failed'));
        }, IDEMPOTENCY_PURGE_INTERVAL_MS);
        purge.unref();
        return {
          close: async () => {
            clearInterval(purge);
            if (relay === started) relay = undefined;
            await started.stop();
          },
        };
      };

      return { schema, extendContext: extendContext(services), startWorkers };
    },
  });
}
