// The consumer's side of shared/src/contracts/payment-events.contract.ts: the ledger's worker,
// its handlers and its verification take exactly the contract's job and payload types (checked
// by `npm run typecheck:tests`, which includes every *.contract.spec.ts), listen on the queue the
// contract names, and handle every kind payment-intent routes to that queue.
import {
  LEDGER_PAYMENT_EVENTS_QUEUE as CONTRACT_QUEUE,
  LEDGER_PSP_EVENT_KINDS,
  pspEventTopic,
  type PspEventJob as ContractJob,
  type PspEventPayload as ContractPayload,
} from '@handoff/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ConversionLifecycle } from '../conversion/conversion-lifecycle.service.js';
import type { ConversionRecorder } from '../conversion/conversion-recorder.service.js';
import { applyPaymentEvent, processPaymentEventJob, type PaymentEventHandlers } from './payment-events.job.js';
import { LEDGER_PAYMENT_EVENTS_QUEUE } from './psp-event.js';
import { verifyPaymentEvidence } from './verification.js';

describe('the ledger consumes the shared psp_event contract', () => {
  it('types: its handlers accept exactly the contract payload and job', () => {
    expectTypeOf(applyPaymentEvent).parameter(1).toEqualTypeOf<ContractJob>();
    expectTypeOf(processPaymentEventJob).parameter(2).toEqualTypeOf<import('bullmq').Job<ContractJob, string>>();
    expectTypeOf<ConversionRecorder['recordVerified']>().parameter(0).toEqualTypeOf<ContractPayload>();
    expectTypeOf<ConversionLifecycle['applyRefund']>().parameter(0).toEqualTypeOf<ContractPayload>();
    expectTypeOf<ConversionLifecycle['applyDispute']>().parameter(0).toEqualTypeOf<ContractPayload>();
    expectTypeOf(verifyPaymentEvidence).parameter(0).toEqualTypeOf<ContractPayload>();
  });

  it('listens on the queue payment-intent routes to', () => {
    expect(LEDGER_PAYMENT_EVENTS_QUEUE).toBe(CONTRACT_QUEUE);
  });

  it('handles every kind routed to it (none is acknowledged and dropped)', async () => {
    const handled: string[] = [];
    const handlers = {
      recorder: { recordVerified: async () => (handled.push('recordVerified'), 'verified') },
      lifecycle: {
        applyRefund: async () => (handled.push('applyRefund'), 'clawed_back'),
        applyDispute: async (_p: ContractPayload, opened: boolean) => (handled.push(opened ? 'disputeOpened' : 'disputeClosed'), 'disputed'),
      },
    } as unknown as PaymentEventHandlers;
    const job = (topic: string): ContractJob => ({
      outboxId: '1', schema: 'payment', topic, aggregateId: 'pi_1', createdAt: new Date(0).toISOString(),
      payload: { provider: 'STRIPE', merchantId: 'mer_1', pspEvent: { id: 'evt_1', type: 'x', created: 1 },
        object: { id: 'pi_1', amount: 1, currency: 'GBP', status: 'succeeded', metadata: {} }, paymentIntent: null },
    });
    for (const kind of LEDGER_PSP_EVENT_KINDS) expect(await applyPaymentEvent(handlers, job(pspEventTopic(kind))), kind).not.toBe('ignored');
    expect(handled).toEqual(['recordVerified', 'applyRefund', 'disputeOpened', 'disputeClosed']);
    expect(await applyPaymentEvent(handlers, job(pspEventTopic('processing')))).toBe('ignored');
  });
});
