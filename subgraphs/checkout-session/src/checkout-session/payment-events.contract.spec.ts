// The consumer's side of shared/src/contracts/payment-intent-events.contract.ts: checkout-session's
// worker takes the contract's payload (checked by `npm run typecheck:tests`, which includes every
// *.contract.spec.ts), listens on the queue the contract names, and acts on the topics payment-intent routes there.
import { CHECKOUT_PAYMENT_EVENTS_QUEUE, PAYMENT_INTENT_PAYMENT_FAILED_TOPIC, PAYMENT_INTENT_SUCCEEDED_TOPIC, type PaymentIntentEventPayload } from '@handoff/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PAYMENT_EVENTS_QUEUE } from '../events.js';
import type { PaymentIntentEvent } from './checkout-session.lifecycle.js';
import { processPaymentEvent, type PaymentIntentEventJob } from './payment-events.job.js';

describe('checkout-session consumes the shared payment_intent contract', () => {
  it('types: the job carries the contract payload, which the lifecycle accepts', () => {
    expectTypeOf(processPaymentEvent).parameter(1).toEqualTypeOf<PaymentIntentEventJob>();
    expectTypeOf<PaymentIntentEventJob['payload']>().toMatchTypeOf<PaymentIntentEventPayload>();
    expectTypeOf<PaymentIntentEventPayload>().toMatchTypeOf<PaymentIntentEvent>();
  });

  it('listens on the contract queue and completes on its topic only', async () => {
    expect(PAYMENT_EVENTS_QUEUE).toBe(CHECKOUT_PAYMENT_EVENTS_QUEUE);
    const seen: PaymentIntentEvent[] = [];
    const lifecycle = { completeFromPayment: async (e: PaymentIntentEvent) => (seen.push(e), 'completed' as const) };
    const payload: PaymentIntentEventPayload = {
      occurredAt: new Date(0).toISOString(),
      paymentIntent: { id: 'pi_1', status: 'SUCCEEDED', amountMinor: 100, currency: 'GBP', amountCapturedMinor: 100, amountRefundedMinor: 0, merchantId: 'mer_1',
        checkoutSessionId: 'cs_1', checkoutTotal: { amountMinor: 100, currency: 'GBP' }, provider: 'TEST', providerPaymentId: null, metadata: {} },
    };
    const job = (topic: string): PaymentIntentEventJob => ({ outboxId: '1', schema: 'payment', topic, aggregateId: 'pi_1', createdAt: payload.occurredAt, payload: { ...payload } });
    expect(await processPaymentEvent(lifecycle as never, job('payment_intent.created'))).toBe('ignored');
    expect(await processPaymentEvent(lifecycle as never, job(PAYMENT_INTENT_SUCCEEDED_TOPIC))).toBe('completed');
    expect(seen).toEqual([payload]);
  });

  it('records a failed attempt with its outbox row as the source (remediation), and ignores it without a recorder', async () => {
    const released: unknown[] = [];
    const lifecycle = { completeFromPayment: async () => 'completed' as const, releaseTenderOfFailedPayment: async (e: unknown) => (released.push(e), 0) };
    const recorded: Array<[unknown, string]> = [];
    const failures = { recordPaymentFailure: async (e: unknown, source: string) => (recorded.push([e, source]), 'recorded' as const) };
    const payload: PaymentIntentEventPayload = {
      occurredAt: new Date(0).toISOString(),
      paymentIntent: { id: 'pi_1', status: 'REQUIRES_PAYMENT_METHOD', amountMinor: 100, currency: 'GBP', amountCapturedMinor: 0, amountRefundedMinor: 0, merchantId: 'mer_1',
        checkoutSessionId: 'cs_1', checkoutTotal: { amountMinor: 100, currency: 'GBP' }, provider: 'TEST', providerPaymentId: null, metadata: {},
        lastPaymentError: { code: 'card_declined', declineCode: 'insufficient_funds' } },
    };
    const job: PaymentIntentEventJob = { outboxId: '42', schema: 'payment', topic: PAYMENT_INTENT_PAYMENT_FAILED_TOPIC, aggregateId: 'pi_1', createdAt: payload.occurredAt, payload: { ...payload } };
    expect(await processPaymentEvent(lifecycle as never, job)).toBe('ignored');
    expect(await processPaymentEvent(lifecycle as never, job, failures)).toBe('recorded');
    expect(recorded).toEqual([[payload, 'payment:42']]);
    // All or nothing: each failed attempt gives back the gift cards and store credit held with it.
    expect(released).toEqual([payload, payload]);
  });
});
