// The intake of merchants' webhook events (queue outbound-webhook-events, filled by every
// producer's outbox relay): records the event once (its id a function of the producer's outbox
// row, so a re-added job finds it) and, in the same statement, one PENDING delivery per
// enabled endpoint of the merchant whose filter matches (a test event: its one endpoint), then
// schedules each pending delivery's attempt. A replayed job creates nothing twice: the event's
// row exists, so there is no fan-out again; its pending deliveries are scheduled again (a no-op
// for jobs still queued). While this process has room (the worker's direct delivery), new
// deliveries are created already leased and their first attempt starts here at once, without a
// delivery job; a process that dies mid-attempt leaves a lease that runs out, and the sweep
// re-adds the attempt (logged `interrupted`).
import { webhookEventId, type OutboxJobData, type WebhookEventPayload } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { ALL_EVENTS, MAX_ENDPOINTS_PER_MERCHANT } from '../webhook-endpoint/webhook-endpoint.validation.js';
import { deliveryIds } from './delivery-ids.js';
import type { ScheduledAttempt } from './delivery-queue.js';
import type { ClaimedDelivery } from './delivery-recorder.js';
import { preparedQuery, table } from './sql.js';
import { webhookEventBody, webhookEventPayloadOf } from './webhook-event-body.js';

const t = table;

export interface IntakeResult {
  eventId: string;
  /** False when the event was recorded before (a replayed job). */
  recorded: boolean;
  /** Deliveries this run created. */
  created: number;
  /** Pending deliveries of the event, scheduled as jobs. */
  scheduled: ScheduledAttempt[];
  /** Deliveries created leased, their first attempt started in this process. */
  direct?: number;
}

export interface IntakeDeps {
  dataSource: DataSource;
  /** Whether the merchant's payments are live (the body's `livemode`). */
  livemode: (merchantId: string) => Promise<boolean>;
  schedule: (attempts: readonly ScheduledAttempt[]) => Promise<void>;
  /** The lease of a delivery created for a direct first attempt (the claim's). */
  leaseMs?: number;
}

/** First attempts made in this process, right after the intake (webhook-delivery.job.ts startDirectDelivery). */
export interface DirectDelivery {
  /** Whether more attempts may start now. */
  hasRoom(): boolean;
  /** Starts the attempts of these leased deliveries; never throws. */
  deliver(claims: readonly ClaimedDelivery[]): void;
}

interface PendingRow {
  id: string;
  seq: number;
  next_attempt_at: string;
  leased: boolean;
  endpoint_id: string;
  url: string | null;
  secret_ciphertext: string | null;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: string | null;
}

export class WebhookIntakeService {
  private direct: DirectDelivery | undefined;

  constructor(private readonly deps: IntakeDeps) {}

  /** First attempts start in this process while it has room (the worker sets it; undefined: every attempt is a job). */
  useDirectDelivery(direct: DirectDelivery | undefined): void {
    this.direct = direct;
  }

  /** Records the job's event and fans it out; throws InvalidWebhookEvent for a payload off the contract. */
  async intake(job: Pick<OutboxJobData, 'schema' | 'outboxId' | 'topic' | 'payload'>): Promise<IntakeResult> {
    const payload = webhookEventPayloadOf(job);
    const eventId = webhookEventId(job.schema, job.outboxId);
    const body = JSON.stringify(webhookEventBody(eventId, payload, await this.deps.livemode(payload.merchantId)));
    const direct = this.direct?.hasRoom() ? this.direct : undefined;
    const result = await this.record(eventId, payload, body, `${job.schema}:${job.outboxId}`, direct ? (this.deps.leaseMs ?? null) : null);
    if (result.leased.length > 0) direct!.deliver(result.leased);
    await this.deps.schedule(result.scheduled);
    return { eventId: result.eventId, recorded: result.recorded, created: result.created, scheduled: result.scheduled, direct: result.leased.length };
  }

  /**
   * One statement (atomic by itself): the event row, and only when this statement wrote it, one
   * delivery per enabled, live endpoint whose filter matches (a test event: its own endpoint
   * only); answers whether it wrote the event and the event's pending deliveries (the new ones, or
   * on a rerun those already there).
   */
  private async record(
    eventId: string,
    p: WebhookEventPayload,
    body: string,
    source: string,
    leaseMs: number | null,
  ): Promise<Omit<IntakeResult, 'direct'> & { leased: ClaimedDelivery[] }> {
    const target = p.type === 'webhook_endpoint.test' ? String(p.object.id ?? '') : null;
    // Ids for as many endpoints as a merchant may have, in creation order (ULIDs: the log pages by id).
    const ids = deliveryIds(MAX_ENDPOINTS_PER_MERCHANT);
    const [row] = await preparedQuery<{ recorded: boolean; created: number; pending: PendingRow[]; now: string }>(
        this.deps.dataSource,
        'webhook-intake-record',
        `WITH ev AS (
           INSERT INTO ${t('webhook_events')} (id, merchant_id, type, payload, created, source)
           VALUES ($1, $2, $3, $4::json, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id),
         targets AS (
           SELECT e.id AS endpoint_id, row_number() OVER (ORDER BY e.id) AS n,
                  e.url, e.secret_ciphertext, e.previous_secret_ciphertext, e.previous_secret_expires_at
             FROM ${t('webhook_endpoints')} e
            WHERE EXISTS (SELECT 1 FROM ev) AND e.merchant_id = $2 AND e.enabled AND e.deleted_at IS NULL
              AND (CASE WHEN $7::text IS NULL THEN ($3 = ANY(e.events) OR $8 = ANY(e.events)) ELSE e.id = $7 END)),
         created AS (
           INSERT INTO ${t('webhook_deliveries')} (id, event_id, endpoint_id, merchant_id, status, seq, armed_at, next_attempt_at, locked_until)
           SELECT ($9::text[])[t.n], $1, t.endpoint_id, $2, 'PENDING', 1, $5, now(),
                  CASE WHEN $10::int IS NULL THEN NULL ELSE now() + $10::int * interval '1 millisecond' END FROM targets t
           ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id, seq, next_attempt_at, endpoint_id, locked_until),
         existing AS (
           SELECT id, seq, next_attempt_at, endpoint_id FROM ${t('webhook_deliveries')}
            WHERE event_id = $1 AND status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM ev))
         SELECT EXISTS (SELECT 1 FROM ev) AS recorded, (SELECT count(*)::int FROM created) AS created, now() AS now,
                COALESCE((SELECT json_agg(d ORDER BY d.id) FROM (
                  SELECT c.id, c.seq, c.next_attempt_at, c.locked_until IS NOT NULL AS leased, c.endpoint_id,
                         t.url, t.secret_ciphertext, t.previous_secret_ciphertext, t.previous_secret_expires_at
                    FROM created c JOIN targets t ON t.endpoint_id = c.endpoint_id
                  UNION ALL
                  SELECT id, seq, next_attempt_at, false, endpoint_id, NULL, NULL, NULL, NULL::timestamptz FROM existing) d), '[]'::json) AS pending`,
        [eventId, p.merchantId, p.type, body, p.occurredAt, source, target, ALL_EVENTS, ids, leaseMs],
      );
    const now = new Date(row!.now);
    return {
      eventId,
      recorded: row!.recorded,
      created: row!.created,
      scheduled: row!.pending.filter((d) => !d.leased).map((d) => ({ deliveryId: d.id, seq: d.seq, at: new Date(d.next_attempt_at) })),
      leased: row!.pending
        .filter((d) => d.leased)
        .map((d) => ({
          id: d.id,
          eventId,
          endpointId: d.endpoint_id,
          merchantId: p.merchantId,
          seq: d.seq,
          roundAttempts: 0,
          armedAt: new Date(p.occurredAt),
          url: d.url!,
          endpointLive: true,
          secretCiphertext: d.secret_ciphertext!,
          previousSecretCiphertext: d.previous_secret_ciphertext,
          previousSecretExpiresAt: d.previous_secret_expires_at ? new Date(d.previous_secret_expires_at) : null,
          body,
          now,
        })),
    };
  }
}
