// The intake of merchants' webhook events (queue outbound-webhook-events, filled by every
// producer's outbox relay): records the event once (its id a function of the producer's outbox
// row, so a re-added job finds it) and, in the same transaction, one PENDING delivery per
// enabled endpoint of the merchant whose filter matches (a test event: its one endpoint), then
// schedules each pending delivery's attempt. A replayed job creates nothing twice: the event's
// row exists, so there is no fan-out again; its pending deliveries are scheduled again (a no-op
// for jobs still queued).
import { webhookEventId, type OutboxJobData, type WebhookEventPayload } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { ALL_EVENTS } from '../webhook-endpoint/webhook-endpoint.validation.js';
import type { ScheduledAttempt } from './delivery-queue.js';
import { webhookEventBody, webhookEventPayloadOf } from './webhook-event-body.js';
import { WebhookDeliveryStatus } from './webhook-delivery.states.js';

const t = (name: string) => `"${SCHEMA_NAME}".${name}`;

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
    const result = await this.deps.dataSource.transaction(async (manager) => {
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO ${t('webhook_events')} (id, merchant_id, type, payload, created, source)
         VALUES ($1, $2, $3, $4::json, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [eventId, payload.merchantId, payload.type, body, payload.occurredAt, `${job.schema}:${job.outboxId}`],
      );
      const recorded = inserted.length === 1;
      const created = recorded ? await this.fanOut(manager, eventId, payload) : 0;
      const pending: Array<{ id: string; seq: number; next_attempt_at: Date }> = await manager.query(
        `SELECT id, seq, next_attempt_at FROM ${t('webhook_deliveries')} WHERE event_id = $1 AND status = $2 ORDER BY id`,
        [eventId, WebhookDeliveryStatus.PENDING],
      );
      return { eventId, recorded, created, scheduled: pending.map((d) => ({ deliveryId: d.id, seq: d.seq, at: new Date(d.next_attempt_at) })) };
    });
    await this.deps.schedule(result.scheduled);
    return result;
  }

  /** One delivery per enabled, live endpoint whose filter matches; a test event goes to its own endpoint only. */
  private async fanOut(manager: EntityManager, eventId: string, p: WebhookEventPayload): Promise<number> {
    const target = p.type === 'webhook_endpoint.test' ? String(p.object.id ?? '') : null;
    const endpoints: Array<{ id: string }> = await manager.query(
      `SELECT id FROM ${t('webhook_endpoints')}
        WHERE merchant_id = $1 AND enabled AND deleted_at IS NULL
          AND (CASE WHEN $3::text IS NULL THEN ($2 = ANY(events) OR $4 = ANY(events)) ELSE id = $3 END)
        ORDER BY id`,
      [p.merchantId, p.type, target, ALL_EVENTS],
    );
    if (endpoints.length === 0) return 0;
    const ids = endpoints.map(() => `wd_${ulid()}`);
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO ${t('webhook_deliveries')} (id, event_id, endpoint_id, merchant_id, status, seq, armed_at, next_attempt_at)
       SELECT d.id, $1, d.endpoint_id, $2, $3, 1, $4, now() FROM unnest($5::text[], $6::text[]) AS d(id, endpoint_id)
       ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id`,
      [eventId, p.merchantId, WebhookDeliveryStatus.PENDING, p.occurredAt, ids, endpoints.map((e) => e.id)],
    );
    return rows.length;
  }
}
