// The worker on `ledger-payment-events`: each `psp_event.<kind>` job goes to one service
// method; every effect is guarded by a database unique key, so redelivery is harmless.
import { startWorker, type Logger } from '@handoff/shared';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConversionLifecycle } from '../conversion/conversion-lifecycle.service.js';
import type { ConversionRecorder } from '../conversion/conversion-recorder.service.js';
import { LEDGER_PAYMENT_EVENTS_QUEUE, pspKind, type PspEventJob } from './psp-event.js';

export interface PaymentEventHandlers {
  recorder: ConversionRecorder;
  lifecycle: ConversionLifecycle;
}

/** Applies one job; returns what happened (kept as the job's result). */
export function applyPaymentEvent(h: PaymentEventHandlers, data: PspEventJob): Promise<string> {
  const p = data.payload;
  switch (pspKind(data.topic)) {
    case 'succeeded':
      return h.recorder.recordVerified(p);
    case 'refunded':
      return h.lifecycle.applyRefund(p);
    case 'dispute_opened':
      return h.lifecycle.applyDispute(p, true);
    case 'dispute_closed':
      return h.lifecycle.applyDispute(p, false);
    default:
      return Promise.resolve('ignored');
  }
}

export function startPaymentEventsWorker(opts: {
  handlers: PaymentEventHandlers;
  connection: Redis;
  prefix: string;
  logger: Logger;
  concurrency?: number;
}): Worker<PspEventJob, string> {
  return startWorker<PspEventJob, string>({
    name: LEDGER_PAYMENT_EVENTS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: opts.concurrency ?? 4,
    logger: opts.logger,
    processor: (job: Job<PspEventJob, string>) => applyPaymentEvent(opts.handlers, job.data),
  });
}
