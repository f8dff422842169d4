// The intake of merchants' webhook events (queue outbound-webhook-events, filled by every
// producer's outbox relay): records the event once (its id a function of the producer's outbox
// row, so a re-added job finds it) and, in the same statement, one PENDING delivery per
// enabled endpoint of the merchant whose filter matches (a test event: its one endpoint), then
// schedules each pending delivery's attempt. A replayed job creates nothing twice: the event's
// row exists, so there is no fan-out again; its pending deliveries are scheduled again (a no-op
// for jobs still queued).
import { webhookEventId, type OutboxJobData, type WebhookEventPayload } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { ALL_EVENTS, MAX_ENDPOINTS_PER_MERCHANT } from '../webhook-endpoint/webhook-endpoint.validation.js';
import { deliveryIds } from './delivery-ids.js';
import type { ScheduledAttempt } from './delivery-queue.js';
import { table } from './sql.js';
import { webhookEventBody, webhookEventPayloadOf } from './webhook-event-body.js';

const t = table;

export interface IntakeResult {
  eventId: string;
  /** False when the event was recorded before (a replayed job). */
  recorded: boolean;
  /** Deliveries this run created. */
  created: number;
  /** Pending deliveries of the event, scheduled. */
  scheduled: ScheduledAttempt[];
}

export interface IntakeDeps {
  dataSource: DataSource;
  /** Whether the merchant's payments are live (the body's `livemode`). */
  livemode: (merchantId: string) => Promise<boolean>;
  schedule: (attempts: readonly ScheduledAttempt[]) => Promise<void>;
}

export class WebhookIntakeService {
  constructor(private readonly deps: IntakeDeps) {}

  /** Records the job's event and fans it out; throws InvalidWebhookEvent for a payload off the contract. */
  async intake(job: Pick<OutboxJobData, 'schema' | 'outboxId' | 'topic' | 'payload'>): Promise<IntakeResult> {
    const payload = webhookEventPayloadOf(job);
    const eventId = webhookEventId(job.schema, job.outboxId);
    const body = JSON.stringify(webhookEventBody(eventId, payload, await this.deps.livemode(payload.merchantId)));
    const result = await this.record(eventId, payload, body, `${job.schema}:${job.outboxId}`);
    await this.deps.schedule(result.scheduled);
    return result;
  }

  /**
   * One statement (atomic by itself): the event row, and only when this statement wrote it, one
   * delivery per enabled, live endpoint whose filter matches (a test event: its own endpoint
   * only); answers whether it wrote the event and the event's pending deliveries (the new ones, or
   * on a rerun those already there).
   */
  private async record(eventId: string, p: WebhookEventPayload, body: string, source: string): Promise<IntakeResult> {
    const target = p.type === 'webhook_endpoint.test' ? String(p.object.id ?? '') : null;
    // Ids for as many endpoints as a merchant may have, in creation order (ULIDs: the log pages by id).
    const ids = deliveryIds(MAX_ENDPOINTS_PER_MERCHANT);
    const [row]: Array<{ recorded: boolean; created: number; pending: Array<{ id: string; seq: number; next_attempt_at: string }> }> =
      await this.deps.dataSource.query(
        `WITH ev AS (
           INSERT INTO ${t('webhook_events')} (id, merchant_id, type, payload, created, source)
           VALUES ($1, $2, $3, $4::json, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id),
         targets AS (
           SELECT e.id AS endpoint_id, row_number() OVER (ORDER BY e.id) AS n
             FROM ${t('webhook_endpoints')} e
            WHERE EXISTS (SELECT 1 FROM ev) AND e.merchant_id = $2 AND e.enabled AND e.deleted_at IS NULL
              AND (CASE WHEN $7::text IS NULL THEN ($3 = ANY(e.events) OR $8 = ANY(e.events)) ELSE e.id = $7 END)),
         created AS (
           INSERT INTO ${t('webhook_deliveries')} (id, event_id, endpoint_id, merchant_id, status, seq, armed_at, next_attempt_at)
           SELECT ($9::text[])[t.n], $1, t.endpoint_id, $2, 'PENDING', 1, $5, now() FROM targets t
           ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id, seq, next_attempt_at),
         existing AS (
           SELECT id, seq, next_attempt_at FROM ${t('webhook_deliveries')}
            WHERE event_id = $1 AND status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM ev))
         SELECT EXISTS (SELECT 1 FROM ev) AS recorded, (SELECT count(*)::int FROM created) AS created,
                COALESCE((SELECT json_agg(d ORDER BY d.id) FROM (SELECT * FROM created UNION ALL SELECT * FROM existing) d), '[]'::json) AS pending`,
        [eventId, p.merchantId, p.type, body, p.occurredAt, source, target, ALL_EVENTS, ids],
      );
    return {
      eventId,
      recorded: row!.recorded,
      created: row!.created,
      scheduled: row!.pending.map((d) => ({ deliveryId: d.id, seq: d.seq, at: new Date(d.next_attempt_at) })),
    };
  }
}
