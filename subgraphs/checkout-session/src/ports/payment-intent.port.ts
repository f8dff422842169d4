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

const CREATE = `mutation CreatePaymentIntentForCheckout($input: CreatePaymentIntentForCheckoutInput!) {
  createPaymentIntentForCheckout(input: $input) { id status provider providerPaymentId }
}`;
const CANCEL = `mutation CancelPaymentIntentsForCheckout($id: ID!) { cancelPaymentIntentsForCheckout(checkoutSessionId: $id) }`;

export class InternalPaymentIntents implements PaymentIntents {
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
}
