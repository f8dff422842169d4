// The payment package's failed BullMQ jobs (webhook ingestion) and the sandbox PSP's (its
// deliveries and settlements, asked of its dashboard over HTTP) for an operator: list them, and
// replay one (it re-runs from its first attempt; the inbox row and unique keys make a replay
// harmless).
import { badUserInput, requiredId, type Logger } from '@handoff/shared';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SANDBOX_QUEUES, type SandboxDashboard } from '../psp/sandbox/sandbox-dashboard.js';
import { WEBHOOK_INGEST_QUEUE } from '../webhooks/ingest-webhook.job.js';

export const ADMIN_QUEUES = [WEBHOOK_INGEST_QUEUE, ...SANDBOX_QUEUES] as const;

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

  constructor(
    connection: Redis,
    prefix: string,
    logger: Logger,
    private readonly sandbox: SandboxDashboard,
  ) {
    this.queues = new Map(
      [WEBHOOK_INGEST_QUEUE].map((name) => {
        const q = new Queue(name, { connection, prefix });
        q.on('error', (err) => logger.warn({ err, queue: name }, 'admin queue error'));
        return [name, q];
      }),
    );
  }

  async list(queue: string | null, first: number): Promise<FailedJob[]> {
    const names = queue ? [this.name(queue)] : [...ADMIN_QUEUES];
    const out: FailedJob[] = [];
    for (const name of names) {
      if (SANDBOX_QUEUES.includes(name)) {
        out.push(...(await this.sandbox.failedJobs(name, first)));
        continue;
      }
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
    const name = this.name(queue);
    if (SANDBOX_QUEUES.includes(name)) return this.sandbox.replay(name, jobId);
    const job = await this.queues.get(name)!.getJob(jobId);
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed', { resetAttemptsMade: true });
    return true;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }

  private name(queue: string): string {
    if (!(ADMIN_QUEUES as readonly string[]).includes(queue)) throw badUserInput('queue', `must be one of ${ADMIN_QUEUES.join(', ')}.`);
    return queue;
  }
}

/** Job data without the webhook bodies (they carry buyers' metadata): ids and topics only. */
function summarize(data: Record<string, unknown>): Record<string, unknown> {
  const { payload, ...rest } = data ?? {};
  const p = payload as Record<string, unknown> | undefined;
  return { ...rest, ...(p ? { payload: { merchantId: p.merchantId, eventId: p.eventId, paymentId: p.paymentId } } : {}) };
}
