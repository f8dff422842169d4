// An operator's view of BullMQ queues, one implementation for every package and the gateway:
// counts per state, failed jobs page by page (newest first, a cursor that stays put while new
// failures arrive or old ones are replayed), replay of one failed job or of all of a queue's,
// and the jobs that have been active for long. A replay re-runs the job from its first attempt:
// every consumer here is idempotent (inbox rows, unique keys), so a replay is harmless.
//
// Job data can carry buyers' details: listings show its ids and topics only (summarizeJobData).
// An outbox job carries one claim's events for its queue ({ batch }); a failed one keeps only the
// events that failed, so its listing names those and its replay re-runs those alone.
import { Queue, type Job } from 'bullmq';
import type { RedisClient } from './redis.js';
import type { Logger } from '../logging/logger.js';
import { outboxBatchItems, outboxBatchJobName } from '../outbox/outbox.js';

export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  prioritized: number;
}

export interface FailedJobView {
  queue: string;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  /** The attempts the job was allowed. */
  attempts: number;
  createdAt: Date;
  failedAt: Date | null;
  data: Record<string, unknown>;
}

export interface ActiveJobView {
  queue: string;
  id: string;
  name: string;
  startedAt: Date;
  runningForMs: number;
  attemptsMade: number;
}

export interface FailedPage {
  jobs: FailedJobView[];
  /** Pass as `after` for the next page; null on the last one. */
  nextCursor: string | null;
}

export type ReplayOutcome = 'replayed' | 'not_found' | 'not_failed';

/** A caller's mistake (an unreadable cursor): the edge answers it as bad input. */
export class QueueAdminInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueueAdminInputError';
  }
}

/** At most this many jobs are replayed by one `replayAll` (call again for the rest). */
export const REPLAY_ALL_LIMIT = 10_000;
const FAILED_REASON_MAX = 500;

export interface QueueAdminOptions {
  /** A plain client (not a worker's): BullMQ does not close it, the caller does. */
  connection: RedisClient;
  prefix: string;
  logger: Logger;
}

export class QueueAdmin {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly opts: QueueAdminOptions) {}

  /** The BullMQ Queue of `name` (kept; closed by close()). */
  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.opts.connection, prefix: this.opts.prefix });
      q.on('error', (err) => this.opts.logger.warn({ err, queue: name }, 'queue admin: queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  async counts(names: readonly string[]): Promise<QueueCounts[]> {
    return Promise.all(
      names.map(async (queue) => {
        const c = await this.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        return {
          queue,
          waiting: c.waiting ?? 0,
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
          prioritized: c.prioritized ?? 0,
        };
      }),
    );
  }

  /**
   * Failed jobs of `name`, newest failure first, `first` at most. The failed set is BullMQ's sorted
   * set scored by the failure's time; the cursor is the last row's (time, id), so a page never
   * repeats or skips a job that stays failed.
   */
  async failed(name: string, first: number, after?: string): Promise<FailedPage> {
    const q = this.queue(name);
    const key = q.keys.failed!;
    const redis = this.opts.connection;
    const ids: string[] = [];
    const scores: number[] = [];
    const take = (pairs: string[], skip: (id: string, score: number) => boolean) => {
      for (let i = 0; i + 1 < pairs.length && ids.length <= first; i += 2) {
        const id = pairs[i]!;
        const score = Number(pairs[i + 1]);
        if (skip(id, score)) continue;
        ids.push(id);
        scores.push(score);
      }
    };
    if (after === undefined) {
      take(await redis.zrevrangebyscore(key, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, first + 1), () => false);
    } else {
      const cursor = decodeCursor(after);
      // Same time as the cursor's row: only those after it in the set's order (member descending).
      take(await redis.zrevrangebyscore(key, cursor.score, cursor.score, 'WITHSCORES'), (id) => !(id < cursor.id));
      if (ids.length <= first) take(await redis.zrevrangebyscore(key, `(${cursor.score}`, '-inf', 'WITHSCORES', 'LIMIT', 0, first + 1 - ids.length), () => false);
    }
    const more = ids.length > first;
    const pageIds = ids.slice(0, first);
    const jobs = (await Promise.all(pageIds.map((id) => q.getJob(id)))).flatMap((job, i) => (job ? [failedView(name, job as Job, scores[i]!)] : []));
    const lastId = pageIds[pageIds.length - 1];
    return { jobs, nextCursor: more && lastId !== undefined ? encodeCursor(scores[pageIds.length - 1]!, lastId) : null };
  }

  /** Re-runs one failed job from its first attempt. */
  async replay(name: string, jobId: string): Promise<ReplayOutcome> {
    const job = await this.queue(name).getJob(jobId);
    if (!job) return 'not_found';
    if (!(await job.isFailed())) return 'not_failed';
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (err) {
      // Replayed (or removed) by someone else between the check and the move.
      if (!(await job.isFailed().catch(() => false))) return 'not_failed';
      throw err;
    }
    return 'replayed';
  }

  /** Re-runs every failed job of `name` (REPLAY_ALL_LIMIT at most per call); how many, and how many are left. */
  async replayAll(name: string): Promise<{ replayed: number; remaining: number }> {
    const q = this.queue(name);
    let replayed = 0;
    while (replayed < REPLAY_ALL_LIMIT) {
      const ids = await this.opts.connection.zrevrangebyscore(q.keys.failed!, '+inf', '-inf', 'LIMIT', 0, Math.min(100, REPLAY_ALL_LIMIT - replayed));
      if (!ids.length) break;
      let moved = 0;
      for (const id of ids) {
        if ((await this.replay(name, id)) === 'replayed') moved++;
      }
      replayed += moved;
      if (!moved) break; // each was taken by someone else meanwhile
    }
    return { replayed, remaining: await q.getFailedCount() };
  }

  /** Jobs of `names` active for `olderThanMs` or more, longest first (`perQueue` looked at per queue). */
  async longRunning(names: readonly string[], olderThanMs: number, perQueue = 1000, now = Date.now()): Promise<ActiveJobView[]> {
    const found = await Promise.all(
      names.map(async (queue) => {
        const jobs = (await this.queue(queue).getActive(0, perQueue - 1)) as Job[];
        return jobs.flatMap((job) => {
          if (!job?.id || !job.processedOn || now - job.processedOn < olderThanMs) return [];
          return [{ queue, id: String(job.id), name: job.name, startedAt: new Date(job.processedOn), runningForMs: now - job.processedOn, attemptsMade: job.attemptsMade }];
        });
      }),
    );
    return found.flat().sort((a, b) => b.runningForMs - a.runningForMs);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

function failedView(queue: string, job: Job, score: number): FailedJobView {
  return {
    queue,
    id: String(job.id),
    // An outbox claim's job is named when added, after all its events; failed, it keeps only those that failed.
    name: outboxJobNameNow(job),
    failedReason: (job.failedReason ?? '').slice(0, FAILED_REASON_MAX),
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    createdAt: new Date(job.timestamp),
    failedAt: job.finishedOn ? new Date(job.finishedOn) : Number.isFinite(score) ? new Date(score) : null,
    data: summarizeJobData(job.data),
  };
}

function outboxJobNameNow(job: Job): string {
  const items = outboxBatchItems(job.data);
  return items && items.length > 0 ? outboxBatchJobName(items) : job.name;
}

const ID_KEY = /^(id|type|topic|kind|name|status|eventId|event_id|[a-z][A-Za-z0-9]*Id|[a-z][a-z0-9_]*_id|attempt|asOf)$/;
const SUMMARY_STRING_MAX = 200;
/** A batch job's listing shows this many of its events. */
const SUMMARY_BATCH_MAX = 20;

/**
 * A job's data for a listing: its ids, topics and statuses (top level and in `payload`), never
 * free text, amounts or buyers' details. The whole job stays in Redis, for the dashboard.
 */
export function summarizeJobData(data: unknown): Record<string, unknown> {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return {};
  // An outbox relay's job of one claim (outbox-relay.ts): the events still to do (a failed one
  // keeps only those that failed), each summarized as a per-row job was.
  // One event left (the usual failed job): listed as that event, in the shape a per-row job had.
  const items = outboxBatchItems(data);
  if (items?.length === 1) return summarizeJobData(items[0]);
  if (items) return { events: items.length, batch: items.slice(0, SUMMARY_BATCH_MAX).map((item) => summarizeJobData(item)) };
  const pick = (o: Record<string, unknown>): Record<string, unknown> => {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (!ID_KEY.test(k)) continue;
      if (typeof v === 'string') kept[k] = v.slice(0, SUMMARY_STRING_MAX);
      else if (typeof v === 'number' || typeof v === 'boolean' || v === null) kept[k] = v;
    }
    return kept;
  };
  const out = pick(data as Record<string, unknown>);
  const payload = (data as Record<string, unknown>).payload;
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const inner = pick(payload as Record<string, unknown>);
    if (Object.keys(inner).length) out.payload = inner;
  }
  return out;
}

function encodeCursor(score: number, id: string): string {
  return Buffer.from(JSON.stringify([score, id])).toString('base64url');
}

function decodeCursor(cursor: string): { score: number; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && typeof parsed[1] === 'string' && parsed[1].length <= 512) {
      return { score: parsed[0] as number, id: parsed[1] };
    }
  } catch {
    // answered below
  }
  throw new QueueAdminInputError('after', 'is not a cursor this listing gave.');
}
