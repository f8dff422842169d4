// The risk tables of schema `payment` (migration 1795500800000): a merchant's settings, the
// assessments (append-only), the manual review queue and identity verifications (KYC).
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { RiskReason, RiskRule } from './risk.model.js';

@Entity({ name: 'risk_settings' })
export class RiskSettingsEntity {
  @PrimaryColumn({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" }) rules: RiskRule[];
  @Column({ name: 'challenge_at', type: 'integer', nullable: true }) challengeAt: number | null;
  @Column({ name: 'review_at', type: 'integer', nullable: true }) reviewAt: number | null;
  @Column({ name: 'block_at', type: 'integer', nullable: true }) blockAt: number | null;
  @MinorUnitsColumn({ name: 'kyc_required_above_minor', nullable: true }) kycRequiredAboveMinor: number | null;
  @Column({ name: 'kyc_currency', type: 'char', length: 3, nullable: true }) kycCurrency: string | null;
  /** The fraud provider's webhook signing secret, encrypted (fraud-webhook-secret.ts); never answered after it is made. */
  @Column({ name: 'fraud_webhook_secret', type: 'text', nullable: true }) fraudWebhookSecret: string | null;
  @Column({ type: 'integer', default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export type AssessmentSource = 'CONFIRM' | 'DRY_RUN' | 'PROVIDER';

@Entity({ name: 'risk_assessments' })
export class RiskAssessmentEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'checkout_session_id', type: 'text', nullable: true }) checkoutSessionId: string | null;
  @Column({ name: 'payment_intent_id', type: 'text', nullable: true }) paymentIntentId: string | null;
  @Column({ type: 'text' }) source: AssessmentSource;
  @Column({ type: 'integer' }) score: number;
  @Column({ type: 'text' }) action: string;
  @Column({ type: 'jsonb' }) reasons: RiskReason[];
  @Column({ name: 'rule_ids', type: 'text', array: true }) ruleIds: string[];
  @Column({ type: 'text', nullable: true }) email: string | null;
  @Column({ name: 'card_fingerprint', type: 'text', nullable: true }) cardFingerprint: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
  @Column({ name: 'agent_id', type: 'text', nullable: true }) agentId: string | null;
  @Column({ name: 'billing_country', type: 'char', length: 2, nullable: true }) billingCountry: string | null;
  @Column({ name: 'shipping_country', type: 'char', length: 2, nullable: true }) shippingCountry: string | null;
  @Column({ name: 'ip_country', type: 'char', length: 2, nullable: true }) ipCountry: string | null;
  @Column({ name: 'card_country', type: 'char', length: 2, nullable: true }) cardCountry: string | null;
  @MinorUnitsColumn({ name: 'amount_minor', nullable: true }) amountMinor: number | null;
  @Column({ type: 'char', length: 3, nullable: true }) currency: string | null;
  @Column({ type: 'boolean', nullable: true }) declined: boolean | null;
  @Column({ name: 'provider_event_id', type: 'text', nullable: true }) providerEventId: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export type ManualReviewStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

@Entity({ name: 'manual_reviews' })
export class ManualReviewEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'checkout_session_id', type: 'text', nullable: true }) checkoutSessionId: string | null;
  @Column({ name: 'payment_intent_id', type: 'text' }) paymentIntentId: string;
  @Column({ name: 'assessment_id', type: 'text', nullable: true }) assessmentId: string | null;
  @Column({ type: 'text' }) status: ManualReviewStatus;
  /** Why it is held: `rules` (the merchant's risk rules) or `provider` (a fraud provider's decision). */
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'text', nullable: true }) assignee: string | null;
  @Column({ name: 'assigned_at', type: 'timestamptz', nullable: true }) assignedAt: Date | null;
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true }) decidedAt: Date | null;
  @Column({ name: 'decided_by_kind', type: 'text', nullable: true }) decidedByKind: string | null;
  @Column({ name: 'decided_by_id', type: 'text', nullable: true }) decidedById: string | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export type KycStatus = 'PENDING' | 'VERIFIED' | 'FAILED';

@Entity({ name: 'kyc_verifications' })
export class KycVerificationEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ type: 'text' }) provider: string;
  @Column({ name: 'provider_verification_id', type: 'text' }) providerVerificationId: string;
  @Column({ name: 'verification_url', type: 'text' }) verificationUrl: string;
  @Column({ type: 'text' }) status: KycStatus;
  @Column({ name: 'callback_event_id', type: 'text', nullable: true }) callbackEventId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
}
