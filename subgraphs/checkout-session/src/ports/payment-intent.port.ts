// What checkout asks of the payment-intent subgraph: create the intent paying a checkout session
// (idempotent per session, so a retry after a crash gets the same intent) and cancel a session's
// intents when it expires. Internal (@inaccessible) mutations, signed, SERVICE principal
// (docs/internal-contracts.md). Synchronous: the checkout's answer carries the intent.
//
// Timeout: PAYMENT_INTENT_CALL_TIMEOUT_MS (it includes payment-intent's own call to the PSP).
// When payment-intent is down or slow: creation answers CHECKOUT_CREATE_FAILED
// (payment_service_unavailable) and undoes nothing, so a retry with the same idempotency key
// finds the same session and gets the same intent (checkout-payment.ts); a refusal
// (CHECKOUT_CREATE_FAILED, MERCHANT_NO_PAYMENT_CONNECTOR) cancels the session. Cancelling on
// expiry that fails is retried by the next expiry run (paymentIntentsCanceledAt stays null).
// Finalization (order/) reads the session's intent (is it captured, or authorised for a manual
// capture?) before it writes, and its rollback job voids or refunds it through the ordinary
// cancelPaymentIntent / refundPaymentIntent (SERVICE principal). Finalization fails while
// payment-intent is down (SERVICE_UNAVAILABLE, nothing written); the rollback job retries with
// backoff and ends in the failed-jobs list (order/finalization.job.ts).
import { InternalClient } from '@handoff/shared';

/** How long checkout-session waits for payment-intent, per call. */
export const PAYMENT_INTENT_CALL_TIMEOUT_MS = 20_000;

export interface CreateIntentForCheckout {
  checkoutSessionId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  captureMode?: 'AUTOMATIC' | 'MANUAL';
  metadata: Record<string, string>;
  description?: string;
  /** payment-intent asks checkout-session (beginCheckoutPayment) for the amount before it confirms the intent. */
  bindToCheckout?: boolean;
  /** The session's customer email when known: the intent's receipt_email (the merchant's payments list finds it by it). */
  customerEmail?: string | null;
}

export interface CreatedIntent {
  id: string;
  status: string;
  provider: string;
  providerPaymentId: string | null;
}

/** The payment-intent subgraph as checkout needs it; tests may stand in for it. */
export interface PaymentIntents {
  /** Throws MERCHANT_NO_PAYMENT_CONNECTOR or CHECKOUT_CREATE_FAILED (HandoffError) as the callee does. */
  createForCheckout(input: CreateIntentForCheckout): Promise<CreatedIntent>;
  /** How many intents were canceled. */
  cancelForCheckout(checkoutSessionId: string): Promise<number>;
}

/** The session's payment as finalization needs it. */
export interface CheckoutPaymentState {
  id: string;
  status: string;
  amountMinor: number;
  currency: string;
  captureMode: string;
}

/** What finalization and its rollback ask of payment-intent; tests may stand in for it. */
export interface PaymentCompensations {
  /** Null when the intent does not exist. */
  paymentState(paymentIntentId: string): Promise<CheckoutPaymentState | null>;
  /** Voids an authorised (or unpaid) intent. */
  voidPayment(paymentIntentId: string): Promise<void>;
  /** Refunds what is left of a captured intent, once per idempotency key. */
  refundPayment(paymentIntentId: string, idempotencyKey: string, reason: string): Promise<void>;
}

const STATE = `query CheckoutPaymentState($id: ID!) { paymentIntent(id: $id) { id status captureMode amount { amountMinor currency } } }`;
const VOID = `mutation VoidCheckoutPayment($id: ID!) { cancelPaymentIntent(id: $id) { id status } }`;
const REFUND = `mutation RefundCheckoutPayment($id: ID!, $key: String, $reason: String) { refundPaymentIntent(id: $id, idempotencyKey: $key, reason: $reason) { id } }`;

const CREATE = `mutation CreatePaymentIntentForCheckout($input: CreatePaymentIntentForCheckoutInput!) {
  createPaymentIntentForCheckout(input: $input) { id status provider providerPaymentId }
}`;
const CANCEL = `mutation CancelPaymentIntentsForCheckout($id: ID!) { cancelPaymentIntentsForCheckout(checkoutSessionId: $id) }`;

export class InternalPaymentIntents implements PaymentIntents, PaymentCompensations {
  constructor(private readonly client: InternalClient) {}

  static over(url: string, secret: string): InternalPaymentIntents {
    return new InternalPaymentIntents(new InternalClient({ url, secret, service: 'checkout-session', timeoutMs: PAYMENT_INTENT_CALL_TIMEOUT_MS }));
  }

  async createForCheckout(input: CreateIntentForCheckout): Promise<CreatedIntent> {
    const data = await this.client.request<{ createPaymentIntentForCheckout: CreatedIntent }>(CREATE, {
      input: { captureMode: 'AUTOMATIC', ...input },
    });
    return data.createPaymentIntentForCheckout;
  }

  async cancelForCheckout(checkoutSessionId: string): Promise<number> {
    const data = await this.client.request<{ cancelPaymentIntentsForCheckout: number }>(CANCEL, { id: checkoutSessionId });
    return data.cancelPaymentIntentsForCheckout;
  }

  async paymentState(paymentIntentId: string): Promise<CheckoutPaymentState | null> {
    type Row = { id: string; status: string; captureMode: string; amount: { amountMinor: number; currency: string } };
    const data = await this.client.request<{ paymentIntent: Row | null }>(STATE, { id: paymentIntentId });
    const pi = data.paymentIntent;
    return pi ? { id: pi.id, status: pi.status, captureMode: pi.captureMode, amountMinor: pi.amount.amountMinor, currency: pi.amount.currency } : null;
  }

  async voidPayment(paymentIntentId: string): Promise<void> {
    await this.client.request(VOID, { id: paymentIntentId });
  }

  async refundPayment(paymentIntentId: string, idempotencyKey: string, reason: string): Promise<void> {
    await this.client.request(REFUND, { id: paymentIntentId, key: idempotencyKey, reason });
  }
}
