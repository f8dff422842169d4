// A delivery attempt's bookkeeping, in PostgreSQL: claim (a short lease, so one attempt of a
// delivery runs at a time, and the row joined with its endpoint and event), then the outcome in one
// transaction — the attempt's log row, the delivery's state (SUCCEEDED; or PENDING with its next
// attempt; or FAILED once the 3-day window is over), the endpoint's failing_since (set by a
// failure, cleared by a success) and, when an endpoint has failed for 5 days, its disabling with
// the merchant's notice and the `webhook_endpoint.disabled` event; for an event about a checkout
// session, the attempt on that session's timeline (delivery-timeline.ts). Claims and successes
// of concurrent jobs share statements (batcher.ts): under load one round trip and one commit
// serve many deliveries; failures, rarer, keep their own transaction.
import { addToOutbox, currentRequestId, webhookEventOutboxEvent, type OutboxEvent } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';
import { preparedQuery, table, updateReturning } from './sql.js';
import { recordNotice } from '../merchant-notice/merchant-notice.service.js';
import { MerchantNoticeKind } from '../merchant-notice/merchant-notice.entity.js';
import { endpointObject, WebhookEndpointEntity } from '../webhook-endpoint/webhook-endpoint.entity.js';
import type { AttemptResult } from './delivery-attempt.js';
import { Batcher } from './batcher.js';
import { deliveryTimelineEvent } from './delivery-timeline.js';
import type { ScheduledAttempt } from './delivery-queue.js';
import { nextAttemptAt, type RetryPolicy } from './retry-schedule.js';
import { WebhookDeliveryStatus } from './webhook-delivery.states.js';

const t = table;

export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 60 * 60 * 1000;
/** The logged error of an attempt whose outcome was never recorded (its lease ran out). */
export const INTERRUPTED_ATTEMPT = 'interrupted';

/** How long a claimed attempt holds its delivery: longer than an attempt's timeout (leaseFor). */
export const LEASE_MS = 60_000;

/** The lease for attempts of `timeoutMs`: twice the timeout and 10 s for the bookkeeping (30 s by default). */
export const leaseFor = (timeoutMs: number) => 2 * timeoutMs + 10_000;

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  /** The event's type (an ACP order event is signed with Merchant-Signature as well). */
  eventType: string;
  endpointId: string;
  merchantId: string;
  /** The endpoint's owning agent, for a delivery to an agent's endpoint; null for a merchant's. */
  agentId: string | null;
  seq: number;
  roundAttempts: number;
  armedAt: Date;
  url: string;
  endpointLive: boolean;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
  body: string;
  /** The database's clock at the claim. */
  now: Date;
}

export interface RecordedOutcome {
  status: WebhookDeliveryStatus | 'STALE';
  next: ScheduledAttempt | null;
  endpointDisabled: boolean;
  /** An outbox row was written (the attempt on its checkout's timeline): the relay is told after the commit. */
  announced?: boolean;
}

interface SuccessToRecord {
  d: ClaimedDelivery;
  attempt: AttemptResult;
  attemptedAt: Date;
  onTimeline: OutboxEvent | null;
  requestId: string | null;
}

function claimedOf(r: Record<string, any>): ClaimedDelivery {
  return {
    id: r.id,
    eventId: r.event_id,
    eventType: r.event_type,
    endpointId: r.endpoint_id,
    merchantId: r.merchant_id,
    agentId: r.agent_id ?? null,
    seq: r.seq,
    roundAttempts: r.round_attempts,
    armedAt: new Date(r.armed_at),
    url: r.url,
    endpointLive: r.endpoint_live,
    secretCiphertext: r.secret_ciphertext,
    previousSecretCiphertext: r.previous_secret_ciphertext,
    previousSecretExpiresAt: r.previous_secret_expires_at ? new Date(r.previous_secret_expires_at) : null,
    body: r.body,
    now: new Date(r.now),
  };
}

export class DeliveryRecorder {
  private readonly claims = new Batcher<{ deliveryId: string; seq: number }, ClaimedDelivery | null>((jobs) => this.claimMany(jobs));
  private readonly successes = new Batcher<SuccessToRecord, boolean>((items) => this.recordSuccesses(items));

  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: RetryPolicy,
    private readonly disableAfterMs = DISABLE_AFTER_FAILING_MS,
    private readonly leaseMs = LEASE_MS,
  ) {}

  /** The delivery, leased, when `seq` is still its current attempt and no other attempt holds it; else null. */
  claim(deliveryId: string, seq: number): Promise<ClaimedDelivery | null> {
    return this.claims.submit({ deliveryId, seq });
  }

  /**
   * Claims of concurrent jobs, one statement (Batcher): each gets its row, or null. A delivery
   * whose previous lease ran out with nothing recorded (its process died mid-attempt, or could not
   * record the outcome) may have reached the receiver: that attempt is logged now as failed with
   * error `interrupted` (at its claim's time), so the log never shows fewer attempts than were made.
   */
  private async claimMany(jobs: Array<{ deliveryId: string; seq: number }>): Promise<Array<ClaimedDelivery | null>> {
    const rows = await preparedQuery<Record<string, any>>(
      this.dataSource,
      'webhook-delivery-claims',
      `WITH j AS (SELECT * FROM unnest($1::text[], $2::int[]) AS j(id, seq)),
       claimed AS (
         UPDATE ${t('webhook_deliveries')} d SET locked_until = now() + $3::int * interval '1 millisecond',
                attempts = d.attempts + CASE WHEN old.prev_lock IS NULL THEN 0 ELSE 1 END
           FROM j, ${t('webhook_endpoints')} e, ${t('webhook_events')} ev,
                (SELECT id, locked_until AS prev_lock FROM ${t('webhook_deliveries')} WHERE id IN (SELECT id FROM j)) old
          WHERE d.id = j.id AND d.seq = j.seq AND d.status = 'PENDING' AND (d.locked_until IS NULL OR d.locked_until < now())
            AND e.id = d.endpoint_id AND ev.id = d.event_id AND old.id = d.id
          RETURNING d.id, d.event_id, ev.type AS event_type, d.endpoint_id, d.merchant_id, d.agent_id, d.seq, d.round_attempts, d.armed_at,
                    e.url, (e.enabled AND e.deleted_at IS NULL) AS endpoint_live, e.secret_ciphertext,
                    e.previous_secret_ciphertext, e.previous_secret_expires_at, ev.payload::text AS body, now() AS now, old.prev_lock),
       interrupted AS (
         INSERT INTO ${t('webhook_delivery_attempts')} (delivery_id, attempted_at, url, succeeded, status_code, error, latency_ms, response_excerpt)
         SELECT id, prev_lock - $3::int * interval '1 millisecond', url, false, NULL, '${INTERRUPTED_ATTEMPT}', 0, NULL FROM claimed WHERE prev_lock IS NOT NULL)
       SELECT * FROM claimed`,
      [jobs.map((j) => j.deliveryId), jobs.map((j) => j.seq), this.leaseMs],
    );
    const byKey = new Map(rows.map((r) => [`${r.id}:${r.seq}`, r]));
    // A delivery asked twice in one batch is leased once: the first asker has it.
    return jobs.map((j) => {
      const key = `${j.deliveryId}:${j.seq}`;
      const r = byKey.get(key);
      byKey.delete(key);
      return r ? claimedOf(r) : null;
    });
  }

  /** Gives the lease back without an attempt (Handoff could not make one: the job retries). */
  async release(d: ClaimedDelivery): Promise<void> {
    await this.dataSource.query(`UPDATE ${t('webhook_deliveries')} SET locked_until = NULL WHERE id = $1 AND seq = $2`, [d.id, d.seq]);
  }

  /** The endpoint was disabled or deleted: the delivery FAILS without an attempt. */
  async abandon(d: ClaimedDelivery): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${t('webhook_deliveries')}
          SET status = 'FAILED', next_attempt_at = NULL, locked_until = NULL, last_error = 'endpoint_disabled',
              completed_at = now(), updated_at = now()
        WHERE id = $1 AND seq = $2 AND status = 'PENDING'`,
      [d.id, d.seq],
    );
  }

  /** Records an attempt's outcome; `next` is the attempt to schedule (after the commit), if any. */
  async record(d: ClaimedDelivery, attempt: AttemptResult, attemptedAt: Date): Promise<RecordedOutcome> {
    return attempt.succeeded ? this.recordSuccess(d, attempt, attemptedAt) : this.recordFailure(d, attempt, attemptedAt);
  }

  /** The hot path: the log row, SUCCEEDED (guarded by seq), the endpoint's failure streak cleared; batched with concurrent successes. */
  private async recordSuccess(d: ClaimedDelivery, attempt: AttemptResult, attemptedAt: Date): Promise<RecordedOutcome> {
    // The merchant's checkout timeline shows its own endpoints' deliveries, not an agent's.
    const onTimeline = d.agentId === null ? deliveryTimelineEvent(d, attempt, false) : null;
    const moved = await this.successes.submit({ d, attempt, attemptedAt, onTimeline, requestId: currentRequestId() ?? null });
    return { status: moved ? WebhookDeliveryStatus.SUCCEEDED : 'STALE', next: null, endpointDisabled: false, announced: moved && onTimeline !== null };
  }

  /**
   * Successful attempts of concurrent jobs in one statement (one commit): their log rows, their
   * deliveries SUCCEEDED (each guarded by its seq), their endpoints' failure streaks cleared and,
   * for events about a checkout, the attempt on its timeline (delivery-timeline.ts) for the
   * deliveries it moved. Answers, per attempt, whether it moved its delivery.
   */
  private async recordSuccesses(items: SuccessToRecord[]): Promise<boolean[]> {
    const col = <T>(f: (i: SuccessToRecord) => T) => items.map(f);
    const rows = await preparedQuery<{ id: string }>(
      this.dataSource,
      'webhook-delivery-successes',
      `WITH j AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                AS j(id, seq, attempted_at, url, status_code, latency_ms, excerpt, endpoint_id, topic, aggregate_id, payload, request_id)),
       attempt AS (
         INSERT INTO ${t('webhook_delivery_attempts')} (delivery_id, attempted_at, url, succeeded, status_code, error, latency_ms, response_excerpt)
         SELECT id, attempted_at, url, true, status_code, NULL, latency_ms, excerpt FROM j),
       moved AS (
         UPDATE ${t('webhook_deliveries')} d
            SET status = 'SUCCEEDED', attempts = d.attempts + 1, round_attempts = d.round_attempts + 1, next_attempt_at = NULL,
                locked_until = NULL, last_attempt_at = j.attempted_at, last_status_code = j.status_code, last_error = NULL, updated_at = now(), completed_at = now()
           FROM j WHERE d.id = j.id AND d.seq = j.seq AND d.status = 'PENDING'
          RETURNING d.id),
       recovered AS (
         UPDATE ${t('webhook_endpoints')} SET failing_since = NULL WHERE id IN (SELECT endpoint_id FROM j) AND failing_since IS NOT NULL),
       timeline AS (
         INSERT INTO ${t('outbox')} (topic, aggregate_id, payload, request_id)
         SELECT j.topic, j.aggregate_id, j.payload::jsonb, j.request_id FROM j JOIN moved m ON m.id = j.id WHERE j.topic IS NOT NULL)
       SELECT id FROM moved`,
      [
        col((i) => i.d.id), col((i) => i.d.seq), col((i) => i.attemptedAt), col((i) => i.d.url), col((i) => i.attempt.statusCode),
        col((i) => i.attempt.latencyMs), col((i) => i.attempt.responseExcerpt), col((i) => i.d.endpointId),
        col((i) => i.onTimeline?.topic ?? null), col((i) => i.onTimeline?.aggregateId ?? null),
        col((i) => (i.onTimeline ? JSON.stringify(i.onTimeline.payload) : null)), col((i) => (i.onTimeline ? i.requestId : null)),
      ],
    );
    const moved = new Set(rows.map((r) => r.id));
    // A delivery twice in one batch (it cannot be: one lease) would count as moved for both.
    return items.map((i) => moved.has(i.d.id));
  }

  private async recordFailure(d: ClaimedDelivery, attempt: AttemptResult, attemptedAt: Date): Promise<RecordedOutcome> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO ${t('webhook_delivery_attempts')} (delivery_id, attempted_at, url, succeeded, status_code, error, latency_ms, response_excerpt)
         VALUES ($1, $2, $3, false, $4, $5, $6, $7)`,
        [d.id, attemptedAt, d.url, attempt.statusCode, attempt.error, attempt.latencyMs, attempt.responseExcerpt],
      );
      const now = new Date(d.now.getTime() + attempt.latencyMs);
      const next = nextAttemptAt(d.roundAttempts + 1, d.armedAt, now, this.policy);
      const status = next ? WebhookDeliveryStatus.PENDING : WebhookDeliveryStatus.FAILED;
      // Guarded by seq: a replay that re-armed the delivery meanwhile owns its state now.
      const moved = await updateReturning<{ seq: number }>(
        manager,
        `UPDATE ${t('webhook_deliveries')}
            SET status = $3, attempts = attempts + 1, round_attempts = round_attempts + 1,
                seq = seq + CASE WHEN $3 = 'PENDING' THEN 1 ELSE 0 END, next_attempt_at = $4, locked_until = NULL,
                last_attempt_at = $5, last_status_code = $6, last_error = $7, updated_at = now(),
                completed_at = CASE WHEN $3 = 'PENDING' THEN NULL ELSE now() END
          WHERE id = $1 AND seq = $2 AND status = 'PENDING'
          RETURNING seq`,
        [d.id, d.seq, status, next, attemptedAt, attempt.statusCode, attempt.error ?? `http_${attempt.statusCode}`],
      );
      const endpointDisabled = await this.endpointFailed(manager, d.endpointId);
      if (moved.length === 0) return { status: 'STALE' as const, next: null, endpointDisabled };
      // The failed attempt on its checkout's timeline (delivery-timeline.ts), when the event is about one.
      const onTimeline = d.agentId === null ? deliveryTimelineEvent(d, attempt, status === WebhookDeliveryStatus.PENDING) : null;
      if (onTimeline) await addToOutbox(manager, SCHEMA_NAME, onTimeline);
      return { status, next: next ? { deliveryId: d.id, seq: moved[0]!.seq, at: next } : null, endpointDisabled, announced: onTimeline !== null };
    });
  }

  /** Marks the endpoint failing; disables it once it has failed for 5 days (with a notice and an event). */
  private async endpointFailed(manager: EntityManager, endpointId: string): Promise<boolean> {
    await manager.query(`UPDATE ${t('webhook_endpoints')} SET failing_since = COALESCE(failing_since, now()) WHERE id = $1`, [endpointId]);
    // Its own statement: after a concurrent failure's lock, `enabled` is read again, so one of them disables it.
    const disabled = await updateReturning<{ id: string }>(
      manager,
      `UPDATE ${t('webhook_endpoints')} SET enabled = false, disabled_reason = 'FAILING', updated_at = now()
        WHERE id = $1 AND enabled AND deleted_at IS NULL AND failing_since <= now() - $2::bigint * interval '1 millisecond'
        RETURNING id`,
      [endpointId, this.disableAfterMs],
    );
    if (disabled.length === 0) return false;
    const endpoint = await manager.findOneByOrFail(WebhookEndpointEntity, { id: endpointId });
    // An agent's endpoint: disabled (it reads so on agentWebhookEndpoints); no merchant hears of it.
    if (endpoint.merchantId === null) return true;
    await recordNotice(manager, {
      merchantId: endpoint.merchantId,
      kind: MerchantNoticeKind.webhookEndpointDisabled,
      subjectId: endpoint.id,
      message: `Webhook endpoint ${endpoint.id} (${endpoint.url}) was disabled: every delivery to it has failed since ${endpoint.failingSince!.toISOString()}. Fix it, enable it again (updateWebhookEndpoint) and replay what it missed (replayWebhookEvents).`,
    });
    await addToOutbox(
      manager,
      SCHEMA_NAME,
      webhookEventOutboxEvent({
        type: 'webhook_endpoint.disabled',
        merchantId: endpoint.merchantId,
        object: endpointObject(endpoint),
        previousAttributes: { enabled: true, disabled_reason: null },
        occurredAt: new Date().toISOString(),
      }),
    );
    return true;
  }
}
