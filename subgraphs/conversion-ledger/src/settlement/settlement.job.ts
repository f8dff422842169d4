// Settlement as BullMQ work: one job scheduler (upserted on every start, so there is exactly
// one whatever the number of starts or replicas) and a worker that runs the period's settlement.
import { startWorker, type Logger } from '@handoff/shared';
import { Queue, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { SettlementService } from './settlement.service.js';

export const SETTLEMENT_QUEUE = 'ledger-settlement';
export const SETTLEMENT_SCHEDULER_ID = 'ledger-settlement-daily';
export const SETTLEMENT_JOB = 'run-settlement';

export interface SettlementJobData {
  /** ISO 8601; absent for scheduled runs (the job's own time is used). */
  asOf?: string;
}

/** Creates or updates the one scheduler; returns the queue (the caller closes it). */
export async function upsertSettlementScheduler(connection: RedisClient, prefix: string, pattern: string): Promise<Queue<SettlementJobData>> {
  const queue = new Queue<SettlementJobData>(SETTLEMENT_QUEUE, { connection, prefix });
  await queue.upsertJobScheduler(
    SETTLEMENT_SCHEDULER_ID,
    { pattern, tz: 'UTC' },
    { name: SETTLEMENT_JOB, data: {}, opts: { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 100, removeOnFail: false } },
  );
  return queue;
}

export function startSettlementWorker(opts: {
  settlement: SettlementService;
  connection: RedisClient;
  prefix: string;
  logger: Logger;
}): Worker<SettlementJobData> {
  return startWorker<SettlementJobData, number>({
    name: SETTLEMENT_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    logger: opts.logger,
    processor: async (job) => {
      const asOf = job.data.asOf ? new Date(job.data.asOf) : new Date(job.timestamp);
      return (await opts.settlement.run(null, asOf)).length;
    },
  });
}
