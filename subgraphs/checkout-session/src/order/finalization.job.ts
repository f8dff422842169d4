// The finalization queues' workers: `checkout-finalizations` runs async finalizations,
// `checkout-finalization-compensations` undoes a rolled-back finalization's payment. Both are
// filled by checkout-session's own outbox relay (events.ts routes checkout_finalization.*), so
// their jobs have the relay's deterministic ids, 10 attempts with exponential backoff, and stay
// in the failed set after the last (the operators' failed-jobs list). A redelivered job whose
// row is finished does nothing.
import { startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import type { Job, Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { FinalizationJobs } from './finalization-jobs.service.js';

export const FINALIZATIONS_QUEUE = 'checkout-finalizations';
export const FINALIZATION_COMPENSATIONS_QUEUE = 'checkout-finalization-compensations';

type FinalizationJobData = OutboxJobData & { payload: { jobId?: unknown } };

const lastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
const jobIdOf = (job: Job<FinalizationJobData>) => (typeof job.data.payload?.jobId === 'string' ? job.data.payload.jobId : null);

export function startFinalizationWorkers(opts: { jobs: FinalizationJobs; connection: RedisClient; prefix: string; logger: Logger }): Array<Worker> {
  const finalize = startWorker<FinalizationJobData, string>({
    name: FINALIZATIONS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 4,
    logger: opts.logger,
    processor: async (job) => {
      const id = jobIdOf(job);
      return id ? opts.jobs.runFinalize(id, lastAttempt(job)) : 'ignored';
    },
  });
  const compensate = startWorker<FinalizationJobData, string>({
    name: FINALIZATION_COMPENSATIONS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 2,
    logger: opts.logger,
    processor: async (job) => {
      const id = jobIdOf(job);
      return id ? opts.jobs.runRollback(id, lastAttempt(job)) : 'ignored';
    },
  });
  return [finalize as Worker, compensate as Worker];
}
