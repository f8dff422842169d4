// The intake of merchants' webhook events (queue outbound-webhook-events, filled by every
// producer's outbox relay): records the event once (its id a function of the producer's outbox
// row, so a re-added job finds it) and, in the same statement, one PENDING delivery per
// enabled endpoint of the merchant whose filter matches (and of the agent whose checkout it is
// about, for the types agents may subscribe to; a test event: its one endpoint), then
// schedules each pending delivery's attempt. A replayed job creates nothing twice: the event's
// row exists, so there is no fan-out again; its pending deliveries are scheduled again (a no-op
// for jobs still queued). While this process has room (the worker's direct delivery), new
// deliveries are created already leased and their first attempt starts here at once, without a
// delivery job; a process that dies mid-attempt leaves a lease that runs out, and the sweep
// re-adds the attempt (logged `interrupted`). Concurrent intakes share that statement (one round
// trip and one commit for up to 100 events under load; each event's rows as if alone).
import { isAgentWebhookEventType, webhookEventId, type OutboxJobData, type WebhookEventPayload } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { ALL_EVENTS, MAX_ENDPOINTS_PER_MERCHANT } from '../webhook-endpoint/webhook-endpoint.validation.js';
import { Batcher } from './batcher.js';
import { deliveryIds } from './delivery-ids.js';
import type { ScheduledAttempt } from './delivery-queue.js';
import type { ClaimedDelivery } from './delivery-recorder.js';
import { preparedQuery, table } from './sql.js';
import { deliveredBody, webhookEventPayloadOf } from './webhook-event-body.js';

const t = table;
/**
 * The most endpoints one event goes to: its merchant's, and (an agent's checkout, a type agents
 * may subscribe to) the agent's own.
 */
const ENDPOINT_SLOTS = 2 * MAX_ENDPOINTS_PER_MERCHANT;

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
  /**
   * Takes room for one event's first attempt, when there is any (false: none taken). Given back
   * by deliver (which starts the event's attempts in it) or unreserve (the intake failed): room is
   * taken when the intake asks, so the events of one batched statement do not all count on the
   * same free room and find it gone when the statement returns.
   */
  reserve(): boolean;
  /** Starts the attempts of these leased deliveries (one event's) in the room reserved for it; never throws. */
  deliver(claims: readonly ClaimedDelivery[]): void;
  /** Gives back room reserved for an event whose intake failed. */
  unreserve(): void;
}

interface PendingRow {
  id: string;
  seq: number;
  next_attempt_at: string;
  leased: boolean;
  endpoint_id: string;
  agent_id: string | null;
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
    const body = JSON.stringify(deliveredBody(eventId, payload, await this.deps.livemode(payload.merchantId)));
    const direct = this.direct?.reserve() ? this.direct : undefined;
    let result: RecordedEvent;
    try {
      result = await this.records.submit({
        eventId,
        payload,
        body,
        source: `${job.schema}:${job.outboxId}`,
        target: payload.type === 'webhook_endpoint.test' ? String(payload.object.id ?? '') : null,
        leaseMs: direct ? (this.deps.leaseMs ?? null) : null,
      });
    } catch (err) {
      direct?.unreserve();
      throw err;
    }
    direct?.deliver(result.leased);
    await this.deps.schedule(result.scheduled);
    return { eventId: result.eventId, recorded: result.recorded, created: result.created, scheduled: result.scheduled, direct: result.leased.length };
  }

  /**
   * The events of concurrent intakes in one statement (Batcher: alone when idle, up to 100 at a
   * time under load: one round trip and one commit for many events). Atomic by itself: each
   * event's row, and only for the events this statement wrote, one delivery per enabled, live
   * endpoint whose filter matches (a test event: its own endpoint only); answers, per event,
   * whether it wrote the event and the event's pending deliveries (the new ones, or on a rerun
   * those already there). One event twice in a batch (a job rerun while it runs): the later
   * intakes go in the next statement, after the first is committed, as reruns.
   */
  private readonly records = new Batcher<EventToRecord, RecordedEvent>((items) => this.recordMany(items));

  private async recordMany(items: EventToRecord[]): Promise<RecordedEvent[]> {
    const seen = new Set<string>();
    const first: number[] = [];
    const later: number[] = [];
    items.forEach((item, i) => {
      if (seen.has(item.eventId)) later.push(i);
      else {
        seen.add(item.eventId);
        first.push(i);
      }
    });
    const out = new Array<RecordedEvent>(items.length);
    const recorded = await this.recordDistinct(first.map((i) => items[i]!));
    first.forEach((i, j) => (out[i] = recorded[j]!));
    if (later.length > 0) {
      const rerun = await this.recordMany(later.map((i) => items[i]!));
      later.forEach((i, j) => (out[i] = rerun[j]!));
    }
    return out;
  }

  private async recordDistinct(items: EventToRecord[]): Promise<RecordedEvent[]> {
    // Ids for as many endpoints as an event may go to, per event, in creation order (ULIDs: the log pages by id).
    const ids = deliveryIds(ENDPOINT_SLOTS * items.length);
    const rows = await preparedQuery<{ k: string; recorded: boolean; created: number; pending: PendingRow[]; now: string }>(
      this.deps.dataSource,
      'webhook-intake-record-many',
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::int[],
                              $12::text[], $13::bool[], $14::bool[])
           WITH ORDINALITY AS i(event_id, merchant_id, type, body, created, source, target, lease_ms, agent_id, to_merchant, to_agent, k)),
       ev AS (
         INSERT INTO ${t('webhook_events')} (id, merchant_id, type, payload, created, source)
         SELECT event_id, merchant_id, type, body::json, created, source FROM input ORDER BY k
         ON CONFLICT (id) DO NOTHING RETURNING id),
       targets AS (
         SELECT i.k, e.id AS endpoint_id, e.agent_id, row_number() OVER (PARTITION BY i.k ORDER BY e.id) AS n,
                e.url, e.secret_ciphertext, e.previous_secret_ciphertext, e.previous_secret_expires_at
           FROM input i JOIN ev ON ev.id = i.event_id
           JOIN ${t('webhook_endpoints')} e ON e.enabled AND e.deleted_at IS NULL
            AND (CASE WHEN i.target IS NOT NULL THEN e.id = i.target
                      ELSE ((i.to_merchant AND e.merchant_id = i.merchant_id) OR (i.to_agent AND e.agent_id = i.agent_id))
                           AND (i.type = ANY(e.events) OR $9 = ANY(e.events)) END)),
       created AS (
         INSERT INTO ${t('webhook_deliveries')} (id, event_id, endpoint_id, merchant_id, agent_id, status, seq, armed_at, next_attempt_at, locked_until)
         SELECT ($10::text[])[(t.k - 1) * $11::int + t.n], i.event_id, t.endpoint_id, i.merchant_id, t.agent_id, 'PENDING', 1, i.created, now(),
                CASE WHEN i.lease_ms IS NULL THEN NULL ELSE now() + i.lease_ms * interval '1 millisecond' END
           FROM targets t JOIN input i ON i.k = t.k ORDER BY t.k, t.n
         ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id, event_id, seq, next_attempt_at, endpoint_id, agent_id, locked_until),
       existing AS (
         SELECT d.id, d.event_id, d.seq, d.next_attempt_at, d.endpoint_id, d.agent_id
           FROM ${t('webhook_deliveries')} d JOIN input i ON d.event_id = i.event_id
          WHERE d.status = 'PENDING' AND NOT EXISTS (SELECT 1 FROM ev WHERE ev.id = i.event_id))
       SELECT i.k, EXISTS (SELECT 1 FROM ev WHERE ev.id = i.event_id) AS recorded, now() AS now,
              (SELECT count(*)::int FROM created c WHERE c.event_id = i.event_id) AS created,
              COALESCE((SELECT json_agg(d ORDER BY d.id) FROM (
                SELECT c.id, c.seq, c.next_attempt_at, c.locked_until IS NOT NULL AS leased, c.endpoint_id, c.agent_id,
                       t.url, t.secret_ciphertext, t.previous_secret_ciphertext, t.previous_secret_expires_at
                  FROM created c JOIN targets t ON t.k = i.k AND t.endpoint_id = c.endpoint_id
                 WHERE c.event_id = i.event_id
                UNION ALL
                SELECT x.id, x.seq, x.next_attempt_at, false, x.endpoint_id, x.agent_id, NULL, NULL, NULL, NULL::timestamptz
                  FROM existing x WHERE x.event_id = i.event_id) d), '[]'::json) AS pending
         FROM input i ORDER BY i.k`,
      [
        items.map((e) => e.eventId),
        items.map((e) => e.payload.merchantId),
        items.map((e) => e.payload.type),
        items.map((e) => e.body),
        items.map((e) => e.payload.occurredAt),
        items.map((e) => e.source),
        items.map((e) => e.target),
        items.map((e) => e.leaseMs),
        ALL_EVENTS,
        ids,
        ENDPOINT_SLOTS,
        items.map((e) => e.payload.agentId ?? null),
        items.map((e) => e.payload.audience !== 'agent'),
        items.map((e) => Boolean(e.payload.agentId) && isAgentWebhookEventType(e.payload.type)),
      ],
    );
    return items.map((item, i) => {
      const row = rows[i]!;
      if (Number(row.k) !== i + 1) throw new Error(`webhook intake: row ${row.k} answered for event ${i + 1}`);
      return resultOf(item, row);
    });
  }
}

interface EventToRecord {
  eventId: string;
  payload: WebhookEventPayload;
  body: string;
  source: string;
  /** A test event's one endpoint; null: every matching endpoint. */
  target: string | null;
  /** Deliveries created leased for this long (a direct first attempt), or null. */
  leaseMs: number | null;
}

type RecordedEvent = Omit<IntakeResult, 'direct'> & { leased: ClaimedDelivery[] };

function resultOf(item: EventToRecord, row: { recorded: boolean; created: number; pending: PendingRow[]; now: string }): RecordedEvent {
  const { eventId, payload: p, body } = item;
  const now = new Date(row.now);
  return {
    eventId,
    recorded: row.recorded,
    created: row.created,
    scheduled: row.pending.filter((d) => !d.leased).map((d) => ({ deliveryId: d.id, seq: d.seq, at: new Date(d.next_attempt_at) })),
    leased: row.pending
      .filter((d) => d.leased)
      .map((d) => ({
        id: d.id,
        eventId,
        eventType: p.type,
        endpointId: d.endpoint_id,
        merchantId: p.merchantId,
        agentId: d.agent_id,
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
