// The delivery worker: one job = one attempt of one delivery (delivery-queue.ts). Claim the
// delivery (stale or held: nothing to do), skip an endpoint disabled or deleted since (the
// delivery FAILS), sign the stored body with the endpoint's secret(s) in force, POST it, record the
// outcome and schedule the next attempt after the commit. A sweep re-adds overdue attempts whose
// job was lost. A first attempt may also start right after the intake (startDirectDelivery).
import { HANDOFF_SIGNATURE_HEADER, isAcpOrderEventType, signatureHeaderFor, SpanKind, startWorker, withSpan, type Logger } from '@handoff/shared';
import type { Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { DataSource } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import type { OutboxNotifier } from '../events.js';
import { signingSecrets } from '../webhook-endpoint/endpoint-secrets.js';
import { postWebhook, type AttemptResult } from './delivery-attempt.js';
import { WEBHOOK_DELIVERY_QUEUE, type DeliveryJob, type DeliveryQueue, type ScheduledAttempt } from './delivery-queue.js';
import type { ClaimedDelivery, DeliveryRecorder } from './delivery-recorder.js';
import type { DirectDelivery } from './webhook-intake.service.js';

export const WEBHOOK_USER_AGENT = 'Handoff-Webhooks/1';
export const EVENT_ID_HEADER = 'handoff-event-id';
export const DELIVERY_ID_HEADER = 'handoff-delivery-id';
/** The ACP webhook spec's signature header (openapi.agentic_checkout_webhook.yaml): `t=<unix>,v1=<hex>`, one v1. */
export const ACP_SIGNATURE_HEADER = 'merchant-signature';

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed' | 'skipped' | 'stale';

export interface DeliveryDeps {
  recorder: DeliveryRecorder;
  queue: Pick<DeliveryQueue, 'schedule'>;
  outbox: OutboxNotifier;
  encryptionKey: Buffer;
  allowPrivateUrls: boolean;
  timeoutMs: number;
  logger: Logger;
  /** The HTTP attempt (postWebhook); tests may stand in. */
  post?: typeof postWebhook;
}

/** The request of one attempt: the stored body, signed now with every secret in force. */
export function deliveryHeaders(d: ClaimedDelivery, encryptionKey: Buffer, now: Date): Record<string, string> {
  const secrets = signingSecrets(
    encryptionKey,
    { id: d.endpointId, secretCiphertext: d.secretCiphertext, previousSecretCiphertext: d.previousSecretCiphertext, previousSecretExpiresAt: d.previousSecretExpiresAt },
    now,
  );
  const t = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': WEBHOOK_USER_AGENT,
    [HANDOFF_SIGNATURE_HEADER]: signatureHeaderFor(secrets, d.body, t),
    [EVENT_ID_HEADER]: d.eventId,
    [DELIVERY_ID_HEADER]: d.id,
  };
  // An ACP order event carries the spec's headers too: Merchant-Signature (the same scheme, with the
  // current secret only: the spec's pattern has one v1), Request-Id (the event id, the same on every
  // attempt) and Timestamp (ISO 8601).
  if (isAcpOrderEventType(d.eventType)) {
    headers[ACP_SIGNATURE_HEADER] = signatureHeaderFor(secrets.slice(0, 1), d.body, t);
    headers['request-id'] = d.eventId;
    headers.timestamp = now.toISOString();
  }
  return headers;
}

export async function processDelivery(deps: DeliveryDeps, job: DeliveryJob): Promise<DeliveryOutcome> {
  const d = await deps.recorder.claim(job.deliveryId, job.seq);
  if (!d) return 'stale';
  return attemptClaimed(deps, d);
}

/** One attempt of a delivery this process holds the lease of (claimed by a job, or leased by the intake). */
export async function attemptClaimed(deps: DeliveryDeps, d: ClaimedDelivery): Promise<DeliveryOutcome> {
  if (!d.endpointLive) {
    await deps.recorder.abandon(d);
    return 'skipped';
  }
  let headers: Record<string, string>;
  const attemptedAt = new Date();
  try {
    headers = deliveryHeaders(d, deps.encryptionKey, attemptedAt);
  } catch (err) {
    // The secret does not open with this process's key: Handoff's fault, not the receiver's. The
    // job retries (then the sweep), the delivery's schedule untouched.
    await deps.recorder.release(d).catch(() => undefined);
    throw err;
  }
  // Tracing on: the POST is a client span of the event's trace (no trace header goes to the merchant).
  const attempt: AttemptResult = await withSpan(
    'merchant-worker',
    'webhook delivery POST',
    { kind: SpanKind.CLIENT, attributes: { 'handoff.webhook.event_type': d.eventType, 'handoff.webhook.delivery_id': d.id, 'handoff.webhook.endpoint_id': d.endpointId } },
    async (span) => {
      const result = await (deps.post ?? postWebhook)(d.url, d.body, headers, { allowPrivateUrls: deps.allowPrivateUrls, timeoutMs: deps.timeoutMs });
      span?.setAttributes(attemptAttributes(result));
      return result;
    },
  );
  const outcome = await deps.recorder.record(d, attempt, attemptedAt);
  if (outcome.announced && !outcome.endpointDisabled) deps.outbox.notify();
  if (outcome.endpointDisabled) {
    deps.outbox.notify();
    deps.logger.warn({ endpointId: d.endpointId, merchantId: d.merchantId }, 'webhook endpoint disabled after 5 days of failed deliveries');
  }
  if (outcome.next) await scheduleNext(deps, outcome.next);
  if (outcome.status === 'STALE') return 'stale';
  return outcome.status === 'SUCCEEDED' ? 'delivered' : outcome.status === 'PENDING' ? 'retrying' : 'failed';
}

/**
 * First attempts in this process, right after the intake leased their deliveries (no delivery
 * job): at most `limit` at a time. The intake reserves room first; deliveries past the limit (a
 * fan-out to many endpoints, or intakes racing for the last room) are handed back — lease
 * released, a job added — to go the way of any attempt. An attempt that fails is retried by a job
 * as any other; one that throws (PostgreSQL away while recording) keeps its lease until it runs
 * out, then the sweep re-adds it. close() waits for those running.
 */
export function startDirectDelivery(deps: DeliveryDeps, limit: number): DirectDelivery & { close(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  /** Room taken by intakes whose statement has not returned yet. */
  let reserved = 0;
  const handBack = async (ds: ClaimedDelivery[]) => {
    await Promise.all(ds.map((d) => deps.recorder.release(d)));
    await deps.queue.schedule(ds.map((d) => ({ deliveryId: d.id, seq: d.seq, at: new Date() })));
  };
  return {
    reserve: () => {
      if (running.size + reserved >= limit) return false;
      reserved += 1;
      return true;
    },
    unreserve: () => {
      reserved = Math.max(0, reserved - 1);
    },
    deliver: (claims) => {
      reserved = Math.max(0, reserved - 1);
      const overflow: ClaimedDelivery[] = [];
      for (const d of claims) {
        if (running.size + reserved >= limit) {
          overflow.push(d);
          continue;
        }
        const p: Promise<unknown> = attemptClaimed(deps, d)
          .catch((err: unknown) => deps.logger.warn({ err, deliveryId: d.id }, 'direct webhook attempt failed; the sweep retries it once its lease runs out'))
          .finally(() => running.delete(p));
        running.add(p);
      }
      if (overflow.length > 0) {
        const p: Promise<unknown> = handBack(overflow)
          .catch((err: unknown) => deps.logger.warn({ err, deliveries: overflow.length }, 'could not hand webhook attempts back to the queue; the sweep will once their leases run out'))
          .finally(() => running.delete(p));
        running.add(p);
      }
    },
    close: async () => {
      await Promise.allSettled([...running]);
    },
  };
}

/** A failure to add the next attempt's job is not the attempt's: the sweep adds it once it is overdue. */
async function scheduleNext(deps: DeliveryDeps, next: ScheduledAttempt): Promise<void> {
  try {
    await deps.queue.schedule([next]);
  } catch (err) {
    deps.logger.warn({ err, deliveryId: next.deliveryId }, 'could not schedule the next webhook attempt; the sweep will');
  }
}

export function startDeliveryWorker(opts: {
  deps: DeliveryDeps;
  connection: RedisClient;
  prefix: string;
  concurrency: number;
}): Worker<DeliveryJob, DeliveryOutcome> {
  return startWorker<DeliveryJob, DeliveryOutcome>({
    name: WEBHOOK_DELIVERY_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: opts.concurrency,
    logger: opts.deps.logger,
    processor: (job) => processDelivery(opts.deps, job.data),
  });
}

/** Overdue pending attempts (by more than `graceMs`) not held by a running attempt. */
export async function overdueAttempts(dataSource: DataSource, graceMs: number, limit = 1000): Promise<ScheduledAttempt[]> {
  const rows: Array<{ id: string; seq: number; next_attempt_at: Date }> = await dataSource.query(
    `SELECT id, seq, next_attempt_at FROM "${SCHEMA_NAME}".webhook_deliveries
      WHERE status = 'PENDING' AND next_attempt_at < now() - $1::int * interval '1 millisecond'
        AND (locked_until IS NULL OR locked_until < now())
      ORDER BY next_attempt_at LIMIT $2`,
    [graceMs, limit],
  );
  return rows.map((r) => ({ deliveryId: r.id, seq: r.seq, at: new Date(r.next_attempt_at) }));
}

/** Every `everyMs`, re-adds the jobs of overdue attempts that Redis lost. */
export function startDeliverySweep(opts: { dataSource: DataSource; queue: DeliveryQueue; everyMs: number; graceMs: number; logger: Logger }): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    overdueAttempts(opts.dataSource, opts.graceMs)
      .then((due) => opts.queue.ensureScheduled(due))
      .then((added) => {
        if (added > 0) opts.logger.info({ added }, 'overdue webhook attempts re-added');
      })
      .catch((err: unknown) => opts.logger.warn({ err }, 'webhook delivery sweep failed'))
      .finally(() => {
        running = false;
      });
  }, opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** An attempt's outcome as span attributes (tracing). */
function attemptAttributes(a: AttemptResult): Record<string, string | number | boolean> {
  return {
    'handoff.webhook.succeeded': a.succeeded,
    ...(a.statusCode !== null ? { 'http.response.status_code': a.statusCode } : {}),
    ...(a.error ? { 'handoff.webhook.error': a.error } : {}),
  };
}
