// Consumes the `timeline.*` entries other packages write to their outboxes (queue
// checkout-timeline-entries: shared/src/contracts/checkout-timeline.contract.ts) into
// checkout.timeline_entries. Idempotent: unique per (source schema, outbox row), so a job the
// relay re-adds writes nothing. A payload that is not a timeline entry fails for good.
import { CHECKOUT_TIMELINE_QUEUE, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import { UnrecoverableError, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { InvalidTimelineEntry, type ContributedOutcome, type TimelineService } from './timeline.service.js';

export async function processTimelineJob(timeline: TimelineService, data: OutboxJobData): Promise<ContributedOutcome> {
  try {
    return await timeline.recordContributed(String(data.schema), String(data.outboxId), data.payload);
  } catch (err) {
    if (err instanceof InvalidTimelineEntry) throw new UnrecoverableError(err.message);
    throw err;
  }
}

export function startTimelineWorker(opts: { timeline: TimelineService; connection: RedisClient; prefix: string; logger: Logger }): Worker<OutboxJobData, ContributedOutcome> {
  return startWorker<OutboxJobData, ContributedOutcome>({
    name: CHECKOUT_TIMELINE_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 4,
    logger: opts.logger,
    processor: (job) => processTimelineJob(opts.timeline, job.data),
  });
}
