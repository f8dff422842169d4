// The sandbox's background work, fed by its outbox rows (so nothing is sent before the commit
// and nothing is lost if Redis is flushed): delivering signed webhooks over real HTTP to
// `${PUBLIC_BASE_URL}/webhooks/test/{merchantId}` until a 2xx (BullMQ retries with exponential
// backoff; exhausted jobs stay in the failed set), and settling PROCESSING payments.
import { httpPost, startWorker, type Logger, type OutboxJobData } from '@handoff/shared';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import type { CredentialsSource } from '../merchant-credentials.js';
import { HANDOFF_SIGNATURE_HEADER, signatureHeader } from '../../webhooks/signature.js';
import type { SandboxConnector } from './sandbox-connector.js';
import type { SandboxWebhookPayload } from './sandbox-events.js';

export const SANDBOX_WEBHOOK_QUEUE = 'sandbox-webhook-delivery';
export const SANDBOX_SETTLE_QUEUE = 'sandbox-settle';

export interface SandboxJobsOptions {
  connection: Redis;
  prefix: string;
  logger: Logger;
  dataSource: DataSource;
  credentials: CredentialsSource;
  sandbox: SandboxConnector;
  publicBaseUrl: string;
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
      await opts.dataSource.transaction((manager) => opts.sandbox.settle(manager, paymentId));
      opts.committed();
    },
  });
  return [delivery, settle];
}

/** One signed POST; the timestamp is the moment of sending, as a PSP's retries are re-signed. */
async function deliver(opts: SandboxJobsOptions, payload: SandboxWebhookPayload): Promise<number> {
  const creds = await opts.credentials.get(payload.merchantId);
  if (!creds || creds.provider !== PaymentProvider.TEST || !creds.webhookSecret) {
    throw new UnrecoverableError(`merchant ${payload.merchantId} has no TEST connector to notify`);
  }
  const url = `${opts.publicBaseUrl.replace(/\/$/, '')}/webhooks/test/${encodeURIComponent(payload.merchantId)}`;
  const res = await httpPost(
    url,
    { 'content-type': 'application/json', 'user-agent': 'Handoff-Sandbox-PSP/1.0', [HANDOFF_SIGNATURE_HEADER]: signatureHeader(creds.webhookSecret, payload.body) },
    payload.body,
    10_000,
  );
  if (res.status === 400) opts.credentials.forget(payload.merchantId); // maybe a rotated secret
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook ${payload.eventId} answered ${res.status}; will retry`);
  return res.status;
}
