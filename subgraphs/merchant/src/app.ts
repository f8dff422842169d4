// Builds the merchant subgraph over its resources: services, resolvers, schema. The outbox
// relay and idempotency-key purge are run for every subgraph by defineSubgraph.
import { buildFederatedSchema, createRedis, defineSubgraph, instanceContainer, type SubgraphApp } from '@handoff/shared';
import { startAuditLogWorker } from './audit-log/audit-log.job.js';
import { AuditLogResolver } from './audit-log/audit-log.resolver.js';
import { AuditLogService } from './audit-log/audit-log.service.js';
import { AgentResolver } from './agent/agent.resolver.js';
import { resolveAgentReference } from './agent/agent.reference.js';
import { ApiKeyResolver } from './api-key/api-key.resolver.js';
import type { MerchantConfig } from './config.js';
import { SCHEMA_NAME, SUBGRAPH_NAME } from './constants.js';
import { extendContext, type MerchantContext } from './context.js';
import { entities } from './entities.js';
import { outboxRoutes } from './events.js';
import { resolveMerchantReference } from './merchant/merchant.reference.js';
import { MerchantResolver } from './merchant/merchant.resolver.js';
import { migrations } from './migrations/index.js';
import { resolveOfferReference } from './offer/offer.reference.js';
import { MerchantOffersResolver, OfferResolver } from './offer/offer.resolver.js';
import { PaymentConnectorResolver } from './payment-connector/payment-connector.resolver.js';
import { CheckoutPricingResolver } from './checkout-pricing/checkout-pricing.resolver.js';
import { RedisPricingConfigVersions } from './checkout-pricing/pricing-config-version.js';
import { PricingProviderResolver } from './pricing-providers/pricing-provider.resolver.js';
import { PromotionResolver } from './promotion/promotion.resolver.js';
import { ShippingConfigResolver } from './shipping-config/shipping-config.resolver.js';
import { TaxConfigResolver } from './tax-config/tax-config.resolver.js';
import { CheckoutSettingsResolver } from './checkout-settings/checkout-settings.resolver.js';
import { BillingSettingsResolver } from './billing-settings/billing-settings.resolver.js';
import { HostedPageResolver } from './hosted-page/hosted-page.resolver.js';
import { createServices } from './services.js';
import { MerchantUserResolver } from './merchant-user/merchant-user.resolver.js';
import { PortalAuthResolver } from './merchant-user/portal-auth.resolver.js';
import { ViewerResolver } from './viewer/viewer.resolver.js';
import { createWebhooks } from './webhook-endpoint/webhooks.module.js';

export { SCHEMA_NAME, SUBGRAPH_NAME };

export function createApp(config: MerchantConfig): Promise<SubgraphApp> {
  return defineSubgraph<MerchantConfig, MerchantContext>({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource, redis, outbox }) {
      const pricingVersions = new RedisPricingConfigVersions(redis, config.env.QUEUE_PREFIX, config.logger);
      const services = createServices({ dataSource, encryptionKey: config.encryptionKey, outbox, allowPrivateUrls: config.allowPrivateUrls, pricingVersions });
      // Outbound webhooks (issue 19): endpoints, the delivery log, notices; the intake and delivery workers.
      const webhooks = createWebhooks({
        dataSource,
        redis,
        redisUrl: config.env.REDIS_URL,
        queuePrefix: config.env.QUEUE_PREFIX,
        idempotency: services.idempotency,
        connectors: services.connectors,
        encryptionKey: config.encryptionKey,
        allowPrivateUrls: config.allowPrivateUrls,
        outbox,
        delivery: config.webhooks,
        logger: config.logger,
      });

      // The audit log of every package's changes (issue 19): its intake worker and the admins' query.
      const audit = new AuditLogService(dataSource);

      const resolvers = [
        new MerchantResolver(services.merchants),
        new OfferResolver(services.offers),
        new MerchantOffersResolver(services.offers),
        new AgentResolver(services.agents),
        new ApiKeyResolver(services.apiKeys),
        new PaymentConnectorResolver(services.connectors),
        new ShippingConfigResolver(services.shippingConfigs),
        new TaxConfigResolver(services.taxConfigs),
        new PromotionResolver(services.promotions),
        new PricingProviderResolver(services.pricingProviders),
        new CheckoutPricingResolver(services.checkoutPricing),
        new CheckoutSettingsResolver(services.checkoutSettings, dataSource),
        new BillingSettingsResolver(services.billingSettings, dataSource),
        new HostedPageResolver(services.checkoutSettings, services.connectors),
        new ViewerResolver(),
        new MerchantUserResolver(services.merchantUsers, services.portalSessions, config.env.PUBLIC_BASE_URL.replace(/\/+$/, '')),
        new PortalAuthResolver(services.merchantUsers, services.portalSessions),
        new AuditLogResolver(audit),
        ...webhooks.resolvers,
      ];
      const schema = await buildFederatedSchema<MerchantContext>({
        resolvers: [
          MerchantResolver,
          OfferResolver,
          MerchantOffersResolver,
          AgentResolver,
          ApiKeyResolver,
          PaymentConnectorResolver,
          ShippingConfigResolver,
          TaxConfigResolver,
          PromotionResolver,
          PricingProviderResolver,
          CheckoutPricingResolver,
          CheckoutSettingsResolver,
          BillingSettingsResolver,
          HostedPageResolver,
          ViewerResolver,
          MerchantUserResolver,
          PortalAuthResolver,
          AuditLogResolver,
          ...webhooks.resolverClasses,
        ],
        container: instanceContainer(resolvers),
        referenceResolvers: {
          Merchant: resolveMerchantReference,
          Offer: resolveOfferReference,
          Agent: resolveAgentReference,
        },
      });

      return {
        schema,
        extendContext: extendContext(services),
        outboxRoutes,
        startWorkers: async () => {
          const delivery = await webhooks.startWorkers();
          const connection = createRedis(config.env.REDIS_URL, { forBullmqWorker: true });
          const auditWorker = startAuditLogWorker({ audit, connection, prefix: config.env.QUEUE_PREFIX, logger: config.logger.child({ component: 'audit-log' }) });
          return {
            close: async () => {
              await Promise.allSettled([delivery.close(), auditWorker.close()]);
              connection.disconnect();
            },
          };
        },
        close: () => webhooks.close(),
        // Not under NODE_ENV=test: a test run's stacks share one database, each with a throwaway key.
        checkBeforeServing: config.env.NODE_ENV === 'test' ? undefined : () => services.connectors.assertKeyOpensStoredSecrets(),
      };
    },
  });
}
