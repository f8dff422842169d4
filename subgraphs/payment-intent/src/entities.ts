// Every TypeORM entity of the payment-intent package (schema `payment`).
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
];
