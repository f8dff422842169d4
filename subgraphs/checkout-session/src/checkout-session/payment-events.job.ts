// Consumes payment-intent's `payment_intent.*` events (queue checkout-payment-events, filled by
// payment-intent's outbox relay): `succeeded` completes the checkout session (or flags it when
// the amount or currency differs from its total, see completeFromPayment). Every other
// status is acknowledged and ignored. A redelivery is a no-op (the transition table says so).
import { startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { PAYMENT_EVENTS_QUEUE } from '../events.js';
import type { CheckoutLifecycleService, PaymentIntentEvent } from './checkout-session.lifecycle.js';

export type PaymentEventResult = 'completed' | 'flagged' | 'unchanged' | 'ignored';

export async function processPaymentEvent(lifecycle: CheckoutLifecycleService, data: OutboxJobData): Promise<PaymentEventResult> {
  if (data.topic !== 'payment_intent.succeeded') return 'ignored';
  return lifecycle.completeFromPayment(data.payload as unknown as PaymentIntentEvent);
}

export function startPaymentEventsWorker(opts: {
  lifecycle: CheckoutLifecycleService;
  connection: Redis;
  prefix: string;
  logger: Logger;
}): Worker<OutboxJobData, PaymentEventResult> {
  return startWorker<OutboxJobData, PaymentEventResult>({
    name: PAYMENT_EVENTS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 4,
    logger: opts.logger,
    processor: (job) => processPaymentEvent(opts.lifecycle, job.data),
  });
}
