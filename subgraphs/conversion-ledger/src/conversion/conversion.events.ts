// `conversion.updated`: written to the outbox in the transaction of every change, set-based so
// a settlement run over 100,000 conversions writes its events in one statement. The cursor is
// a sequence value, so it increases with every event (the Subscriptions issue resumes from it).
// Cursors are taken under a transaction-scoped lock, held until commit: a transaction that takes
// a cursor waits for the one before it to commit or roll back, so cursors become visible in
// commit order and a reader that has seen cursor N has seen every committed cursor below N
// (a resume `after: N` misses nothing). The price: the tails of these transactions, from their
// event to their commit, run one at a time. Emit last in the transaction.
// The merchants' webhook events of the same change (conversion.webhook-events.ts) and its audit
// rows (issue 19: what changed, by whom) ride in the same statement: no round trip more.
import { addToOutbox, AUDIT_TOPIC_PREFIX, CONVERSION_UPDATED_TOPIC, currentActor, currentRequestId, serviceActor, type OutboxEvent } from '@handoff/shared';
import type { EntityManager } from 'typeorm';

/** The ledger as the actor of a change no request made (a payment event's job, a settlement run). */
const LEDGER_SERVICE = 'conversion-ledger';

/** Heard by the gateway's subscriptions (shared/src/contracts/conversion-events.contract.ts). */
export const CONVERSION_UPDATED = CONVERSION_UPDATED_TOPIC;
/** The advisory lock (two int4 keys) that orders cursor assignment with commits. */
export const CURSOR_LOCK = [0x4c454447, 0x43555253] as const; // 'LEDG', 'CURS'

/** The payload's conversion object, built in SQL from `c` (a ledger.conversions row). */
const conversionJson = `jsonb_build_object(
  'id', c.id, 'status', c.status, 'merchantId', c.merchant_id, 'agentId', c.agent_id,
  'conversionPath', c.conversion_path, 'verification', c.verification, 'currency', c.currency,
  'transactionValueMinor', c.transaction_value_minor, 'commissionType', c.commission_type,
  'commissionMinor', c.commission_minor, 'networkFeeMinor', c.network_fee_minor,
  'builderPayoutMinor', c.builder_payout_minor, 'orderReference', c.order_reference,
  'version', c.version, 'updatedAt', c.updated_at)`;

/**
 * Writes one `conversion.updated` per id, with the row as it is now in this transaction, the
 * change's `webhooks` (its merchant's `webhook_event.*` rows, and any other row of the change) and,
 * unless `audit: false`, one audit row per conversion (`audit.conversion.<action>`), all in the
 * same statement.
 */
export async function emitConversionUpdated(
  manager: EntityManager,
  ids: readonly string[],
  webhooks: readonly OutboxEvent[] = [],
  opts: { audit?: boolean } = {},
): Promise<number> {
  if (ids.length === 0) {
    for (const w of webhooks) await addToOutbox(manager, 'ledger', w);
    return 0;
  }
  return emit(manager, `c.id = ANY($2::text[])`, [ids], webhooks, opts.audit ?? true);
}

/**
 * The same for the ids a query of this transaction selects (a set-based run's temp table), so
 * 100,000 ids need not travel to the client and back. `idQuery` is SQL of ours, never input. No
 * audit row per conversion: a settlement run audits the batches it makes (settlement.audit.ts).
 */
export async function emitConversionUpdatedFor(manager: EntityManager, idQuery: string): Promise<number> {
  return emit(manager, `c.id IN (${idQuery})`, [], [], false);
}

/**
 * Each conversion's audit row (shared/src/contracts/audit.contract.ts), built in SQL from its new
 * `conversion.updated` (`ev`) and its last one before this statement (`prev`, which the statement's
 * own inserts do not show): `created` for its first event, its new status in lower case when the
 * status moved (`verified`, `clawed_back`, `paid`…), else `updated`; before/after the fields that
 * changed (updatedAt aside). $a: the actor, $r: the request id, $t: the time.
 */
const auditRows = (a: number, r: number, t: number) => `, au AS (
       INSERT INTO ledger.outbox (topic, aggregate_id, payload, request_id)
       SELECT '${AUDIT_TOPIC_PREFIX}conversion.' || act.action, ev.aggregate_id,
              jsonb_build_object('entityType', 'conversion', 'entityId', ev.aggregate_id, 'merchantId', cur.conv->>'merchantId',
                'action', act.action, 'actor', $${a}::jsonb, 'requestId', $${r}::text, 'at', $${t}::text, 'before', d.before, 'after', d.after),
              $${r}::text
         FROM ev
         CROSS JOIN LATERAL (SELECT (ev.payload->'conversion') - 'updatedAt' AS conv) cur
         LEFT JOIN LATERAL (SELECT (o.payload->'conversion') - 'updatedAt' AS conv FROM ledger.outbox o
                             WHERE o.topic = $1 AND o.aggregate_id = ev.aggregate_id ORDER BY o.id DESC LIMIT 1) prev ON true
         CROSS JOIN LATERAL (SELECT
             CASE WHEN prev.conv IS NULL THEN NULL
                  ELSE (SELECT jsonb_object_agg(b.key, b.value) FROM jsonb_each(prev.conv) b WHERE cur.conv->b.key IS DISTINCT FROM b.value) END AS before,
             CASE WHEN prev.conv IS NULL THEN cur.conv
                  ELSE (SELECT jsonb_object_agg(n.key, n.value) FROM jsonb_each(cur.conv) n WHERE prev.conv->n.key IS DISTINCT FROM n.value) END AS after) d
         CROSS JOIN LATERAL (SELECT CASE WHEN prev.conv IS NULL THEN 'created'
                                         WHEN prev.conv->>'status' IS DISTINCT FROM cur.conv->>'status' THEN lower(cur.conv->>'status')
                                         ELSE 'updated' END AS action) act)`;

async function emit(manager: EntityManager, filter: string, params: unknown[], webhooks: readonly OutboxEvent[], audit: boolean): Promise<number> {
  // Two-key form: a lock space apart from the single-key locks of idempotency and settlement.
  await manager.query(`SELECT pg_advisory_xact_lock(${CURSOR_LOCK[0]}, ${CURSOR_LOCK[1]})`);
  const values: unknown[] = [CONVERSION_UPDATED, ...params];
  const next = (v: unknown) => values.push(v);
  let webhookRows = '';
  if (webhooks.length > 0) {
    next(JSON.stringify(webhooks));
    next(currentRequestId() ?? null);
    webhookRows = `, wh AS (
       INSERT INTO ledger.outbox (topic, aggregate_id, payload, request_id)
       SELECT e->>'topic', e->>'aggregateId', e->'payload', $${values.length} FROM jsonb_array_elements($${values.length - 1}::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n)`;
  }
  let audits = '';
  if (audit) {
    next(JSON.stringify(currentActor() ?? serviceActor(LEDGER_SERVICE)));
    next(currentRequestId() ?? null);
    next(new Date().toISOString());
    audits = auditRows(values.length - 2, values.length - 1, values.length);
  }
  const rows: Array<{ n: number }> = await manager.query(
    `WITH ev AS (
       INSERT INTO ledger.outbox (topic, aggregate_id, payload)
       SELECT $1, c.id, jsonb_build_object('conversion', ${conversionJson}, 'cursor', nextval('ledger.conversion_event_seq')::text)
         FROM ledger.conversions c WHERE ${filter} ORDER BY c.id
       RETURNING aggregate_id, payload)${webhookRows}${audits}
     SELECT count(*)::int AS n FROM ev`,
    values,
  );
  return rows[0]?.n ?? 0;
}
