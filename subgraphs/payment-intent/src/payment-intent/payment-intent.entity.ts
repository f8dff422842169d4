// A payment intent row in `payment.payment_intents`. Amounts are minor units of `currency`.
import { MinorUnitsColumn, type SubscriptionPlanTerms } from '@handoff/shared';
import { AfterLoad, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from './payment-intent.enums.js';

export interface NextAction {
  type: 'three_d_secure' | 'redirect_to_url';
  url: string | null;
}

export interface PaymentError {
  code: string;
  declineCode: string | null;
  message: string;
}

/** The fields a merchant's webhook event shows (payment-intent.webhook-event.ts), as they were before a change. */
export type PaymentIntentShown = Pick<
  PaymentIntentEntity,
  'id' | 'status' | 'amountMinor' | 'amountCapturedMinor' | 'amountRefundedMinor' | 'currency' | 'captureMode' | 'checkoutSessionId' | 'metadata' | 'lastPaymentError' | 'createdAt'
>;

@Entity({ name: 'payment_intents' })
export class PaymentIntentEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  /** The checkout session it pays (owned by the checkout-session subgraph), if any. */
  @Column({ name: 'checkout_session_id', type: 'text', nullable: true })
  checkoutSessionId: string | null;

  @Column({ type: 'text' })
  status: PaymentIntentStatus;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @MinorUnitsColumn({ name: 'amount_minor' })
  amountMinor: number;

  @MinorUnitsColumn({ name: 'amount_captured_minor' })
  amountCapturedMinor: number;

  @MinorUnitsColumn({ name: 'amount_refunded_minor' })
  amountRefundedMinor: number;

  @Column({ name: 'capture_mode', type: 'text' })
  captureMode: CaptureMode;

  @Column({ type: 'text' })
  provider: PaymentProvider;

  /** The PSP's own id (the `data.object.id` of its webhooks); null until the PSP has one. */
  @Column({ name: 'provider_payment_id', type: 'text', nullable: true })
  providerPaymentId: string | null;

  /**
   * Its checkout session binds the amount: before a confirmation payment-intent asks
   * checkout-session what to charge (beginCheckoutPayment) and updates the amount first.
   */
  @Column({ name: 'checkout_binding', type: 'boolean', default: false })
  checkoutBinding: boolean;

  /** The merchant chose the capture mode (createPaymentIntent): it stands over the checkout session's. */
  @Column({ name: 'capture_mode_pinned', type: 'boolean', default: false })
  captureModePinned: boolean;

  /** What the intent accepts (Stripe's payment_method_types); `card` is what Handoff's PSPs take. */
  @Column({ name: 'payment_method_types', type: 'text', array: true, default: () => "'{card}'" })
  paymentMethodTypes: string[];

  /**
   * The buyer's email, lowercase (Stripe's receipt_email): checkout-session passes its customer's
   * when it creates the intent and again when the session commits to paying (beginCheckoutPayment).
   * The payments list filters on it (exact match). Null when not known.
   */
  @Column({ name: 'receipt_email', type: 'text', nullable: true })
  receiptEmail: string | null;

  /** Includes the attribution (`aap_*`) keys. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  metadata: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** What the buyer must do next (3-D Secure), while REQUIRES_ACTION. */
  @Column({ name: 'next_action', type: 'jsonb', nullable: true })
  nextAction: NextAction | null;

  /** Why the last attempt failed; cleared when a payment succeeds. */
  @Column({ name: 'last_payment_error', type: 'jsonb', nullable: true })
  lastPaymentError: PaymentError | null;

  /** The PSP token (`pm_…`) of the card last used; never the card number. */
  @Column({ name: 'payment_method_id', type: 'text', nullable: true })
  paymentMethodId: string | null;

  /** The billing subscription whose period this intent pays (issue 22; its events' `recurring`); null for a one-off payment. */
  @Column({ name: 'billing_subscription_id', type: 'text', nullable: true })
  billingSubscriptionId?: string | null;

  /** The period it pays: 1 = the first payment, at checkout. */
  @Column({ name: 'billing_period', type: 'integer', nullable: true })
  billingPeriod?: number | null;

  /** What its SUBSCRIPTION checkout committed to (checkout-session's plan): the subscription is created from it when the payment succeeds. */
  @Column({ name: 'billing_plan', type: 'jsonb', nullable: true })
  billingPlan?: SubscriptionPlanTerms | null;

  /** Optimistic concurrency: every change increments it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /**
   * Not a column: the intent as it was loaded, or as its last announced change left it. A
   * change's webhook event names what changed since (its previous_attributes); announce() moves it on.
   */
  shownBefore?: PaymentIntentShown;

  @AfterLoad()
  protected rememberShown(): void {
    this.shownBefore = shownOf(this);
  }
}

/** A copy of the shown fields (the objects in them are replaced on change, never mutated). */
export function shownOf(i: PaymentIntentShown): PaymentIntentShown {
  return {
    id: i.id,
    status: i.status,
    amountMinor: i.amountMinor,
    amountCapturedMinor: i.amountCapturedMinor,
    amountRefundedMinor: i.amountRefundedMinor,
    currency: i.currency,
    captureMode: i.captureMode,
    checkoutSessionId: i.checkoutSessionId,
    metadata: i.metadata,
    lastPaymentError: i.lastPaymentError,
    createdAt: i.createdAt,
  };
}
