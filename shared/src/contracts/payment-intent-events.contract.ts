// The `payment_intent.*` channel: payment-intent announces every state change of a payment
// intent (whatever caused it) with Handoff's own record of the intent. Routed to the queue
// `checkout-payment-events` (checkout-session completes its session on `payment_intent.succeeded`)
// and announced on pub/sub (the gateway's subscriptions). Written once here: payment-intent
// builds `PaymentIntentEventPayload` (paymentIntentSnapshot), checkout-session and the gateway read it.

/** The queue checkout-session consumes (docs/internal-contracts.md). */
export const CHECKOUT_PAYMENT_EVENTS_QUEUE = 'checkout-payment-events';

export const PAYMENT_INTENT_TOPIC_PREFIX = 'payment_intent.';
/** The one `payment_intent.*` topic routed to `checkout-payment-events`. */
export const PAYMENT_INTENT_SUCCEEDED_TOPIC = 'payment_intent.succeeded';

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
}

/** The payload of every `payment_intent.<status>` event. */
export interface PaymentIntentEventPayload {
  paymentIntent: PaymentIntentRecord;
  /** ISO 8601. */
  occurredAt: string;
}
