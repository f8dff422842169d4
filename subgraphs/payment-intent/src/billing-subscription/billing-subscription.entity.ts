// Billing subscriptions, their items and invoices (schema `payment`, migration 1795722200000;
// docs/recurring.md). Money in integer minor units of the subscription's currency.
import { MinorUnitsColumn, type RecurringInterval } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BillingInvoiceStatus, BillingSubscriptionStatus } from './billing-subscription.states.js';

@Entity({ name: 'billing_subscriptions' })
export class BillingSubscriptionEntity {
  /** `bsub_` + 24 hex, derived from its checkout session (billingSubscriptionIdFor): one per session. */
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ name: 'checkout_session_id', type: 'text' }) checkoutSessionId: string;
  @Column({ type: 'text' }) status: BillingSubscriptionStatus;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ type: 'text' }) interval: RecurringInterval;
  @Column({ name: 'interval_count', type: 'integer' }) intervalCount: number;
  @Column({ name: 'trial_days', type: 'integer' }) trialDays: number;
  /** The PSP that keeps the saved card: TEST (the sandbox) or STRIPE. */
  @Column({ type: 'text' }) provider: string;
  /** The saved card for off-session charges: the sandbox's vault token or Stripe's PaymentMethod id (`pm_…`); never a card number. */
  @Column({ name: 'payment_method_id', type: 'text', nullable: true }) paymentMethodId: string | null;
  @Column({ name: 'payment_method_brand', type: 'text', nullable: true }) paymentMethodBrand: string | null;
  @Column({ name: 'payment_method_last4', type: 'text', nullable: true }) paymentMethodLast4: string | null;
  /** The checkout's payment intent (period 1's, or the trial's settled at 0). */
  @Column({ name: 'checkout_payment_intent_id', type: 'text', nullable: true }) checkoutPaymentIntentId: string | null;
  /** Where paid periods are counted from (period N = periodBounds(anchor, cycle, N)): the first payment, or the trial's end. */
  @Column({ name: 'billing_cycle_anchor', type: 'timestamptz', nullable: true }) billingCycleAnchor: Date | null;
  /** The last period paid or being paid (1 = the first); 0 during a trial. */
  @Column({ name: 'current_period', type: 'integer' }) currentPeriod: number;
  @Column({ name: 'current_period_start', type: 'timestamptz', nullable: true }) currentPeriodStart: Date | null;
  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true }) currentPeriodEnd: Date | null;
  @Column({ name: 'trial_start', type: 'timestamptz', nullable: true }) trialStart: Date | null;
  @Column({ name: 'trial_end', type: 'timestamptz', nullable: true }) trialEnd: Date | null;
  /** When the renewal scheduler charges the next period (the current period's end, or the trial's); null when none is due. */
  @Column({ name: 'next_renewal_at', type: 'timestamptz', nullable: true }) nextRenewalAt: Date | null;
  @Column({ name: 'cancel_at_period_end', type: 'boolean' }) cancelAtPeriodEnd: boolean;
  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true }) canceledAt: Date | null;
  /** The checkout intent's metadata (the agent's aap_* attribution included): every renewal's intent carries it. */
  @Column({ type: 'jsonb' }) metadata: Record<string, string>;
  /** STRIPE: the Stripe Customer the saved card is attached to (created at checkout); null for TEST. */
  @Column({ name: 'provider_customer_id', type: 'text', nullable: true }) providerCustomerId: string | null;
  /** STRIPE: the Stripe Billing Subscription that renews it (stripe-billing-link.ts); its invoices' webhooks pay Handoff's. */
  @Column({ name: 'provider_subscription_id', type: 'text', nullable: true }) providerSubscriptionId: string | null;
  /** STRIPE: the creation time of the newest Stripe event applied to it (an older customer.subscription.updated is stale). */
  @Column({ name: 'provider_synced_at', type: 'timestamptz', nullable: true }) providerSyncedAt: Date | null;
  /** STRIPE: what Handoff last told Stripe of its end ('canceled', 'cancel_at_period_end'); null when nothing. */
  @Column({ name: 'provider_told', type: 'text', nullable: true }) providerTold: 'canceled' | 'cancel_at_period_end' | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'billing_subscription_items' })
export class BillingSubscriptionItemEntity {
  @PrimaryColumn({ name: 'subscription_id', type: 'text' }) subscriptionId: string;
  /** The line's position in its checkout session. */
  @PrimaryColumn({ type: 'integer' }) position: number;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'offer_id', type: 'text', nullable: true }) offerId: string | null;
  @MinorUnitsColumn({ name: 'unit_amount_minor' }) unitAmountMinor: number;
  @Column({ type: 'integer' }) quantity: number;
}

@Entity({ name: 'billing_invoices' })
export class BillingInvoiceEntity {
  /** `binv_` + ULID. */
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'subscription_id', type: 'text' }) subscriptionId: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  /** 1 = the first paid period; unique per subscription (never two invoices, so never two charges, for one period). */
  @Column({ type: 'integer' }) period: number;
  @Column({ type: 'text' }) status: BillingInvoiceStatus;
  @MinorUnitsColumn({ name: 'amount_minor' }) amountMinor: number;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'period_start', type: 'timestamptz' }) periodStart: Date;
  @Column({ name: 'period_end', type: 'timestamptz' }) periodEnd: Date;
  /** The intent that pays (or last tried to pay) it. */
  @Column({ name: 'payment_intent_id', type: 'text', nullable: true }) paymentIntentId: string | null;
  /** Charge attempts made (the checkout's payment counts one). */
  @Column({ type: 'integer' }) attempts: number;
  /** Dunning: when the next retry is due; null when none is scheduled. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt: Date | null;
  /** STRIPE: the Stripe invoice behind it (unique: one Stripe invoice pays one Handoff invoice). */
  @Column({ name: 'provider_invoice_id', type: 'text', nullable: true }) providerInvoiceId: string | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
