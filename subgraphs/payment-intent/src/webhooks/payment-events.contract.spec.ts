// The producer's side of shared/src/contracts/payment-events.contract.ts and
// payment-intent-events.contract.ts: the payloads payment-intent writes to its outbox are built
// by functions whose types are exactly the contract's (checked by `npm run typecheck:tests`,
// which includes every *.contract.spec.ts), and at run time carry exactly the contract's fields.
// The ledger's and checkout-session's specs hold their handlers to the same types.
import {
  CHECKOUT_PAYMENT_EVENTS_QUEUE,
  LEDGER_BI_FACTS_QUEUE,
  LEDGER_PAYMENT_EVENTS_QUEUE,
  LEDGER_PSP_EVENT_KINDS,
  routedQueues,
  type PaymentIntentEventPayload,
  type PaymentIntentRecord,
  type PspEventPayload,
} from '@handoff/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { outboxRoutes } from '../events.js';
import { paymentIntentEventPayload, paymentIntentSnapshot } from '../payment-intent/payment-intent.changes.js';
import { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import { pspEventPayload } from './apply-psp-event.js';
import { readPspEvent } from './psp-event.js';

/** Every field of the record, listed once: the compiler refuses a missing or an extra one. */
const RECORD_FIELDS: Record<keyof PaymentIntentRecord, true> = {
  id: true, status: true, amountMinor: true, currency: true, amountCapturedMinor: true, amountRefundedMinor: true,
  merchantId: true, checkoutSessionId: true, checkoutTotal: true, provider: true, providerPaymentId: true, metadata: true,
  lastPaymentError: true, recurring: true,
};
const PSP_PAYLOAD_FIELDS: Record<keyof PspEventPayload, true> = { provider: true, merchantId: true, pspEvent: true, object: true, paymentIntent: true };

function intentOfCheckout(checkoutSessionId: string | null): PaymentIntentEntity {
  return Object.assign(new PaymentIntentEntity(), {
    id: 'pi_01', merchantId: 'mer_1', checkoutSessionId, status: PaymentIntentStatus.SUCCEEDED, currency: 'GBP', amountMinor: 2500,
    amountCapturedMinor: 2500, amountRefundedMinor: 0, captureMode: CaptureMode.AUTOMATIC, provider: PaymentProvider.STRIPE,
    providerPaymentId: 'pi_psp_1', metadata: { aap_recommendation_id: 'rec_1', handoff_checkout_session_id: checkoutSessionId ?? '' },
    description: null, nextAction: null, lastPaymentError: null, paymentMethodId: null, version: 3, createdAt: new Date(), updatedAt: new Date(),
  });
}

const stripeEvent = readPspEvent({
  id: 'evt_1', type: 'payment_intent.succeeded', created: 1_800_000_000,
  data: { object: { object: 'payment_intent', id: 'pi_psp_1', amount: 2500, currency: 'gbp', status: 'succeeded', metadata: { aap_code: 'aap://x' } } },
});

describe('payment-intent builds the shared payment event contracts', () => {
  it('types: its builders return exactly the contract types', () => {
    expectTypeOf(pspEventPayload).returns.toEqualTypeOf<PspEventPayload>();
    expectTypeOf(stripeEvent.object).toEqualTypeOf<PspEventPayload['object']>();
    expectTypeOf(paymentIntentSnapshot).returns.toEqualTypeOf<PaymentIntentRecord>();
    expectTypeOf(paymentIntentEventPayload).returns.toEqualTypeOf<PaymentIntentEventPayload>();
  });

  it('a psp_event payload carries exactly the contract fields, and the intent its checkout total', () => {
    const p = pspEventPayload('stripe', 'mer_1', stripeEvent, intentOfCheckout('cs_1')) satisfies PspEventPayload;
    expect(Object.keys(p).sort()).toEqual(Object.keys(PSP_PAYLOAD_FIELDS).sort());
    expect(Object.keys(p.paymentIntent!).sort()).toEqual(Object.keys(RECORD_FIELDS).sort());
    expect(p.paymentIntent).toMatchObject({ checkoutSessionId: 'cs_1', checkoutTotal: { amountMinor: 2500, currency: 'GBP' }, metadata: { aap_recommendation_id: 'rec_1' } });
    expect(p.object).toMatchObject({ id: 'pi_psp_1', amount: 2500, currency: 'GBP', metadata: { aap_code: 'aap://x' } });
    expect(pspEventPayload('stripe', 'mer_1', stripeEvent, null).paymentIntent).toBeNull();
  });

  it('a payment_intent payload carries the same record; an intent of no checkout session has no checkout total', () => {
    const e = paymentIntentEventPayload(intentOfCheckout(null)) satisfies PaymentIntentEventPayload;
    expect(Object.keys(e).sort()).toEqual(['occurredAt', 'paymentIntent']);
    expect(Object.keys(e.paymentIntent).sort()).toEqual(Object.keys(RECORD_FIELDS).sort());
    expect(e.paymentIntent.checkoutTotal).toBeNull();
    // A one-off payment pays no subscription period; one marked with its subscription and period carries both (issue 22).
    expect(e.paymentIntent.recurring).toBeNull();
    const period = Object.assign(intentOfCheckout('cs_sub'), { billingSubscriptionId: 'bsub_0123456789abcdef01234567', billingPeriod: 1 });
    expect(paymentIntentSnapshot(period).recurring).toEqual({ subscriptionId: 'bsub_0123456789abcdef01234567', period: 1 });
    // A trial's intent names the subscription but pays no period.
    expect(paymentIntentSnapshot(Object.assign(intentOfCheckout('cs_trial'), { billingSubscriptionId: 'bsub_0123456789abcdef01234567', billingPeriod: null })).recurring).toBeNull();
  });

  it('routes to the queues the contracts name: checkout-payment-events, and ledger-payment-events for each kind the ledger acts on', () => {
    // A succeeded payment is also a BI fact (GMV) for the ledger's bi-facts consumer.
    expect(routedQueues(outboxRoutes, 'payment_intent.succeeded').sort()).toEqual([CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_BI_FACTS_QUEUE].sort());
    expect(routedQueues(outboxRoutes, 'payment_intent.payment_failed')).toEqual([CHECKOUT_PAYMENT_EVENTS_QUEUE]);
    for (const kind of LEDGER_PSP_EVENT_KINDS) expect(routedQueues(outboxRoutes, `psp_event.${kind}`), kind).toEqual([LEDGER_PAYMENT_EVENTS_QUEUE]);
  });
});
