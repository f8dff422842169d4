// The payment package's failed BullMQ jobs (webhook ingestion, through the shared QueueAdmin that
// every package's queues use: shared/src/queue/queue-admin.ts) and the sandbox PSP's (its
// deliveries and settlements, asked of its dashboard over HTTP) for an operator: list them, and
// replay one (it re-runs from its first attempt; the inbox row and unique keys make a replay
// harmless). Every queue of every package is also listed and replayed at the gateway
// (/v1/checkout/queues/…, docs/api.md "Operations").
import { badUserInput, QueueAdmin, requiredId, type Logger } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';
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
  private readonly admin: QueueAdmin;

  constructor(
    connection: RedisClient,
    prefix: string,
    logger: Logger,
    private readonly sandbox: SandboxDashboard,
  ) {
    this.admin = new QueueAdmin({ connection, prefix, logger });
  }

  async list(queue: string | null, first: number): Promise<FailedJob[]> {
    const names = queue ? [this.name(queue)] : [...ADMIN_QUEUES];
    const out: FailedJob[] = [];
    for (const name of names) {
      if (SANDBOX_QUEUES.includes(name)) {
        out.push(...(await this.sandbox.failedJobs(name, first)));
        continue;
      }
      const page = await this.admin.failed(name, first);
      out.push(...page.jobs.map(({ queue: q, id, name: n, failedReason, attemptsMade, failedAt, data }) => ({ queue: q, id, name: n, failedReason, attemptsMade, failedAt, data })));
    }
    return out.slice(0, first);
  }

  /** false when there is no such failed job. */
  async replay(queue: string, jobId: string): Promise<boolean> {
    requiredId(jobId, 'jobId');
    const name = this.name(queue);
    if (SANDBOX_QUEUES.includes(name)) return this.sandbox.replay(name, jobId);
    return (await this.admin.replay(name, jobId)) === 'replayed';
  }

  async close(): Promise<void> {
    await this.admin.close();
  }

  private name(queue: string): string {
    if (!(ADMIN_QUEUES as readonly string[]).includes(queue)) throw badUserInput('queue', `must be one of ${ADMIN_QUEUES.join(', ')}.`);
    return queue;
  }
}
