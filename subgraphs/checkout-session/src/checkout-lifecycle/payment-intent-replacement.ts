// A fresh payment intent after a canceled one (issue 20): payment-intent creates the successor of
// a session's canceled intent (payment-intent/checkout-renewal.ts) and asks this to make it the
// session's. One transaction, the session's row locked:
//   the session is OPEN and not past expiry (CHECKOUT_SESSION_EXPIRED / INVALID_STATE_TRANSITION);
//   its intent is `previous` (→ `next`, the version moves on, the audit row written) or already
//   `next` (a retry: nothing written); any other intent: INVALID_STATE_TRANSITION
//   (checkout_session:other_payment_intent), nothing written.
// Until it is recorded here, the successor cannot be paid: the payment commitment
// (payment-commitment.ts) refuses an intent that is not the session's.
import { invalidStateTransition } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import { checkoutSessionNotFound } from '../checkout-session/checkout-session.errors.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { saveCheckoutSessionVersioned } from '../checkout-session/checkout-session.transition.js';
import { checkoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { checkoutAudit } from '../checkout-session/checkout.audit.js';
import { recordCheckoutChange } from '../timeline/timeline.record.js';
import { checkoutSessionExpired } from '../session-change/session-change.js';

export async function replaceCheckoutPaymentIntent(manager: EntityManager, checkoutSessionId: string, previousId: string, nextId: string): Promise<CheckoutSessionEntity> {
  return manager.transaction(async (m) => {
    const cs = await m.findOne(CheckoutSessionEntity, { where: { id: checkoutSessionId }, lock: { mode: 'pessimistic_write' } });
    if (!cs) throw checkoutSessionNotFound(checkoutSessionId);
    if (cs.paymentIntentId === nextId) return cs;
    const status = effectiveStatus(cs);
    if (status === CheckoutSessionStatus.EXPIRED) throw checkoutSessionExpired(cs.id);
    if (status !== CheckoutSessionStatus.OPEN) throw invalidStateTransition(`Checkout session ${cs.id} is ${status}: it takes no new payment intent.`, `checkout_session:${status}`);
    if (cs.paymentIntentId !== previousId) {
      throw invalidStateTransition(`Payment intent ${previousId} is not checkout session ${cs.id}'s: its intent was not replaced.`, 'checkout_session:other_payment_intent');
    }
    const before = checkoutWebhookObject(cs);
    await saveCheckoutSessionVersioned(m, cs, { paymentIntentId: nextId });
    await recordCheckoutChange(m, checkoutAudit('payment_intent_replaced', cs, before, checkoutWebhookObject(cs)), []);
    return cs;
  });
}
