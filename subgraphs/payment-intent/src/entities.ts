// Every TypeORM entity of the payment-intent package (schema `payment`).
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription/billing-subscription.entity.js';
import { BillingInvoiceLineEntity } from './billing-subscription/lifecycle/invoice-line.entity.js';
import { DelegatedTokenEntity } from './delegated-payment/delegated-token.entity.js';
import { PaymentEventEntity } from './payment-intent/payment-event.entity.js';
import { PaymentIntentEntity } from './payment-intent/payment-intent.entity.js';
import { RefundEntity } from './refund/refund.entity.js';
import { KycVerificationEntity, ManualReviewEntity, RiskAssessmentEntity, RiskSettingsEntity } from './risk/risk.entities.js';
import { WebhookInboxEntity } from './webhooks/webhook-inbox.entity.js';

export const entities: Function[] = [
  PaymentIntentEntity,
  PaymentEventEntity,
  RefundEntity,
  WebhookInboxEntity,
  RiskSettingsEntity,
  RiskAssessmentEntity,
  ManualReviewEntity,
  KycVerificationEntity,
  DelegatedTokenEntity,
  BillingSubscriptionEntity,
  BillingSubscriptionItemEntity,
  BillingInvoiceEntity,
  BillingInvoiceLineEntity,
];
