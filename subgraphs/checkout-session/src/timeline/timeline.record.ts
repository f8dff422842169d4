// Writing checkout-session's own timeline entries, in the transaction of the change they record:
// `recordCheckoutChange` writes a change's outbox rows (its internal event, the merchant's webhook
// event, its audit row) and its timeline entries in ONE statement; `timelineInsertSql` is the same
// INSERT for a statement that already writes the change (a session's creation).
//
// The entry point for what issue 20 adds (inventory reservations, finalization steps): build a
// TimelineEntryDraft (a new kind in OWN_TIMELINE_KINDS) and pass it here with the step's own
// events, in the step's transaction. A package other than checkout-session uses the `timeline.*`
// queue instead (shared/src/contracts/checkout-timeline.contract.ts).
import { currentRequestId, type OutboxEvent } from '@handoff/shared';
import { encodeTime } from 'ulid';
import type { EntityManager } from 'typeorm';
import { table } from '../events.js';
import type { TimelineEntryDraft } from './timeline.entries.js';
import { OWN_SOURCE, ownIdSql } from './timeline.ids.js';

/** The JSON rows `timelineInsertSql` reads. */
export const timelineRows = (entries: readonly TimelineEntryDraft[]): string =>
  JSON.stringify(
    entries.map((e) => ({
      t: encodeTime(e.at.getTime(), 10),
      s: e.checkoutId,
      m: e.merchantId,
      k: e.kind,
      a: e.at.toISOString(),
      y: e.summary,
      ak: e.actor.kind,
      ai: e.actor.id,
      d: e.data,
    })),
  );

/** INSERT of the own entries in `rowsParam` (timelineRows), numbered in the order given. */
export const timelineInsertSql = (rowsParam: string) =>
  `INSERT INTO ${table('timeline_entries')} (id, checkout_session_id, merchant_id, kind, at, summary, actor_kind, actor_id, data, source, source_event_id)
   SELECT ${ownIdSql("x.e->>'t'", 'x.seq')}, x.e->>'s', x.e->>'m', x.e->>'k', (x.e->>'a')::timestamptz, x.e->>'y', x.e->>'ak', x.e->>'ai', x.e->'d', '${OWN_SOURCE}', x.seq
     FROM (SELECT j.e, nextval('${table('timeline_own_seq')}') AS seq
             FROM jsonb_array_elements(${rowsParam}::jsonb) WITH ORDINALITY AS j(e, n) ORDER BY j.n) x`;

/** A change's outbox rows (in order) and its timeline entries, in one statement of the caller's transaction. */
export async function recordCheckoutChange(manager: EntityManager, events: readonly OutboxEvent[], timeline: readonly TimelineEntryDraft[]): Promise<void> {
  if (events.length === 0 && timeline.length === 0) return;
  await manager.query(
    `WITH tl AS (${timelineInsertSql('$1')})
     INSERT INTO ${table('outbox')} (topic, aggregate_id, payload, request_id)
     SELECT e->>'topic', e->>'aggregateId', e->'payload', $3 FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n`,
    [timelineRows(timeline), outboxRows(events), currentRequestId() ?? null],
  );
}

const outboxRows = (events: readonly OutboxEvent[]) => JSON.stringify(events.map((e) => ({ topic: e.topic, aggregateId: e.aggregateId, payload: e.payload })));

/**
 * A change that inserts its own row (`lead`: an `INSERT … ON CONFLICT … DO NOTHING RETURNING 1`,
 * its parameters numbered from $4) with its outbox rows and timeline entries, in ONE statement:
 * the outbox rows and the entries are written only if the lead inserted its row. True when it did
 * (false: the conflicting row was there, nothing written).
 */
export async function recordCheckoutChangeIfInserted(
  manager: EntityManager,
  lead: { sql: string; params: readonly unknown[] },
  events: readonly OutboxEvent[],
  timeline: readonly TimelineEntryDraft[],
): Promise<boolean> {
  const rows: Array<{ inserted: number }> = await manager.query(
    `WITH lead AS (${lead.sql}),
          tl AS (${timelineInsertSql('$1')} WHERE EXISTS (SELECT 1 FROM lead)),
          ob AS (INSERT INTO ${table('outbox')} (topic, aggregate_id, payload, request_id)
                 SELECT e->>'topic', e->>'aggregateId', e->'payload', $3 FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(e, n)
                  WHERE EXISTS (SELECT 1 FROM lead) ORDER BY n)
     SELECT count(*)::int AS inserted FROM lead`,
    [timelineRows(timeline), outboxRows(events), currentRequestId() ?? null, ...lead.params],
  );
  return (rows[0]?.inserted ?? 0) > 0;
}
