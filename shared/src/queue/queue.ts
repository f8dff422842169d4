// Small BullMQ/ioredis helpers every package uses, so connections, job ids and worker logging
// look the same everywhere. Callers own the connections they create here: BullMQ never closes
// an ioredis instance that is passed in.
import { runWithRequestContext, serviceOf } from '../logging/logger.js';
import { contextFromTraceparent, SpanKind, tracingOn, withSpan } from '../tracing/tracing.js';
import type { RedisClient } from './redis.js';
import { Worker, type Job, type Processor } from 'bullmq';
import type { Logger } from '../logging/index.js';
import { isTransientInfrastructureError } from '../errors/transient.js';
import { recordWorkerQueue } from './worker-registry.js';

export { createRedis } from './redis.js';
export { safeJobId } from './job-id.js';
export { startingWorkersOf, workerQueuesOf } from './worker-registry.js';
export * from './worker-heartbeat.js';
export * from './queue-admin.js';

// Queue names are kebab-case, named after their consumer and what it consumes. A queue between
// packages is named once in shared/src/contracts/ (its channel's file); a package's own queue
// (its sandbox, settlement, ingest work) is a constant in the package, beside its worker.

export interface StartWorkerOptions<Data, Result> {
  name: string;
  /** Redis key prefix, e.g. the configured queue prefix (tests use their own). */
  prefix: string;
  /** Must have `maxRetriesPerRequest: null` (createRedis(url, { forBullmqWorker: true })). Not closed by the worker. */
  connection: RedisClient;
  concurrency?: number;
  processor: Processor<Data, Result>;
  logger: Logger;
}

/** How long a worker pauses when a job met PostgreSQL or Redis unavailable. */
export const INFRASTRUCTURE_PAUSE_MS = 1000;

/** A BullMQ Worker that logs failures and connection errors (an unlistened 'error' would crash). */
export function startWorker<Data = unknown, Result = unknown>(
  opts: StartWorkerOptions<Data, Result>,
): Worker<Data, Result> {
  const log = opts.logger.child({ queue: opts.name });
  // Under a package's startWorkers: the queue is that package's, published by its heartbeat.
  recordWorkerQueue(opts.prefix, opts.name);
  let lastPauseLog = 0;
  // Each job runs in the request context of what caused it (outbox jobs carry `requestId`).
  // With tracing on, each job is a consumer span continuing the trace its data carries
  // (`traceparent`: outbox jobs, webhook delivery attempts), of the worker's package.
  const component = `${serviceOf(opts.logger) ?? 'handoff'}-worker`;
  const processor: Processor<Data, Result> = async (job, token) => {
    const data = job.data as { requestId?: unknown; traceparent?: unknown } | undefined;
    const requestId = data?.requestId;
    try {
      return await runWithRequestContext({ requestId: typeof requestId === 'string' ? requestId : `job-${job.id}` }, () =>
        tracingOn()
          ? withSpan(
              component,
              `${opts.name} process`,
              {
                kind: SpanKind.CONSUMER,
                parent: contextFromTraceparent(data?.traceparent),
                attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': opts.name, 'messaging.message.id': String(job.id), 'messaging.operation': 'process' },
              },
              () => opts.processor(job, token),
            )
          : opts.processor(job, token),
      );
    } catch (err) {
      if (!isTransientInfrastructureError(err)) throw err;
      // PostgreSQL (or Redis) is away: nothing is wrong with the job. It goes back to waiting
      // without using an attempt and the worker pauses briefly, instead of each job burning its
      // attempts into a backoff that, after a 10 s outage, kept jobs waiting a minute or more
      // after the database had returned. (If pausing fails too, the job fails and retries as usual.)
      await worker.rateLimit(INFRASTRUCTURE_PAUSE_MS);
      if (Date.now() - lastPauseLog > 5000) {
        lastPauseLog = Date.now();
        log.warn({ err, jobId: job.id, pauseMs: INFRASTRUCTURE_PAUSE_MS }, 'dependency unavailable: job back to waiting, worker paused');
      }
      throw Worker.RateLimitError();
    }
  };
  const worker: Worker<Data, Result> = new Worker<Data, Result>(opts.name, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 1,
  });
  worker.on('failed', (job: Job<Data, Result> | undefined, err: Error) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : undefined;
    log.warn(
      { jobId: job?.id, jobName: job?.name, attemptsMade: job?.attemptsMade, final, err },
      final ? 'job failed for good (in the failed set)' : 'job failed, will retry',
    );
  });
  worker.on('error', (err: Error) => log.error({ err }, 'worker error'));
  return worker;
}
