// Small BullMQ/ioredis helpers every package uses, so connections, job ids and worker logging
// look the same everywhere. Callers own the connections they create here: BullMQ never closes
// an ioredis instance that is passed in.
import { runWithRequestContext, serviceOf } from '../logging/logger.js';
import { contextFromTraceparent, SpanKind, tracingOn, withSpan } from '../tracing/tracing.js';
import type { RedisClient } from './redis.js';
import { UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { Logger } from '../logging/index.js';
import { isTransientInfrastructureError } from '../errors/transient.js';
import { recordWorkerQueue } from './worker-registry.js';
import { outboxBatchItems, type OutboxBatchJobData, type OutboxJobData } from '../outbox/outbox.js';

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
const isUnrecoverable = (err: unknown) => err instanceof UnrecoverableError || (err as { name?: unknown } | null)?.name === 'UnrecoverableError';

/**
 * One item of a batch job as a job of its own: `data` the item and `name` its topic (as a per-row
 * job's were); everything else is the batch job's, live (id, attemptsMade, opts, methods). Its
 * attemptsMade is the item's own attempts: a retry runs only the items that failed.
 */
function itemJob(job: Job<OutboxBatchJobData>, item: OutboxJobData): Job<OutboxJobData> {
  return Object.create(job, { data: { value: item, enumerable: true }, name: { value: item.topic, enumerable: true } }) as Job<OutboxJobData>;
}

/** A counting semaphore: take() waits for one of `n` slots, give() hands it back (to the longest waiter first). */
function itemSlots(n: number): { take(): Promise<void>; give(): void } {
  let free = n;
  const waiting: Array<() => void> = [];
  return {
    take: () => {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    give: () => {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

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
  const runOne = (job: Job<Data, Result>, token: string | undefined): Promise<Result> => {
    const data = job.data as { requestId?: unknown; traceparent?: unknown; outboxId?: unknown } | undefined;
    const requestId = data?.requestId;
    return runWithRequestContext({ requestId: typeof requestId === 'string' ? requestId : `job-${job.id}` }, () =>
      tracingOn()
        ? withSpan(
            component,
            `${opts.name} process`,
            {
              kind: SpanKind.CONSUMER,
              parent: contextFromTraceparent(data?.traceparent),
              attributes: {
                'messaging.system': 'bullmq',
                'messaging.destination.name': opts.name,
                'messaging.message.id': String(job.id),
                'messaging.operation': 'process',
                ...(typeof data?.outboxId === 'string' ? { 'handoff.outbox.id': data.outboxId } : {}),
              },
            },
            () => opts.processor(job, token),
          )
        : opts.processor(job, token),
    );
  };
  // PostgreSQL (or Redis) is away: nothing is wrong with the job. It goes back to waiting
  // without using an attempt and the worker pauses briefly, instead of each job burning its
  // attempts into a backoff that, after a 10 s outage, kept jobs waiting a minute or more
  // after the database had returned. (If pausing fails too, the job fails and retries as usual.)
  const pauseFor = async (job: Job<Data, Result>, err: unknown): Promise<Error> => {
    await worker.rateLimit(INFRASTRUCTURE_PAUSE_MS);
    if (Date.now() - lastPauseLog > 5000) {
      lastPauseLog = Date.now();
      log.warn({ err, jobId: job.id, pauseMs: INFRASTRUCTURE_PAUSE_MS }, 'dependency unavailable: job back to waiting, worker paused');
    }
    return Worker.RateLimitError();
  };
  const processor: Processor<Data, Result> = async (job, token) => {
    const items = outboxBatchItems(job.data);
    if (items) return (await processOutboxBatch(job as unknown as Job<OutboxBatchJobData>, items, token)) as Result;
    try {
      return await runOne(job, token);
    } catch (err) {
      if (!isTransientInfrastructureError(err)) throw err;
      throw await pauseFor(job, err);
    }
  };
  // The worker's items in flight, across all its batch jobs: at most `concurrency`, as when each
  // row was a job of its own. Consumers that coalesce concurrent calls into one statement (the
  // webhook intake) kept doing so; one item at a time per job made them 12x as many statements.
  const slots = itemSlots(opts.concurrency ?? 1);
  /**
   * The relay's job of one claim (outbox-relay.ts): its items started in order, each as a job of
   * its own (own request context, own consumer span), up to the worker's concurrency at once (one
   * at a time, so in order, for a worker of concurrency 1). An item that fails does not hold back
   * the others (as separate jobs did not); the job keeps only the items that failed (updateData)
   * and fails, so its retry does them alone, its attemptsMade being theirs. A database or Redis
   * outage stops starting items: the job keeps those not done and goes back to waiting. If
   * updateData fails, the retry redoes done items too (consumers are idempotent).
   */
  const processOutboxBatch = async (job: Job<OutboxBatchJobData>, items: OutboxJobData[], token: string | undefined): Promise<unknown[]> => {
    const results: unknown[] = new Array(items.length);
    const done: boolean[] = items.map(() => false);
    const errors: Array<{ at: number; err: unknown }> = [];
    let outage: { err: unknown } | undefined;
    let next = 0;
    const lane = async (): Promise<void> => {
      for (;;) {
        await slots.take();
        const i = next;
        if (outage || i >= items.length) return slots.give();
        next += 1;
        try {
          results[i] = await runOne(itemJob(job, items[i]!) as unknown as Job<Data, Result>, token);
          done[i] = true;
        } catch (err) {
          if (isTransientInfrastructureError(err)) outage ??= { err };
          else errors.push({ at: i, err });
        } finally {
          slots.give();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 1, items.length) }, lane));
    const left = items.filter((_, i) => !done[i]);
    if (left.length > 0 && left.length < items.length) {
      await job.updateData({ ...job.data, batch: left }).catch((err: unknown) => log.warn({ err, jobId: job.id }, 'could not trim a batch job to its items left; its retry redoes them all'));
    }
    if (outage) throw await pauseFor(job as unknown as Job<Data, Result>, outage.err);
    if (errors.length === 0) return results;
    errors.sort((a, b) => a.at - b.at);
    for (const e of errors.slice(1)) log.warn({ err: e.err, jobId: job.id, outboxId: items[e.at]!.outboxId, topic: items[e.at]!.topic }, 'batch item failed');
    const first = errors[0]!;
    if (errors.length === 1) throw first.err;
    const message = `${errors.length} of ${items.length} events failed; first (outbox ${items[first.at]!.outboxId}): ${first.err instanceof Error ? first.err.message : String(first.err)}`;
    // Failed for good at once only when every item left says so; otherwise those are retried with
    // the others (failing again at once) until only they are left.
    throw errors.every((e) => isUnrecoverable(e.err)) ? new UnrecoverableError(message) : new Error(message);
  };
  const worker: Worker<Data, Result> = new Worker<Data, Result>(opts.name, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 1,
  });
  worker.on('failed', (job: Job<Data, Result> | undefined, err: Error) => {
    const final = job ? job.attemptsMade >= (job.opts.attempts ?? 1) : undefined;
    const items = outboxBatchItems(job?.data);
    log.warn(
      { jobId: job?.id, jobName: job?.name, attemptsMade: job?.attemptsMade, final, err, ...(items ? { outboxIds: items.map((i) => i.outboxId) } : {}) },
      final ? 'job failed for good (in the failed set)' : 'job failed, will retry',
    );
  });
  worker.on('error', (err: Error) => log.error({ err }, 'worker error'));
  return worker;
}
