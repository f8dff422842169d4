// A checkout session row in `checkout.checkout_sessions`. Amounts are minor units of `currency`.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { StoredAddress } from '../address/address.model.js';
import type { ShipmentPlanKind, StoredShippingSelection } from '../session-shipping/session-shipping.model.js';
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

  // What the buyer fills in (issue 18, part B1; migration 1795300400000-checkout-buyer-details).
  @Column({ name: 'customer_phone', type: 'text', nullable: true })
  customerPhone: string | null;

  /** The merchant's id for a signed-in customer. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId: string | null;

  @Column({ name: 'customer_save_for_later', type: 'boolean', default: false })
  customerSaveForLater: boolean;

  @Column({ name: 'shipping_address', type: 'jsonb', nullable: true })
  shippingAddress: StoredAddress | null;

  @Column({ name: 'billing_address', type: 'jsonb', nullable: true })
  billingAddress: StoredAddress | null;

  @Column({ name: 'selected_shipping', type: 'jsonb', nullable: true })
  selectedShipping: StoredShippingSelection | null;

  /** Null: SPLIT. */
  @Column({ name: 'shipment_plan', type: 'text', nullable: true })
  shipmentPlan: ShipmentPlanKind | null;

  /** Codes as the buyer applied them, upper-cased, each once. */
  @Column({ name: 'promotion_codes', type: 'jsonb', default: () => "'[]'::jsonb" })
  promotionCodes: string[];

  /** The calculation the session's totals come from (checkout.calculations), once calculated. */
  @Column({ name: 'calculation_id', type: 'text', nullable: true })
  calculationId: string | null;

  /** True when something that affects prices changed since the current calculation (or there is none). */
  @Column({ name: 'calculation_stale', type: 'boolean', default: true })
  calculationStale: boolean;

  /** The session's latest inventory reservation (reservation/), once it reserved. */
  @Column({ name: 'reservation_id', type: 'text', nullable: true })
  reservationId: string | null;

  /** Until when that reservation holds stock; null once released, expired or converted (lifecycle RESERVED while in the future). */
  @Column({ name: 'reservation_held_until', type: 'timestamptz', nullable: true })
  reservationHeldUntil: Date | null;

  /** 'acp': made by createAgentCheckoutSession (the ACP routes); only those get the ACP order events. Null otherwise. */
  @Column({ type: 'text', nullable: true })
  origin: 'acp' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
