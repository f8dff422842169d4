// The payment package's failed BullMQ jobs (webhook ingestion, sandbox deliveries and
// settlements) for an operator: list them, and replay one (it re-runs from its first attempt;
// the inbox row and unique keys make a replay harmless).
import { badUserInput, requiredId, type Logger } from '@handoff/shared';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SANDBOX_SETTLE_QUEUE, SANDBOX_WEBHOOK_QUEUE } from '../psp/sandbox/sandbox.jobs.js';
import { WEBHOOK_INGEST_QUEUE } from '../webhooks/ingest-webhook.job.js';

export const ADMIN_QUEUES = [WEBHOOK_INGEST_QUEUE, SANDBOX_WEBHOOK_QUEUE, SANDBOX_SETTLE_QUEUE] as const;

export interface FailedJob {
  queue: string;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  failedAt: Date | null;
  data: Record<string, unknown>;
}

export class FailedJobs {
  private readonly queues: Map<string, Queue>;

  constructor(connection: Redis, prefix: string, logger: Logger) {
    this.queues = new Map(
      ADMIN_QUEUES.map((name) => {
        const q = new Queue(name, { connection, prefix });
        q.on('error', (err) => logger.warn({ err, queue: name }, 'admin queue error'));
        return [name, q];
      }),
    );
  }

  async list(queue: string | null, first: number): Promise<FailedJob[]> {
    const names = queue ? [this.name(queue)] : [...this.queues.keys()];
    const out: FailedJob[] = [];
    for (const name of names) {
      const jobs = await this.queues.get(name)!.getFailed(0, Math.max(0, first - 1));
      for (const j of jobs) {
        out.push({
          queue: name,
          id: String(j.id),
          name: j.name,
          failedReason: (j.failedReason ?? '').slice(0, 500),
          attemptsMade: j.attemptsMade,
          failedAt: j.finishedOn ? new Date(j.finishedOn) : null,
          data: summarize(j.data as Record<string, unknown>),
        });
      }
    }
    return out.slice(0, first);
  }

  /** false when there is no such failed job. */
  async replay(queue: string, jobId: string): Promise<boolean> {
    requiredId(jobId, 'jobId');
    const job = await this.queues.get(this.name(queue))!.getJob(jobId);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true });
    return true;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }

  private name(queue: string): string {
    if (!this.queues.has(queue)) throw badUserInput('queue', `must be one of ${ADMIN_QUEUES.join(', ')}.`);
    return queue;
  }
}

/** Job data without the webhook bodies (they carry buyers' metadata): ids and topics only. */
function summarize(data: Record<string, unknown>): Record<string, unknown> {
  const { payload, ...rest } = data ?? {};
  const p = payload as Record<string, unknown> | undefined;
  return { ...rest, ...(p ? { payload: { merchantId: p.merchantId, eventId: p.eventId, paymentId: p.paymentId } } : {}) };
}
