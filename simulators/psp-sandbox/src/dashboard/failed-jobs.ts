// The sandbox's failed deliveries and settlements, for its dashboard: list them (without the
// webhook bodies: they carry buyers' metadata), read one, and replay one from its first attempt
// (the receiver's inbox makes a replay harmless).
import { outboxBatchItems, outboxBatchJobName, type Logger } from '@handoff/shared';
import { Queue, type Job } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { invalidParameter } from '../errors.js';
import { SANDBOX_QUEUES } from '../webhooks/jobs.js';

export interface FailedJobView {
  queue: string;
  id: string;
  name: string;
  failed_reason: string;
  attempts_made: number;
  /** Unix milliseconds, or null. */
  failed_at: number | null;
  data: Record<string, unknown>;
}

export class FailedJobs {
  private readonly queues: Map<string, Queue>;

  constructor(connection: RedisClient, prefix: string, logger: Logger) {
    this.queues = new Map(
      SANDBOX_QUEUES.map((name) => {
        const q = new Queue(name, { connection, prefix });
        q.on('error', (err) => logger.warn({ err, queue: name }, 'dashboard queue error'));
        return [name, q];
      }),
    );
  }

  async list(queue: string | null, first: number): Promise<FailedJobView[]> {
    const names = queue ? [this.name(queue)] : [...this.queues.keys()];
    const out: FailedJobView[] = [];
    for (const name of names) {
      for (const j of await this.queues.get(name)!.getFailed(0, Math.max(0, first - 1))) out.push(view(name, j));
    }
    return out.slice(0, first);
  }

  /** The failed job, or null when there is no such failed job. */
  async get(queue: string, id: string): Promise<FailedJobView | null> {
    const name = this.name(queue);
    const job = await this.queues.get(name)!.getJob(id);
    return job && (await job.isFailed()) ? view(name, job) : null;
  }

  /** false when there is no such failed job. */
  async replay(queue: string, id: string): Promise<boolean> {
    const job = await this.queues.get(this.name(queue))!.getJob(id);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true });
    return true;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }

  private name(queue: string): string {
    if (!this.queues.has(queue)) throw invalidParameter('queue', `must be one of ${SANDBOX_QUEUES.join(', ')}.`);
    return queue;
  }
}

function view(queue: string, j: Job): FailedJobView {
  // An outbox claim's job (shared/src/outbox): named after the events it still holds (a failed one
  // keeps only those that failed), one event shown as that event, several as { events, batch }.
  const items = outboxBatchItems(j.data);
  return {
    queue,
    id: String(j.id),
    name: items?.length ? outboxBatchJobName(items) : j.name,
    failed_reason: (j.failedReason ?? '').slice(0, 500),
    attempts_made: j.attemptsMade,
    failed_at: j.finishedOn ?? null,
    data: summarize(j.data as Record<string, unknown>),
  };
}

/** Job data without the webhook bodies: ids and topics only. */
function summarize(data: Record<string, unknown>): Record<string, unknown> {
  const items = outboxBatchItems(data);
  if (items?.length === 1) return summarize(items[0] as unknown as Record<string, unknown>);
  if (items) return { events: items.length, batch: items.slice(0, 20).map((item) => summarize(item as unknown as Record<string, unknown>)) };
  const { payload, ...rest } = data ?? {};
  const p = payload as Record<string, unknown> | undefined;
  return { ...rest, ...(p ? { payload: { merchantId: p.merchantId, eventId: p.eventId, paymentId: p.paymentId } } : {}) };
}
