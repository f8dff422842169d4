// The checkout-exports job (shared/src/contracts/checkout-analytics.contract.ts): the relay adds one
// per `checkout_export.requested` outbox row (job id from the row: one job per request); it builds
// the export's file (checkout-export.build.ts). A ready or failed export is left alone, so a
// re-added job does nothing; after the job's last attempt the export is marked failed (EXPORT_FAILED)
// instead of staying `running` for ever.
import { CHECKOUT_EXPORTS_QUEUE, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { BuildOutcome, ExportBuilder } from './checkout-export.build.js';

export async function processExportJob(builder: ExportBuilder, job: Pick<Job<OutboxJobData>, 'data' | 'attemptsMade' | 'opts'>): Promise<BuildOutcome> {
  const exportId = (job.data.payload as { exportId?: unknown } | undefined)?.exportId;
  if (typeof exportId !== 'string' || exportId.length === 0 || exportId.length > 100) throw new UnrecoverableError('not an export request');
  try {
    return await builder.build(exportId);
  } catch (err) {
    // attemptsMade counts the attempts before this one.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      await builder.fail(exportId, 'EXPORT_FAILED', 'The export could not be written; request it again.');
    }
    throw err;
  }
}

export function startExportWorker(opts: { builder: ExportBuilder; connection: RedisClient; prefix: string; logger: Logger }): Worker<OutboxJobData, BuildOutcome> {
  return startWorker<OutboxJobData, BuildOutcome>({
    name: CHECKOUT_EXPORTS_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    // One file at a time per process: a year of rows is long work on a small machine.
    concurrency: 1,
    logger: opts.logger,
    processor: (job) => processExportJob(opts.builder, job),
  });
}
