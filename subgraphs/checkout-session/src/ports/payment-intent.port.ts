// What checkout asks of the payment-intent subgraph: create the intent paying a checkout session
// (idempotent per session, so a retry after a crash gets the same intent) and cancel a session's
// intents when it expires. Internal (@inaccessible) mutations, signed, SERVICE principal.
import { InternalClient } from '@handoff/shared';

export interface CreateIntentForCheckout {
  checkoutSessionId: string;
  merchantId: string;
  amountMinor: number;
  currency: string;
  captureMode?: 'AUTOMATIC' | 'MANUAL';
  metadata: Record<string, string>;
  description?: string;
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
    return new InternalPaymentIntents(new InternalClient({ url, secret, service: 'checkout-session', timeoutMs: 20_000 }));
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
