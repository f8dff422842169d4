// What payment-intent tells checkout-session once a command moved a checkout session's intent to
// SUCCEEDED, before the command answers (shared/src/contracts/checkout-payment-record.contract.ts):
// `POST /internal/checkout-payments/succeeded`, signed, SERVICE payment-intent
// (docs/internal-contracts.md). Synchronous so that the session is COMPLETE when the buyer is told
// it paid: the merchant's finalize right after then finds it complete and asks payment-intent
// nothing. Best effort: the payment is committed already, so a checkout-session that is down, slow
// (CHECKOUT_PAYMENT_CALL_TIMEOUT_MS) or refusing changes nothing in the command's answer; it is
// logged, and the `payment_intent.succeeded` event completes the session when it arrives.
import { encodePrincipal, httpPost, PRINCIPAL_HEADER, REQUEST_ID_HEADER, currentRequestId, signRequest, SIGNATURE_HEADER, type Logger } from '@handoff/shared';
import {
  CHECKOUT_PAYMENT_SUCCEEDED_CALLER,
  CHECKOUT_PAYMENT_SUCCEEDED_PATH,
  type CheckoutPaymentSucceeded,
  type CheckoutPaymentSucceededAnswer,
} from '@handoff/shared/contracts/checkout-payment-record.contract';
import { randomUUID } from 'node:crypto';

/** How long a command waits for checkout-session before it answers anyway. */
export const CHECKOUT_PAYMENT_CALL_TIMEOUT_MS = 3_000;

/** What the call came to: checkout-session's outcome, or `unreached` (the event will complete the session). */
export type CheckoutPaymentOutcome = CheckoutPaymentSucceededAnswer['outcome'] | 'unreached';

/** checkout-session told of a succeeded payment; tests may stand in for it. */
export interface CheckoutPaymentRecorder {
  /** Never throws. */
  succeeded(paid: CheckoutPaymentSucceeded): Promise<CheckoutPaymentOutcome>;
}

export class InternalCheckoutPaymentRecorder implements CheckoutPaymentRecorder {
  private readonly principalB64 = encodePrincipal({ kind: 'SERVICE', service: CHECKOUT_PAYMENT_SUCCEEDED_CALLER });

  constructor(
    /** checkout-session's URL (its GraphQL URL will do: the path replaces it). */
    private readonly url: string,
    private readonly secret: string,
    private readonly logger: Logger,
    private readonly timeoutMs = CHECKOUT_PAYMENT_CALL_TIMEOUT_MS,
  ) {}

  async succeeded(paid: CheckoutPaymentSucceeded): Promise<CheckoutPaymentOutcome> {
    const body = JSON.stringify(paid);
    const requestId = currentRequestId() ?? randomUUID();
    const headers = {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: requestId,
      [PRINCIPAL_HEADER]: this.principalB64,
      [SIGNATURE_HEADER]: signRequest({ secret: this.secret, principalB64: this.principalB64, requestId, body }),
    };
    try {
      const res = await httpPost(new URL(CHECKOUT_PAYMENT_SUCCEEDED_PATH, this.url).toString(), headers, body, this.timeoutMs);
      if (res.status === 200) return (JSON.parse(res.body.toString('utf8')) as CheckoutPaymentSucceededAnswer).outcome;
      this.logger.warn({ status: res.status, checkoutSessionId: paid.checkoutSessionId, answer: res.body.toString('utf8').slice(0, 300) }, 'checkout-session did not record the succeeded payment (its event will)');
    } catch (err) {
      this.logger.warn({ err, checkoutSessionId: paid.checkoutSessionId }, 'checkout-session unreachable for the succeeded payment (its event will complete the session)');
    }
    return 'unreached';
  }
}
