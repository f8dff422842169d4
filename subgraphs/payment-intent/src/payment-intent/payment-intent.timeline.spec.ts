// The producer's side of shared/src/contracts/checkout-timeline.contract.ts and audit.contract.ts:
// payment-intent's changes become checkout timeline entries and audit rows the consumers accept,
// routed to the queues the contracts name; a decline carries its decline code, a confirmation
// goes before what it came to, an intent of no checkout session adds nothing to any timeline.
import {
  actorOf,
  AUDIT_LOG_QUEUE,
  CHECKOUT_TIMELINE_QUEUE,
  parseAuditPayload,
  parseCheckoutTimelinePayload,
  routedQueues,
  runWithRequestContext,
  type CheckoutTimelinePayload,
} from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { outboxRoutes } from '../events.js';
import { paymentIntentAudit } from './payment-intent.audit.js';
import { PaymentIntentEntity, shownOf } from './payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from './payment-intent.enums.js';
import { CONFIRM_ATTEMPT, timelineEventsOfChange } from './payment-intent.timeline.js';

function intent(over: Partial<PaymentIntentEntity> = {}): PaymentIntentEntity {
  const i = Object.assign(new PaymentIntentEntity(), {
    id: 'pi_01', merchantId: 'mer_1', checkoutSessionId: 'cs_1', status: PaymentIntentStatus.REQUIRES_PAYMENT_METHOD, currency: 'GBP', amountMinor: 3600,
    amountCapturedMinor: 0, amountRefundedMinor: 0, captureMode: CaptureMode.AUTOMATIC, provider: PaymentProvider.TEST, providerPaymentId: 'pi_sbx_1',
    metadata: {}, description: null, nextAction: null, lastPaymentError: null, paymentMethodId: 'pm_1', checkoutBinding: true, version: 2,
    createdAt: new Date('2026-01-02T03:04:05.678Z'), updatedAt: new Date(),
    ...over,
  });
  i.shownBefore = shownOf(i);
  return i;
}

const payloads = (events: ReturnType<typeof timelineEventsOfChange>) => events.map((e) => e.payload as unknown as CheckoutTimelinePayload);

describe("payment-intent's checkout timeline entries", () => {
  it('are routed to checkout-session, audit rows to the audit log', () => {
    expect(routedQueues(outboxRoutes, 'timeline.payment.failed')).toEqual([CHECKOUT_TIMELINE_QUEUE]);
    expect(routedQueues(outboxRoutes, 'audit.payment_intent.succeeded')).toEqual([AUDIT_LOG_QUEUE]);
  });

  it('a declined confirmation: the attempt, then the decline with its code and decline code, by the caller', () => {
    const i = intent({ lastPaymentError: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' } });
    const events = runWithRequestContext({ requestId: 'req-1', actor: actorOf({ kind: 'CLIENT', checkoutSessionId: 'cs_1' }) }, () =>
      timelineEventsOfChange(i, 'payment_intent.payment_failed', { [CONFIRM_ATTEMPT]: true, error: { code: 'card_declined', declineCode: 'insufficient_funds' } }),
    );
    expect(events.map((e) => e.topic)).toEqual(['timeline.payment.confirm_attempted', 'timeline.payment.failed']);
    expect(events.every((e) => e.aggregateId === 'cs_1')).toBe(true);
    const [attempt, failed] = payloads(events);
    expect(attempt).toMatchObject({ checkoutId: 'cs_1', merchantId: 'mer_1', kind: 'payment.confirm_attempted', actor: { kind: 'client', id: 'cs_1' }, data: { payment_method: 'pm_1' } });
    expect(failed).toMatchObject({
      kind: 'payment.failed',
      summary: 'Payment declined: insufficient_funds',
      data: { payment_intent_id: 'pi_01', code: 'card_declined', decline_code: 'insufficient_funds', amount: 3600, currency: 'GBP' },
    });
    for (const e of events) expect(parseCheckoutTimelinePayload(e.payload).ok, e.topic).toBe(true);
  });

  it('3-D Secure: required, then approved and succeeded; captured and refunded with amounts', () => {
    const i = intent({ status: PaymentIntentStatus.REQUIRES_ACTION, nextAction: { type: 'three_d_secure', url: null } });
    expect(payloads(timelineEventsOfChange(i, 'payment_intent.requires_action'))[0]).toMatchObject({ kind: 'payment.requires_action', data: { next_action: 'three_d_secure' } });
    const paid = intent({ status: PaymentIntentStatus.SUCCEEDED, amountCapturedMinor: 3600 });
    expect(payloads(timelineEventsOfChange(paid, 'payment_intent.succeeded', { threeDSecure: 'approved' }))[0]).toMatchObject({
      kind: 'payment.succeeded',
      summary: '3-D Secure approved; payment succeeded: 36.00 GBP',
      data: { three_d_secure: 'approved', amount_captured: 3600 },
    });
    const refunded = intent({ status: PaymentIntentStatus.SUCCEEDED, amountCapturedMinor: 3600, amountRefundedMinor: 1000 });
    expect(payloads(timelineEventsOfChange(refunded, 'payment_intent.refunded', { refundId: 're_1', amountMinor: 1000 }))[0]).toMatchObject({
      kind: 'payment.refunded',
      data: { refund_id: 're_1', amount: 1000, amount_refunded: 1000 },
    });
    // No request acts (a webhook's job sets its own): payment-intent itself.
    expect(payloads(timelineEventsOfChange(refunded, 'payment_intent.refunded'))[0]!.actor).toEqual({ kind: 'service', id: 'payment-intent' });
  });

  it('an intent of no checkout session adds no timeline entry', () => {
    expect(timelineEventsOfChange(intent({ checkoutSessionId: null }), 'payment_intent.succeeded')).toEqual([]);
  });

  it('its audit row: created with the intent, a change with the fields it moved, accepted by the audit intake', () => {
    const i = intent();
    const [created] = paymentIntentAudit(i, 'payment_intent.created');
    expect(created!.topic).toBe('audit.payment_intent.created');
    expect(created!.payload).toMatchObject({ entityType: 'payment_intent', entityId: 'pi_01', merchantId: 'mer_1', action: 'created', before: null, after: { status: 'requires_payment_method' } });
    i.status = PaymentIntentStatus.SUCCEEDED;
    i.amountCapturedMinor = 3600;
    const [moved] = paymentIntentAudit(i, 'payment_intent.succeeded');
    expect(moved!.payload).toMatchObject({
      action: 'succeeded',
      before: { status: 'requires_payment_method', amount_captured: 0 },
      after: { status: 'succeeded', amount_captured: 3600 },
    });
    expect(Object.keys((moved!.payload as { after: object }).after).sort()).toEqual(['amount_captured', 'status']);
    expect(parseAuditPayload(moved!.payload).ok).toBe(true);
  });
});
