// Reading an endpoint's delivery log and replaying: one delivery (re-armed: the same delivery and
// event id, an attempt now, then the usual retries for 3 days from the replay), or every event
// of an endpoint since a time (each existing delivery re-armed — SUCCEEDED ones only when asked —
// and a new delivery for each matching event the endpoint never got, e.g. while it was
// disabled). Replays to a disabled endpoint are refused; another merchant's is NOT_FOUND.
import { assertTransition, badUserInput, decodeCursor, pageSize, toPage, type Page, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookEndpointEntity } from '../webhook-endpoint/webhook-endpoint.entity.js';
import { webhookDeliveryNotFound, webhookEndpointDisabled, webhookEndpointNotFound } from '../webhook-endpoint/webhook-endpoint.errors.js';
import { ALL_EVENTS } from '../webhook-endpoint/webhook-endpoint.validation.js';
import type { ScheduledAttempt } from './delivery-queue.js';
import { WebhookDeliveryAttemptEntity, WebhookDeliveryEntity, WebhookEventEntity } from './webhook-delivery.entity.js';
import { table, updateReturning } from './sql.js';
import { deliveryStates, type WebhookDeliveryStatus } from './webhook-delivery.states.js';

type Caller = Principal & { kind: 'ADMIN' | 'MERCHANT' | 'AGENT' };

/** Whether `principal` owns (or, an admin, may act on) the endpoint `e`: a merchant its own, an agent its own. */
export function ownsEndpoint(principal: Caller, e: Pick<WebhookEndpointEntity, 'merchantId' | 'agentId'>): boolean {
  if (principal.kind === 'ADMIN') return true;
  if (principal.kind === 'AGENT') return e.agentId !== null && e.agentId === principal.agentId;
  return e.agentId === null && e.merchantId === principal.merchantId;
}
const t = table;

/** At most this many events per replayWebhookEvents call; `nextSince` continues. */
export const MAX_REPLAY_EVENTS = 10_000;

export interface ReplayResult {
  endpointId: string;
  since: Date;
  /** Deliveries re-armed or created: each gets an attempt now. */
  deliveries: number;
  /** Set when more events were left than one call replays: call again with since = nextSince. */
  nextSince: Date | null;
}

// Re-arming a delivery: its next attempt now (a new seq: any job of the old schedule is stale).
const REARM = `status = 'PENDING', seq = seq + 1, round_attempts = 0, armed_at = now(), next_attempt_at = now(),
               locked_until = NULL, completed_at = NULL, updated_at = now()`;

export class WebhookDeliveryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schedule: (attempts: readonly ScheduledAttempt[]) => Promise<void>,
  ) {}

  /** An endpoint's deliveries, newest first (the endpoint already checked visible). */
  async listForEndpoint(
    endpointId: string,
    args: { first?: number | null; after?: string | null; status?: WebhookDeliveryStatus | null },
  ): Promise<Page<WebhookDeliveryEntity>> {
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after);
    const qb = this.dataSource.getRepository(WebhookDeliveryEntity).createQueryBuilder('d').where('d.endpointId = :endpointId', { endpointId });
    if (args.status) qb.andWhere('d.status = :status', { status: args.status });
    const paged = qb.clone().orderBy('d.id', 'DESC').limit(limit + 1);
    if (after !== undefined) paged.andWhere('d.id < :after', { after });
    const [rows, total] = await Promise.all([paged.getMany(), qb.getCount()]);
    return toPage(rows, limit, total, (d) => d.id);
  }

  async events(ids: readonly string[]): Promise<Array<WebhookEventEntity | null>> {
    const rows = await this.dataSource.getRepository(WebhookEventEntity).createQueryBuilder('e').where('e.id = ANY(:ids)', { ids: [...ids] }).getMany();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** A delivery's attempts, oldest first. */
  attempts(deliveryId: string): Promise<WebhookDeliveryAttemptEntity[]> {
    return this.dataSource.getRepository(WebhookDeliveryAttemptEntity).find({ where: { deliveryId }, order: { id: 'ASC' } });
  }

  /** Re-arms one delivery: an attempt now with the same event id. */
  async replayDelivery(principal: Caller, deliveryId: string): Promise<WebhookDeliveryEntity> {
    const delivery = await this.dataSource.transaction(async (manager) => {
      const d = await manager.findOne(WebhookDeliveryEntity, { where: { id: deliveryId }, lock: { mode: 'pessimistic_write' } });
      if (!d) throw webhookDeliveryNotFound(deliveryId);
      const endpoint = await manager.findOneBy(WebhookEndpointEntity, { id: d.endpointId });
      // A delivery to an agent's endpoint carries the event's merchant: ownership is the endpoint's.
      if (!endpoint || endpoint.deletedAt !== null || !ownsEndpoint(principal, endpoint)) throw webhookDeliveryNotFound(deliveryId);
      if (!endpoint.enabled) throw webhookEndpointDisabled(endpoint.id);
      assertTransition(deliveryStates, d.status, 'PENDING');
      await manager.query(`UPDATE ${t('webhook_deliveries')} SET ${REARM} WHERE id = $1`, [d.id]);
      return manager.findOneByOrFail(WebhookDeliveryEntity, { id: d.id });
    });
    await this.schedule([{ deliveryId: delivery.id, seq: delivery.seq, at: delivery.nextAttemptAt ?? new Date() }]);
    return delivery;
  }

  /** Every event of the endpoint since `since` (oldest first, at most MAX_REPLAY_EVENTS), each attempted now. */
  async replayEvents(principal: Caller, endpointId: string, since: Date, includeSucceeded: boolean): Promise<ReplayResult> {
    if (Number.isNaN(since.getTime())) throw badUserInput('since', 'must be a date-time.');
    if (since.getTime() > Date.now()) throw badUserInput('since', 'must not be in the future.');
    const { result, scheduled } = await this.dataSource.transaction(async (manager) => {
      const endpoint = await manager.findOne(WebhookEndpointEntity, { where: { id: endpointId }, lock: { mode: 'pessimistic_write' } });
      if (!endpoint || endpoint.deletedAt !== null || !ownsEndpoint(principal, endpoint)) {
        throw webhookEndpointNotFound(endpointId);
      }
      if (!endpoint.enabled) throw webhookEndpointDisabled(endpointId);
      return this.replayIn(manager, endpoint, since, includeSucceeded);
    });
    await this.schedule(scheduled);
    return result;
  }

  private async replayIn(
    manager: EntityManager,
    endpoint: WebhookEndpointEntity,
    since: Date,
    includeSucceeded: boolean,
  ): Promise<{ result: ReplayResult; scheduled: ScheduledAttempt[] }> {
    // The events it was sent (whatever its filter is now), and those its filter matches that it
    // never got; a test event only when it was this endpoint's.
    type Candidate = { event_id: string; created: Date; delivery_id: string | null; status: WebhookDeliveryStatus | null };
    // An agent's endpoint: the events it was sent (its events are found through its deliveries).
    const candidates: Candidate[] = endpoint.agentId !== null
      ? await manager.query(
          `SELECT ev.id AS event_id, ev.created, d.id AS delivery_id, d.status
             FROM ${t('webhook_deliveries')} d JOIN ${t('webhook_events')} ev ON ev.id = d.event_id
            WHERE d.endpoint_id = $1 AND ev.created >= $2
            ORDER BY ev.created, ev.id
            LIMIT $3`,
          [endpoint.id, since, MAX_REPLAY_EVENTS + 1],
        )
      : await manager.query(
      `SELECT ev.id AS event_id, ev.created, d.id AS delivery_id, d.status
         FROM ${t('webhook_events')} ev
         LEFT JOIN ${t('webhook_deliveries')} d ON d.event_id = ev.id AND d.endpoint_id = $2
        WHERE ev.merchant_id = $1 AND ev.created >= $3
          AND (d.id IS NOT NULL OR (ev.type <> 'webhook_endpoint.test' AND (ev.type = ANY($4::text[]) OR $5 = ANY($4::text[]))))
        ORDER BY ev.created, ev.id
        LIMIT $6`,
      [endpoint.merchantId, endpoint.id, since, endpoint.events, ALL_EVENTS, MAX_REPLAY_EVENTS + 1],
    );
    const taken = candidates.slice(0, MAX_REPLAY_EVENTS);
    const nextSince = candidates.length > MAX_REPLAY_EVENTS ? new Date(candidates[MAX_REPLAY_EVENTS]!.created) : null;
    const rearm = taken.filter((c) => c.delivery_id !== null && (includeSucceeded || c.status !== 'SUCCEEDED')).map((c) => c.delivery_id!);
    const missing = taken.filter((c) => c.delivery_id === null).map((c) => c.event_id);
    const rearmed: Array<{ id: string; seq: number }> = rearm.length
      ? await updateReturning<{ id: string; seq: number }>(manager, `UPDATE ${t('webhook_deliveries')} SET ${REARM} WHERE id = ANY($1::text[]) RETURNING id, seq`, [rearm])
      : [];
    const created: Array<{ id: string; seq: number }> = missing.length
      ? await manager.query(
          `INSERT INTO ${t('webhook_deliveries')} (id, event_id, endpoint_id, merchant_id, status, seq, armed_at, next_attempt_at)
           SELECT n.id, n.event_id, $1, $2, 'PENDING', 1, now(), now() FROM unnest($3::text[], $4::text[]) AS n(id, event_id)
           ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id, seq`,
          [endpoint.id, endpoint.merchantId, missing.map(() => `wd_${ulid()}`), missing],
        )
      : [];
    const now = new Date();
    const scheduled = [...rearmed, ...created].map((d) => ({ deliveryId: d.id, seq: d.seq, at: now }));
    return { result: { endpointId: endpoint.id, since, deliveries: scheduled.length, nextSince }, scheduled };
  }
}
