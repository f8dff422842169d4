// A conversion row in `ledger.conversions`. The transaction value is minor units of `currency`.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CommissionType } from '../commission/commission.js';
import { ConversionPath, ConversionStatus } from './conversion.enums.js';

@Entity({ name: 'conversions' })
export class ConversionEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  /** The recommending agent; null when a merchant reports a conversion no agent earned. */
  @Column({ name: 'agent_id', type: 'text', nullable: true })
  agentId: string | null;

  @Column({ type: 'text' })
  status: ConversionStatus;

  @Column({ name: 'conversion_path', type: 'text' })
  conversionPath: ConversionPath;

  /** `verified`, `pending_validation` or `flagged:<reason>`. */
  @Column({ type: 'text' })
  verification: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @MinorUnitsColumn({ name: 'transaction_value_minor' })
  transactionValueMinor: number;

  @Column({ name: 'order_reference', type: 'text', nullable: true })
  orderReference: string | null;

  @Column({ name: 'validation_period_days', type: 'integer' })
  validationPeriodDays: number;

  @Column({ name: 'validates_at', type: 'timestamptz' })
  validatesAt: Date;

  @Column({ name: 'recommendation_id', type: 'text', nullable: true })
  recommendationId: string | null;

  @Column({ name: 'session_id', type: 'text', nullable: true })
  sessionId: string | null;

  @Column({ name: 'offer_id', type: 'text', nullable: true })
  offerId: string | null;

  @Column({ name: 'payment_intent_id', type: 'text', nullable: true })
  paymentIntentId: string | null;

  /** `<provider>:<psp payment id>`: one conversion per payment. */
  @Column({ name: 'payment_key', type: 'text', nullable: true })
  paymentKey: string | null;

  @Column({ name: 'commission_type', type: 'text', default: CommissionType.CPA })
  commissionType: CommissionType;

  @MinorUnitsColumn({ name: 'cpa_minor', nullable: true })
  cpaMinor: number | null;

  @Column({ name: 'percentage_bps', type: 'integer', nullable: true })
  percentageBps: number | null;

  @MinorUnitsColumn({ name: 'commission_minor', default: 0 })
  commissionMinor: number;

  @MinorUnitsColumn({ name: 'network_fee_minor', default: 0 })
  networkFeeMinor: number;

  @MinorUnitsColumn({ name: 'builder_payout_minor', default: 0 })
  builderPayoutMinor: number;

  @MinorUnitsColumn({ name: 'unclaimed_minor', default: 0 })
  unclaimedMinor: number;

  @MinorUnitsColumn({ name: 'forfeited_minor', default: 0 })
  forfeitedMinor: number;

  @Column({ name: 'builder_id', type: 'text', nullable: true })
  builderId: string | null;

  /** False while a flagged conversion awaits review: no entries yet. */
  @Column({ name: 'commission_posted', type: 'boolean', default: false })
  commissionPosted: boolean;

  @MinorUnitsColumn({ name: 'refunded_minor', default: 0 })
  refundedMinor: number;

  @Column({ name: 'flow_type', type: 'text', default: 'instant_checkout' })
  flowType: string;

  @Column({ name: 'flow_steps', type: 'text', array: true, default: () => "ARRAY['payment_received','order_confirmed']" })
  flowSteps: string[];

  @Column({ name: 'payable_after', type: 'text', nullable: true })
  payableAfter: string | null;

  @Column({ name: 'payable_since', type: 'timestamptz', nullable: true })
  payableSince: Date | null;

  @Column({ name: 'status_before_dispute', type: 'text', nullable: true })
  statusBeforeDispute: ConversionStatus | null;

  /** The identity of the AAP code the payment carried (attributionCodeId), whatever its verification. */
  @Column({ name: 'aap_code_id', type: 'text', nullable: true })
  aapCodeId: string | null;

  /** The subscription whose period this payment paid (payment-intent's record); null for a one-off payment. */
  @Column({ name: 'subscription_id', type: 'text', nullable: true })
  subscriptionId: string | null;

  /** The subscription period paid: 1 = the first payment at checkout, 2 = the first renewal; null for a one-off payment. */
  @Column({ name: 'billing_period', type: 'integer', nullable: true })
  billingPeriod: number | null;

  @Column({ name: 'review_reason', type: 'text', nullable: true })
  reviewReason: string | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  @MinorUnitsColumn({ name: 'builder_settled_minor', default: 0 })
  builderSettledMinor: number;

  @MinorUnitsColumn({ name: 'merchant_settled_minor', default: 0 })
  merchantSettledMinor: number;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  /** Optimistic concurrency: every change increments it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
