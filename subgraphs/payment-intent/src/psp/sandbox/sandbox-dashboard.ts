// The sandbox's failed deliveries and settlements, from its dashboard (operator key), for
// payment-intent's admin failed-jobs listing (admin/failed-jobs.ts): the queue names are the
// sandbox's, as its dashboard names them. Replaying a delivery first sets the merchant's account
// up again from its connector as it is now (an operator replays once the cause is fixed, e.g. the
// merchant is back on the sandbox with a new webhook secret). A payment-intent without the
// sandbox's operator key (a deployment with real PSPs only) has no sandbox jobs to show. A sandbox
// that does not answer fails the listing (an internal error) rather than hiding its failures.
import type { SandboxAccounts } from './sandbox-accounts.js';
import { SandboxApiError, type Json, type SandboxClient } from './sandbox-client.js';

export const SANDBOX_DELIVERY_QUEUE = 'sandbox-webhook-delivery';
export const SANDBOX_SETTLE_QUEUE = 'sandbox-settle';
export const SANDBOX_QUEUES: readonly string[] = [SANDBOX_DELIVERY_QUEUE, SANDBOX_SETTLE_QUEUE];

export interface SandboxFailedJob {
  queue: string;
  id: string;
  name: string;
  failedReason: string;
  attemptsMade: number;
  failedAt: Date | null;
  data: Record<string, unknown>;
}

export class SandboxDashboard {
  constructor(
    private readonly client: SandboxClient,
    private readonly accounts: SandboxAccounts,
  ) {}

  async failedJobs(queue: string, first: number): Promise<SandboxFailedJob[]> {
    if (!this.client.operatorKeySet) return [];
    const list = await this.client.admin('GET', `/v1/dashboard/failed_jobs?queue=${encodeURIComponent(queue)}&first=${first}`);
    return ((list.data as Json[] | undefined) ?? []).map(fromView);
  }

  /** false when there is no such failed job. */
  async replay(queue: string, jobId: string): Promise<boolean> {
    if (!this.client.operatorKeySet) return false;
    const path = `/v1/dashboard/failed_jobs/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
    let job: Json;
    try {
      job = await this.client.admin('GET', path);
    } catch (err) {
      if (err instanceof SandboxApiError && err.status === 404) return false;
      throw err;
    }
    const merchantId = ((job.data as Json | undefined)?.payload as Json | undefined)?.merchantId;
    if (typeof merchantId === 'string') await this.accounts.sync(merchantId);
    return (await this.client.admin('POST', `${path}/retry`)).replayed === true;
  }
}

function fromView(v: Json): SandboxFailedJob {
  return {
    queue: String(v.queue),
    id: String(v.id),
    name: String(v.name),
    failedReason: String(v.failed_reason ?? ''),
    attemptsMade: Number(v.attempts_made ?? 0),
    failedAt: typeof v.failed_at === 'number' ? new Date(v.failed_at) : null,
    data: (v.data as Record<string, unknown>) ?? {},
  };
}
