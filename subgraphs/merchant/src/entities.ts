// Every TypeORM entity of the merchant schema.
import { AgentEntity, BuilderEntity } from './agent/agent.entity.js';
import { ApiKeyEntity } from './api-key/api-key.entity.js';
import { MerchantEntity } from './merchant/merchant.entity.js';
import { OfferEntity } from './offer/offer.entity.js';
import { PaymentConnectorEntity } from './payment-connector/payment-connector.entity.js';
import { PricingProviderEntity } from './pricing-providers/pricing-provider.entity.js';
import { PromotionEntity } from './promotion/promotion.entity.js';
import { ShippingConfigEntity } from './shipping-config/shipping-config.entity.js';
import { TaxConfigEntity } from './tax-config/tax-config.entity.js';
import { CheckoutSettingsEntity } from './checkout-settings/checkout-settings.entity.js';
import { BillingSettingsEntity } from './billing-settings/billing-settings.entity.js';
import { MerchantNoticeEntity } from './merchant-notice/merchant-notice.entity.js';
import { WebhookDeliveryAttemptEntity, WebhookDeliveryEntity, WebhookEventEntity } from './webhook-delivery/webhook-delivery.entity.js';
import { WebhookEndpointEntity } from './webhook-endpoint/webhook-endpoint.entity.js';
import { MerchantUserEntity, MerchantUserInvitationEntity, PortalLoginFailureEntity, PortalSessionEntity } from './merchant-user/merchant-user.entity.js';

export const entities: Function[] = [
  MerchantEntity,
  OfferEntity,
  AgentEntity,
  BuilderEntity,
  ApiKeyEntity,
  PaymentConnectorEntity,
  ShippingConfigEntity,
  TaxConfigEntity,
  PromotionEntity,
  PricingProviderEntity,
  CheckoutSettingsEntity,
  BillingSettingsEntity,
  WebhookEndpointEntity,
  WebhookEventEntity,
  WebhookDeliveryEntity,
  WebhookDeliveryAttemptEntity,
  MerchantNoticeEntity,
  MerchantUserEntity,
  MerchantUserInvitationEntity,
  PortalSessionEntity,
  PortalLoginFailureEntity,
];
