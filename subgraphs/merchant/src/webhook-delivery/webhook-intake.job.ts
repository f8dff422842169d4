// Consumes OUTBOUND_WEBHOOK_EVENTS_QUEUE (shared/src/contracts/webhook-events.contract.ts), which
// every producer's outbox relay fills with its `webhook_event.*` rows (this subgraph's own too:
// test events, endpoints disabled). A payload off the contract fails for good (in the failed set,
// logged); anything else that fails retries, and a rerun records nothing twice.
import { OUTBOUND_WEBHOOK_EVENTS_QUEUE, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import { UnrecoverableError, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { InvalidWebhookEvent } from './webhook-event-body.js';
import type { IntakeResult, WebhookIntakeService } from './webhook-intake.service.js';

export type WebhookEventJob = OutboxJobData;

export async function processWebhookEvent(intake: Pick<WebhookIntakeService, 'intake'>, data: WebhookEventJob, logger: Logger): Promise<IntakeResult> {
  try {
    return await intake.intake(data);
  } catch (err) {
    if (!(err instanceof InvalidWebhookEvent)) throw err;
    logger.error({ err, schema: data.schema, outboxId: data.outboxId, topic: data.topic }, 'webhook event refused: not the contract');
    throw new UnrecoverableError(err.message);
  }
}

export function startWebhookIntakeWorker(opts: {
  intake: WebhookIntakeService;
  connection: RedisClient;
  prefix: string;
  concurrency: number;
  logger: Logger;
}): Worker<WebhookEventJob, IntakeResult> {
  return startWorker<WebhookEventJob, IntakeResult>({
    name: OUTBOUND_WEBHOOK_EVENTS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: opts.concurrency,
    logger: opts.logger,
    processor: (job) => processWebhookEvent(opts.intake, job.data, opts.logger),
  });
}
