// The signed internal route payment-intent calls once a checkout session's intent succeeded, before
// it answers the buyer (shared/src/contracts/checkout-payment-record.contract.ts): the session is
// completed then, by the same transaction the `payment_intent.succeeded` event runs
// (CheckoutLifecycleService.completeFromPayment: under the session's row lock, a no-op when it is
// already COMPLETE or flagged for that intent), so whichever of the call and the event comes second
// changes nothing. Only payment-intent may call it.
import { type InternalRoute, type Logger } from '@handoff/shared';
import {
  CHECKOUT_PAYMENT_SUCCEEDED_CALLER,
  CHECKOUT_PAYMENT_SUCCEEDED_PATH,
  type CheckoutPaymentSucceeded,
  type CheckoutPaymentSucceededAnswer,
} from '@handoff/shared/contracts/checkout-payment-record.contract';
import type { CheckoutLifecycleService } from './checkout-session.lifecycle.js';

const bad = (field: string, message: string) => ({ status: 400, body: { code: 'BAD_USER_INPUT', error: `${field}: ${message}`, field } });

/** The body as the contract says it, or the first field that is not. */
export function parsePaymentSucceeded(raw: Buffer): CheckoutPaymentSucceeded | { field: string; message: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { field: 'body', message: 'must be JSON.' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { field: 'body', message: 'must be a JSON object.' };
  const b = body as Record<string, unknown>;
  for (const f of ['checkoutSessionId', 'paymentIntentId', 'currency'] as const) {
    if (typeof b[f] !== 'string' || (b[f] as string).length === 0 || (b[f] as string).length > 200) return { field: f, message: 'must be a non-empty string.' };
  }
  if (typeof b.amountMinor !== 'number' || !Number.isSafeInteger(b.amountMinor) || b.amountMinor < 0) return { field: 'amountMinor', message: 'must be an integer of minor units.' };
  return { checkoutSessionId: b.checkoutSessionId as string, paymentIntentId: b.paymentIntentId as string, amountMinor: b.amountMinor, currency: b.currency as string };
}

export function paymentSucceededRoutes(lifecycle: CheckoutLifecycleService, logger: Logger): InternalRoute[] {
  return [
    {
      path: CHECKOUT_PAYMENT_SUCCEEDED_PATH.replace(/^\/internal/, ''),
      async handle(req) {
        const p = req.principal;
        if (p.kind !== 'SERVICE' || p.service !== CHECKOUT_PAYMENT_SUCCEEDED_CALLER) return { status: 403, body: { code: 'FORBIDDEN', error: 'forbidden' } };
        const paid = parsePaymentSucceeded(req.rawBody);
        if ('field' in paid) return bad(paid.field, paid.message);
        try {
          const outcome = await lifecycle.completeFromPayment({
            paymentIntent: { id: paid.paymentIntentId, status: 'SUCCEEDED', checkoutSessionId: paid.checkoutSessionId, amountMinor: paid.amountMinor, currency: paid.currency },
          });
          const answer: CheckoutPaymentSucceededAnswer = { outcome };
          return { status: 200, body: answer };
        } catch (err) {
          // Not recorded now: the payment's event completes the session when it arrives.
          logger.warn({ err, checkoutSessionId: paid.checkoutSessionId }, 'payment succeeded: session not completed synchronously (its event will)');
          return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', error: 'temporarily unavailable' } };
        }
      },
    },
  ];
}
