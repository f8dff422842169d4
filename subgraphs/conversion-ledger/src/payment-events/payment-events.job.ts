// The worker on `ledger-payment-events`: each `psp_event.<kind>` job goes to one service
// method; every effect is guarded by a database unique key, so redelivery is harmless.
import { pspWebhookActor, runWithActor, startWorker, type Logger } from '@handoff/shared';
import type { Job, Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { ConversionNotYetRecorded, type ConversionLifecycle } from '../conversion/conversion-lifecycle.service.js';
import type { ConversionRecorder } from '../conversion/conversion-recorder.service.js';
import { LEDGER_PAYMENT_EVENTS_QUEUE, paymentKey, pspKind, type PspEventJob } from './psp-event.js';
import type { WaitingForConversion } from './waiting-jobs.js';

export interface PaymentEventHandlers {
  recorder: ConversionRecorder;
  lifecycle: ConversionLifecycle;
}

/** Applies one job; returns what happened (kept as the job's result). Its changes are the PSP event's doing (the audit rows' actor). */
export function applyPaymentEvent(h: PaymentEventHandlers, data: PspEventJob): Promise<string> {
  return runWithActor(pspWebhookActor(data.payload.provider, data.payload.pspEvent.id), () => applyEvent(h, data));
}

function applyEvent(h: PaymentEventHandlers, data: PspEventJob): Promise<string> {
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

/**
 * One job: applied; after a `succeeded` one, the jobs that waited for its conversion run now. A job
 * whose conversion is not recorded yet is remembered as waiting for it, then tried once more (the
 * conversion may have been recorded meanwhile, its promotion finding no waiter), then retried.
 */
export async function processPaymentEventJob(h: PaymentEventHandlers, waiting: WaitingForConversion, job: Job<PspEventJob, string>, logger: Logger): Promise<string> {
  const key = paymentKey(job.data.payload);
  try {
    const outcome = await applyPaymentEvent(h, job.data);
    if (pspKind(job.data.topic) === 'succeeded') {
      await waiting.promote(key).catch((err: unknown) => logger.warn({ err, paymentKey: key }, 'could not promote jobs waiting for this conversion'));
    }
    return outcome;
  } catch (err) {
    if (!(err instanceof ConversionNotYetRecorded) || !job.id) throw err;
    await waiting.add(key, job.id);
    return applyPaymentEvent(h, job.data);
  }
}

export function startPaymentEventsWorker(opts: {
  handlers: PaymentEventHandlers;
  waiting: WaitingForConversion;
  connection: RedisClient;
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
    processor: (job: Job<PspEventJob, string>) => processPaymentEventJob(opts.handlers, opts.waiting, job, opts.logger),
  });
}
