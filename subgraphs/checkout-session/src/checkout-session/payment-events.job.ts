// Consumes payment-intent's `payment_intent.*` events (queue checkout-payment-events, filled by
// payment-intent's outbox relay): `succeeded` completes the checkout session (or flags it when
// the amount or currency differs from its total, see completeFromPayment); `payment_failed`
// records the session's failure (payment_declined:<decline code>, remediation); `canceled` hands
// the session to `cancellations` (its inventory reservation is released); `refunded` tells an ACP
// session's agent (`refunds`: order_update with the refund, acp-order/acp-order-refunds.ts). Every other
// status is acknowledged and ignored. A redelivery is a no-op (the transition table says so).
import { PAYMENT_INTENT_PAYMENT_FAILED_TOPIC, PAYMENT_INTENT_REFUNDED_TOPIC, PAYMENT_INTENT_SUCCEEDED_TOPIC, startWorker, type Logger, type OutboxJobData, type PaymentIntentEventPayload } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { Worker } from 'bullmq';
import { PAYMENT_EVENTS_QUEUE } from '../events.js';
import type { CheckoutLifecycleService, PaymentIntentEvent } from './checkout-session.lifecycle.js';
import type { PaymentFailedEvent } from '../remediation/remediation.service.js';

export type PaymentEventResult = 'completed' | 'flagged' | 'recorded' | 'released' | 'unchanged' | 'ignored';

/** What a canceled payment intent releases (reservation/reservation.service.ts paymentCanceled); idempotent per event. */
export interface PaymentCancellations {
  paymentCanceled(event: PaymentIntentEventPayload, sourceEvent: string): Promise<'released' | 'unchanged'>;
}

/** Who is told of a refund (acp-order/acp-order-refunds.ts); once per refunded total. */
export interface PaymentRefunds {
  paymentRefunded(event: PaymentIntentEventPayload): Promise<'recorded' | 'unchanged'>;
}

/** A `payment_intent.*` job, as payment-intent's relay enqueues it (the shared contract's payload). */
export type PaymentIntentEventJob = OutboxJobData & { payload: PaymentIntentEventPayload & Record<string, unknown> };

/** Where a failed attempt is recorded (remediation/remediation.service.ts). */
export interface PaymentFailures {
  recordPaymentFailure(event: PaymentFailedEvent, sourceEvent: string): Promise<'recorded' | 'unchanged'>;
}

export async function processPaymentEvent(
  lifecycle: CheckoutLifecycleService,
  data: PaymentIntentEventJob,
  failures?: PaymentFailures,
  cancellations?: PaymentCancellations,
  refunds?: PaymentRefunds,
): Promise<PaymentEventResult> {
  if (data.topic === PAYMENT_INTENT_REFUNDED_TOPIC) return refunds ? refunds.paymentRefunded(data.payload) : 'ignored';
  // All or nothing: a declined or canceled card payment gives back the gift cards and store credit held with it.
  if (data.topic === PAYMENT_INTENT_PAYMENT_FAILED_TOPIC || data.topic === 'payment_intent.canceled') await lifecycle.releaseTenderOfFailedPayment(data.payload);
  if (data.topic === 'payment_intent.canceled') {
    return cancellations ? cancellations.paymentCanceled(data.payload, `${data.schema}:${data.outboxId}`) : 'ignored';
  }
  if (data.topic === PAYMENT_INTENT_PAYMENT_FAILED_TOPIC && failures) {
    return failures.recordPaymentFailure(data.payload as PaymentFailedEvent, `${data.schema}:${data.outboxId}`);
  }
  if (data.topic !== PAYMENT_INTENT_SUCCEEDED_TOPIC) return 'ignored';
  const event: PaymentIntentEvent = data.payload;
  // Usually already completed by pay's own call (payment-succeeded.route.ts): checked without the session's lock first.
  return lifecycle.completeFromPayment(event, { settledFirst: true });
}

export function startPaymentEventsWorker(opts: {
  lifecycle: CheckoutLifecycleService;
  failures?: PaymentFailures;
  cancellations?: PaymentCancellations;
  refunds?: PaymentRefunds;
  connection: RedisClient;
  prefix: string;
  logger: Logger;
}): Worker<PaymentIntentEventJob, PaymentEventResult> {
  return startWorker<PaymentIntentEventJob, PaymentEventResult>({
    name: PAYMENT_EVENTS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 4,
    logger: opts.logger,
    processor: (job) => processPaymentEvent(opts.lifecycle, job.data, opts.failures, opts.cancellations, opts.refunds),
  });
}
