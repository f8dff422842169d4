// payment-intent → checkout-session, synchronously, once a command (a confirmation, 3-D Secure, a
// capture) moved a checkout session's intent to SUCCEEDED and before payment-intent answers it:
// checkout-session completes the session then (or flags a payment of another amount), as the
// `payment_intent.succeeded` event does when it arrives, so the session is COMPLETE by the time the
// buyer is told it paid and the merchant's finalize that follows needs no call back to
// payment-intent. The event stays the guarantee: this call is best effort (an unreachable or failing
// checkout-session changes nothing about the payment's answer), and whichever comes second finds
// the session done (the transition under the session's row lock). Written once here: payment-intent's
// ports/checkout-payment.port.ts sends it, checkout-session's checkout-session/payment-succeeded.route.ts answers it.
//
//   POST /internal/checkout-payments/succeeded   body CheckoutPaymentSucceeded (signed, SERVICE payment-intent)
//        → 200 CheckoutPaymentSucceededAnswer | 400 (bad body) | 403 (another caller) | 503 (not recorded; the event will)

export const CHECKOUT_PAYMENT_SUCCEEDED_PATH = '/internal/checkout-payments/succeeded';

/** The only caller: the SERVICE principal's name. */
export const CHECKOUT_PAYMENT_SUCCEEDED_CALLER = 'payment-intent';

/** Handoff's record of the intent that succeeded, as its `payment_intent.succeeded` event carries it. */
export interface CheckoutPaymentSucceeded {
  checkoutSessionId: string;
  paymentIntentId: string;
  /** What the intent charged: integer minor units. */
  amountMinor: number;
  /** ISO 4217. */
  currency: string;
}

export interface CheckoutPaymentSucceededAnswer {
  /** completed: the session is COMPLETE now; flagged: another amount or currency (not completed); unchanged: done before (the event, a retry) or not completable. */
  outcome: 'completed' | 'flagged' | 'unchanged';
}
