// A checkout session row in `checkout.checkout_sessions`. Amounts are minor units of `currency`.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CheckoutMode, CheckoutSessionStatus } from './checkout-session.enums.js';

/** What a succeeded payment reported, against what the session expected (stored as JSON). */
export interface PaymentMismatchRecord {
  paymentIntentId: string;
  expectedAmountMinor: number;
  expectedCurrency: string;
  /** Null when the event did not say. */
  receivedAmountMinor: number | null;
  receivedCurrency: string | null;
  detectedAt: string;
}

@Entity({ name: 'checkout_sessions' })
export class CheckoutSessionEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  /** The agent whose checkout created the session; null for merchant-created sessions. */
  @Column({ name: 'agent_id', type: 'text', nullable: true })
  agentId: string | null;

  @Column({ type: 'text' })
  status: CheckoutSessionStatus;

  @Column({ type: 'text' })
  mode: CheckoutMode;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @MinorUnitsColumn({ name: 'subtotal_minor' })
  subtotalMinor: number;

  @MinorUnitsColumn({ name: 'discount_minor' })
  discountMinor: number;

  @MinorUnitsColumn({ name: 'tax_minor' })
  taxMinor: number;

  @MinorUnitsColumn({ name: 'shipping_minor' })
  shippingMinor: number;

  @MinorUnitsColumn({ name: 'total_minor' })
  totalMinor: number;

  @Column({ name: 'success_url', type: 'text', nullable: true })
  successUrl: string | null;

  @Column({ name: 'cancel_url', type: 'text', nullable: true })
  cancelUrl: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Optimistic concurrency: every change increments it (and may require an expected value). */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'customer_email', type: 'text', nullable: true })
  customerEmail: string | null;

  /** The merchant's own key/value pairs (Stripe's limits); never holds aap_* keys. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  metadata: Record<string, string>;

  /** Attribution, set only on sessions an agent's checkout created. */
  @Column({ name: 'agent_session_id', type: 'text', nullable: true })
  agentSessionId: string | null;

  @Column({ name: 'recommendation_id', type: 'text', nullable: true })
  recommendationId: string | null;

  @Column({ name: 'offer_id', type: 'text', nullable: true })
  offerId: string | null;

  @Column({ name: 'aap_code', type: 'text', nullable: true })
  aapCode: string | null;

  /** The payment intent created for the session (payment-intent subgraph), once it exists. */
  @Column({ name: 'payment_intent_id', type: 'text', nullable: true })
  paymentIntentId: string | null;

  @Column({ name: 'payment_intents_canceled_at', type: 'timestamptz', nullable: true })
  paymentIntentsCanceledAt: Date | null;

  /** Set when a payment succeeded for another amount or currency than the total: never completed silently. */
  @Column({ name: 'payment_mismatch', type: 'jsonb', nullable: true })
  paymentMismatch: PaymentMismatchRecord | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
