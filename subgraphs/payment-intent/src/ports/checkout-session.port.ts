// What payment-intent asks the checkout-session subgraph: before it confirms an intent whose
// session binds its amount (checkout_binding), `beginCheckoutPayment(checkoutSessionId,
// paymentIntentId)` commits the session to paying and answers the amount, currency and capture
// mode the intent must have (the grand total of its current calculation; its promotion uses are
// taken) and, for an agent's checkout, the AAP code that binds that amount (the intent's aap_code
// from then on). Signed GraphQL, SERVICE principal, @inaccessible (docs/internal-contracts.md).
// Synchronous: what is charged depends on the answer.
//
// Timeout: CHECKOUT_SESSION_CALL_TIMEOUT_MS. The callee's refusals pass through as they are
// (CALCULATION_STALE, CHECKOUT_NOT_READY, PROMOTION_INVALID, CHECKOUT_SESSION_EXPIRED, INVALID_STATE_TRANSITION);
// when checkout-session is down or slow the confirmation fails with SERVICE_UNAVAILABLE
// (checkout_session:unavailable, retryable) before anything is charged or written.
import { ErrorCode, HandoffError, InternalCallError, InternalClient } from '@handoff/shared';

/** How long payment-intent waits for checkout-session, per call. */
export const CHECKOUT_SESSION_CALL_TIMEOUT_MS = 5_000;

export interface CheckoutPaymentTerms {
  checkoutSessionId: string;
  amountMinor: number;
  currency: string;
  captureMode: 'AUTOMATIC' | 'MANUAL';
  calculationId: string | null;
  /** An agent's checkout: the AAP code binding amountMinor (re-issued when the amount changed); null otherwise. */
  aapCode?: string | null;
}

/** checkout-session as payment-intent needs it; tests may stand in for it. */
export interface CheckoutSessions {
  beginPayment(checkoutSessionId: string, paymentIntentId: string): Promise<CheckoutPaymentTerms>;
}

const BEGIN = `mutation BeginCheckoutPayment($checkoutSessionId: ID!, $paymentIntentId: ID!) {
  beginCheckoutPayment(checkoutSessionId: $checkoutSessionId, paymentIntentId: $paymentIntentId) {
    checkoutSessionId amountMinor currency captureMode calculationId aapCode
  }
}`;

export class CheckoutSessionPort implements CheckoutSessions {
  constructor(private readonly client: InternalClient) {}

  static over(url: string, secret: string): CheckoutSessionPort {
    return new CheckoutSessionPort(new InternalClient({ url, secret, service: 'payment-intent', timeoutMs: CHECKOUT_SESSION_CALL_TIMEOUT_MS }));
  }

  async beginPayment(checkoutSessionId: string, paymentIntentId: string): Promise<CheckoutPaymentTerms> {
    try {
      const data = await this.client.request<{ beginCheckoutPayment: CheckoutPaymentTerms }>(BEGIN, { checkoutSessionId, paymentIntentId });
      return data.beginCheckoutPayment;
    } catch (err) {
      if (err instanceof HandoffError && err.code !== ErrorCode.SERVICE_UNAVAILABLE) throw err;
      if (err instanceof InternalCallError || err instanceof HandoffError) {
        throw new HandoffError(ErrorCode.SERVICE_UNAVAILABLE, 'The checkout service could not be reached; nothing was charged. Try again shortly.', {
          reason: 'checkout_session:unavailable',
          retryable: true,
        });
      }
      throw err;
    }
  }
}
