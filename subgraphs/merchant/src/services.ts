// The merchant subgraph's services over one DataSource; app.ts and the integration tests build them here.
import { IdempotencyStore } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AgentService } from './agent/agent.service.js';
import { ApiKeyService } from './api-key/api-key.service.js';
import { SCHEMA_NAME } from './constants.js';
import { noopNotifier, type OutboxNotifier } from './events.js';
import { MerchantService } from './merchant/merchant.service.js';
import { OfferService } from './offer/offer.service.js';
import { PaymentConnectorService } from './payment-connector/payment-connector.service.js';
import { CheckoutPricingService } from './checkout-pricing/checkout-pricing.service.js';
import type { PricingConfigVersions } from './checkout-pricing/pricing-config-version.js';
import { PricingProviderService } from './pricing-providers/pricing-provider.service.js';
import { PromotionService } from './promotion/promotion.service.js';
import { ShippingConfigService } from './shipping-config/shipping-config.service.js';
import { TaxConfigService } from './tax-config/tax-config.service.js';
import { CheckoutSettingsService } from './checkout-settings/checkout-settings.service.js';
import { BillingSettingsService } from './billing-settings/billing-settings.service.js';
import { MerchantUserService } from './merchant-user/merchant-user.service.js';
import { PortalSessionService } from './merchant-user/portal-session.service.js';

export interface MerchantServices {
  merchants: MerchantService;
  offers: OfferService;
  agents: AgentService;
  apiKeys: ApiKeyService;
  connectors: PaymentConnectorService;
  shippingConfigs: ShippingConfigService;
  taxConfigs: TaxConfigService;
  promotions: PromotionService;
  pricingProviders: PricingProviderService;
  checkoutPricing: CheckoutPricingService;
  checkoutSettings: CheckoutSettingsService;
  /** The dunning schedule of subscriptions (issue 22). */
  billingSettings: BillingSettingsService;
  /** The merchant portal's users and sessions (docs/portal-auth.md). */
  merchantUsers: MerchantUserService;
  portalSessions: PortalSessionService;
  idempotency: IdempotencyStore;
}

export function createServices(opts: {
  dataSource: DataSource;
  encryptionKey: Buffer;
  outbox?: OutboxNotifier;
  /** Replaces a merchant's pricing-configuration version after a change (checkout-session's cache); none by default. */
  pricingVersions?: PricingConfigVersions;
  /** Whether pricing provider endpoints may be http:// or private addresses (MerchantConfig.allowPrivateUrls); default false. */
  allowPrivateUrls?: boolean;
}): MerchantServices {
  const { dataSource, encryptionKey } = opts;
  const outbox = opts.outbox ?? noopNotifier;
  const idempotency = new IdempotencyStore(dataSource, SCHEMA_NAME);
  const merchants = new MerchantService(dataSource, idempotency, outbox, opts.pricingVersions);
  const shippingConfigs = new ShippingConfigService(dataSource, merchants, outbox);
  const taxConfigs = new TaxConfigService(dataSource, merchants, outbox);
  const promotions = new PromotionService(dataSource, idempotency, merchants, outbox);
  const pricingProviders = new PricingProviderService(dataSource, encryptionKey, merchants, outbox, opts.allowPrivateUrls ?? false);
  const checkoutSettings = new CheckoutSettingsService(dataSource, merchants, outbox);
  const portalSessions = new PortalSessionService(dataSource);
  return {
    merchants,
    offers: new OfferService(dataSource, idempotency, outbox),
    agents: new AgentService(dataSource, idempotency, outbox),
    apiKeys: new ApiKeyService(dataSource, idempotency, encryptionKey, outbox),
    connectors: new PaymentConnectorService(dataSource, encryptionKey, merchants, outbox, idempotency),
    shippingConfigs,
    taxConfigs,
    promotions,
    pricingProviders,
    checkoutPricing: new CheckoutPricingService(dataSource, shippingConfigs, taxConfigs, promotions, pricingProviders, checkoutSettings),
    checkoutSettings,
    billingSettings: new BillingSettingsService(dataSource, merchants, outbox),
    merchantUsers: new MerchantUserService(dataSource, portalSessions, undefined, outbox),
    portalSessions,
    idempotency,
  };
}
