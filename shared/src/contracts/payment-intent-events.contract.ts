// The `payment_intent.*` channel: payment-intent announces every state change of a payment
// intent (whatever caused it) with Handoff's own record of the intent. `succeeded` and
// `payment_failed` and `canceled` are routed to the queue `checkout-payment-events` (checkout-session completes
// its session, or records why the attempt failed) and every topic is announced on pub/sub (the
// gateway's subscriptions). Written once here: payment-intent builds `PaymentIntentEventPayload`
// (paymentIntentSnapshot), checkout-session and the gateway read it.

/** The queue checkout-session consumes (docs/internal-contracts.md). */
export const CHECKOUT_PAYMENT_EVENTS_QUEUE = 'checkout-payment-events';

export const PAYMENT_INTENT_TOPIC_PREFIX = 'payment_intent.';
/** Routed to `checkout-payment-events`: checkout-session completes its session. */
export const PAYMENT_INTENT_SUCCEEDED_TOPIC = 'payment_intent.succeeded';
/** Routed to `checkout-payment-events`: an attempt failed (declined, 3-D Secure failed); checkout-session records the failure (remediation). */
export const PAYMENT_INTENT_PAYMENT_FAILED_TOPIC = 'payment_intent.payment_failed';
/**
 * Routed to `checkout-payment-events`: the intent was canceled (by its merchant, an expiry, a fraud
 * refusal); checkout-session releases what the session holds for it (its inventory reservation).
 */
export const PAYMENT_INTENT_CANCELED_TOPIC = 'payment_intent.canceled';
/**
 * Routed to `checkout-payment-events`: the intent's refunded total moved (a refund succeeded, or the
 * PSP reported one); the event carries the refund (`refund`). checkout-session tells an ACP
 * session's agent (order_update with the refund adjustment).
 */
export const PAYMENT_INTENT_REFUNDED_TOPIC = 'payment_intent.refunded';
/**
 * The `lastPaymentError.code` of an attempt refused for fraud (issue 19 item 3): the merchant's risk
 * rules or its fraud provider blocked the confirmation, or a manual review rejected the held
 * payment. Its `payment_intent.payment_failed` event carries it (declineCode null): the checkout's
 * failure reason is `fraud_block`.
 */
export const FRAUD_BLOCK_PAYMENT_ERROR = 'fraud_block';
/** Every `payment_intent.*` topic routed to `checkout-payment-events`. */
export const CHECKOUT_PAYMENT_EVENT_TOPICS = [PAYMENT_INTENT_SUCCEEDED_TOPIC, PAYMENT_INTENT_PAYMENT_FAILED_TOPIC, PAYMENT_INTENT_CANCELED_TOPIC, PAYMENT_INTENT_REFUNDED_TOPIC] as const;

/** The amount a checkout session charges: integer minor units, upper-case ISO 4217. */
export interface CheckoutTotal {
  amountMinor: number;
  currency: string;
}

/**
 * Handoff's own record of a payment intent, as payment-intent stores it (never what a PSP
 * reported). Every intent is created by checkout-session for one checkout session
 * (createPaymentIntentForCheckout, idempotent per session): `metadata` is what checkout-session
 * wrote (the merchant's pairs and, for an agent checkout, the `aap_*` attribution it built from
 * its own records: merchants cannot set `aap_*` keys), and `checkoutTotal` is the total
 * checkout-session asked it to charge (a bound intent's amount follows its session's calculation
 * until it is confirmed, never after: payment-intent's checkout-binding.ts).
 */
export interface PaymentIntentRecord {
  id: string;
  status: string;
  amountMinor: number;
  currency: string;
  amountCapturedMinor: number;
  amountRefundedMinor: number;
  merchantId: string;
  checkoutSessionId: string | null;
  /** The checkout session's total as checkout-session gave it; null for an intent of no checkout session. */
  checkoutTotal: CheckoutTotal | null;
  provider: string;
  providerPaymentId: string | null;
  metadata: Record<string, string>;
  /** The last attempt's failure (a decline: `declineCode`), null once paid or before any; absent from events written before it was added. */
  lastPaymentError?: PaymentAttemptError | null;
  /**
   * The subscription period this intent pays (issue 22): set by payment-intent on every intent that
   * pays a subscription period, null or absent for a one-off payment. `period` is 1 for the first
   * payment at checkout, 2 for the first renewal, and so on; a renewal's intent carries the same
   * `metadata` (the `aap_*` attribution included) as the subscription's first payment. Consumers
   * (the ledger's recurring commissions) trust it from this record only, never from PSP metadata.
   * Absent from events written before it was added.
   */
  recurring?: RecurringPaymentRecord | null;
}

/** Which subscription period a payment intent pays: `period` >= 1 (1 = the first payment at checkout). */
export interface RecurringPaymentRecord {
  subscriptionId: string;
  period: number;
}

/** Why the PSP refused an attempt: Stripe's `code` (card_declined, …) and `decline_code` (insufficient_funds, …). */
export interface PaymentAttemptError {
  code: string;
  declineCode: string | null;
}

/** The refund a `payment_intent.refunded` event reports (the intent's amountRefundedMinor is the new total). */
export interface PaymentIntentRefundRecord {
  /** Handoff's refund id, or the PSP's for a refund it reported; null when the PSP only gave a new total. */
  id: string | null;
  /** This refund's amount in minor units; null when the PSP only gave a new total. */
  amountMinor: number | null;
  reason: string | null;
}

/** The payload of every `payment_intent.<status>` event. */
export interface PaymentIntentEventPayload {
  paymentIntent: PaymentIntentRecord;
  /** `payment_intent.refunded` only: the refund that moved the refunded total. */
  refund?: PaymentIntentRefundRecord;
  /** ISO 8601. */
  occurredAt: string;
}
