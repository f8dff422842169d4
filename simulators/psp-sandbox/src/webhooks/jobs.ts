// The sandbox's background work, fed by its outbox rows (so nothing is sent before the commit
// and nothing is lost if Redis is flushed): delivering signed webhooks over real HTTP to the
// account's endpoint until a 2xx (BullMQ retries with exponential backoff; exhausted jobs stay
// in the failed set, listed and replayed from the dashboard), and settling PROCESSING payments.
import { httpPost, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { DataSource } from 'typeorm';
import type { Accounts } from '../accounts/accounts.service.js';
import type { SandboxPayments } from '../payments/payments.service.js';
import type { SandboxWebhookPayload } from './webhook-events.js';
import { SIGNATURE_HEADER, signatureHeader } from './signing.js';

export const SANDBOX_WEBHOOK_QUEUE = 'sandbox-webhook-delivery';
export const SANDBOX_SETTLE_QUEUE = 'sandbox-settle';
export const SANDBOX_QUEUES = [SANDBOX_WEBHOOK_QUEUE, SANDBOX_SETTLE_QUEUE] as const;

/** How long one delivery may take before it counts as failed (and is retried). */
export const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Handoff's answer when the merchant has no TEST connector any more (docs/api.md, "Webhooks
 * in"): no retry can succeed until the merchant connects the sandbox again, so the delivery fails
 * for good at once (an operator replays it from the dashboard once it is fixed).
 */
const ENDPOINT_HAS_NO_SECRET = 'no webhook secret for this merchant and provider';

export interface SandboxJobsOptions {
  connection: RedisClient;
  prefix: string;
  logger: Logger;
  dataSource: DataSource;
  accounts: Accounts;
  payments: SandboxPayments;
  /** How long a PROCESSING payment takes to settle. */
  processingDelayMs: number;
  committed: () => void;
}

export function startSandboxWorkers(opts: SandboxJobsOptions): Worker[] {
  const delivery = startWorker<OutboxJobData, number>({
    name: SANDBOX_WEBHOOK_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 8,
    logger: opts.logger,
    processor: async (job: Job<OutboxJobData>) => deliver(opts, job.data.payload as unknown as SandboxWebhookPayload),
  });
  const settle = startWorker<OutboxJobData, void>({
    name: SANDBOX_SETTLE_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: 8,
    logger: opts.logger,
    processor: async (job: Job<OutboxJobData>) => {
      const { paymentId, confirmedAt } = job.data.payload as { paymentId: string; confirmedAt: number };
      const wait = confirmedAt + opts.processingDelayMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 60_000)));
      await opts.dataSource.transaction((manager) => opts.payments.settle(manager, paymentId));
      opts.committed();
    },
  });
  return [delivery, settle];
}

/** One signed POST; the timestamp is the moment of sending, and the secret the account's now (retries are re-signed). */
async function deliver(opts: SandboxJobsOptions, payload: SandboxWebhookPayload): Promise<number> {
  const account = await opts.accounts.find(payload.merchantId);
  if (!account) throw new UnrecoverableError(`merchant ${payload.merchantId} has no sandbox account to notify`);
  const res = await httpPost(
    account.webhookUrl,
    { 'content-type': 'application/json', 'user-agent': 'Handoff-Sandbox-PSP/1.0', [SIGNATURE_HEADER]: signatureHeader(account.webhookSecret, payload.body) },
    payload.body,
    DELIVERY_TIMEOUT_MS,
  );
  if (res.status === 400 && answerError(res.body) === ENDPOINT_HAS_NO_SECRET) {
    throw new UnrecoverableError(`merchant ${payload.merchantId} has no TEST connector to notify (its endpoint answered 400: ${ENDPOINT_HAS_NO_SECRET})`);
  }
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook ${payload.eventId} answered ${res.status}; will retry`);
  return res.status;
}

function answerError(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    return null;
  }
}
