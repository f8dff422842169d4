// `conversion.updated`: written to the outbox in the transaction of every change, set-based so
// a settlement run over 100,000 conversions writes its events in one statement. The cursor is
// a sequence value, so it increases with every event (the Subscriptions issue resumes from it).
// Cursors are taken under a transaction-scoped lock, held until commit: a transaction that takes
// a cursor waits for the one before it to commit or roll back, so cursors become visible in
// commit order and a reader that has seen cursor N has seen every committed cursor below N
// (a resume `after: N` misses nothing). The price: the tails of these transactions, from their
// event to their commit, run one at a time. Emit last in the transaction.
// The merchants' webhook events of the same change (conversion.webhook-events.ts) ride in the same
// statement: no round trip more.
import { addToOutbox, CONVERSION_UPDATED_TOPIC, currentRequestId, type OutboxEvent } from '@handoff/shared';
import type { EntityManager } from 'typeorm';

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
 * Writes one `conversion.updated` per id, with the row as it is now in this transaction, and the
 * change's `webhooks` (its merchant's `webhook_event.*` rows) in the same statement.
 */
export async function emitConversionUpdated(manager: EntityManager, ids: readonly string[], webhooks: readonly OutboxEvent[] = []): Promise<number> {
  if (ids.length === 0) {
    for (const w of webhooks) await addToOutbox(manager, 'ledger', w);
    return 0;
  }
  return emit(manager, `c.id = ANY($2::text[])`, [ids], webhooks);
}

/**
 * The same for the ids a query of this transaction selects (a set-based run's temp table), so
 * 100,000 ids need not travel to the client and back. `idQuery` is SQL of ours, never input.
 */
export async function emitConversionUpdatedFor(manager: EntityManager, idQuery: string): Promise<number> {
  return emit(manager, `c.id IN (${idQuery})`, []);
}

async function emit(manager: EntityManager, filter: string, params: unknown[], webhooks: readonly OutboxEvent[] = []): Promise<number> {
  // Two-key form: a lock space apart from the single-key locks of idempotency and settlement.
  await manager.query(`SELECT pg_advisory_xact_lock(${CURSOR_LOCK[0]}, ${CURSOR_LOCK[1]})`);
  const w = params.length + 2;
  const webhookRows =
    webhooks.length === 0
      ? ''
      : `, wh AS (
       INSERT INTO ledger.outbox (topic, aggregate_id, payload, request_id)
       SELECT e->>'topic', e->>'aggregateId', e->'payload', $${w + 1} FROM jsonb_array_elements($${w}::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n)`;
  const rows: Array<{ n: number }> = await manager.query(
    `WITH ev AS (
       INSERT INTO ledger.outbox (topic, aggregate_id, payload)
       SELECT $1, c.id, jsonb_build_object('conversion', ${conversionJson}, 'cursor', nextval('ledger.conversion_event_seq')::text)
         FROM ledger.conversions c WHERE ${filter} ORDER BY c.id
       RETURNING 1)${webhookRows}
     SELECT count(*)::int AS n FROM ev`,
    [CONVERSION_UPDATED, ...params, ...(webhooks.length === 0 ? [] : [JSON.stringify(webhooks), currentRequestId() ?? null])],
  );
  return rows[0]?.n ?? 0;
}
