// A recalculation that changes nothing merchants see (the session was calculated and fresh, and
// the new calculation comes to the same totals: only the calculation id moves, the case
// onlyRecalculated names) is written as ONE autocommit statement: the versioned save of the
// session (new calculation id, version + 1), the snapshot and its `checkout.calculated` timeline
// entry (its input and result documents written only if not stored yet: a session recalculated
// to the same content writes none), the snapshot and the entry written only when the save matched the version read
// (data-modifying CTEs over the UPDATE's RETURNING). It writes no webhook event and no audit row,
// so nothing goes through the outbox. The hot path of calculateCheckout (issue 18's target);
// every other change goes through SessionChanger's transaction. A named prepared statement
// (planned once per connection: its CTEs cost more to plan than to run).
import { hotQuery } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { PreparedCalculation, StoredCalculation } from '../calculation/index.js';
import { documentParams, SNAPSHOT_CASTS, SNAPSHOT_COLUMNS, snapshotDocumentsSql, snapshotRow } from '../calculation/calculation.store.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { checkoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { table } from '../events.js';
import { changeEntries } from '../timeline/timeline.entries.js';
import { timelineInsertSql, timelineRows } from '../timeline/timeline.record.js';

/** True when `prepared` prices `cs` exactly as its current calculation does (and that one is fresh). */
export function sameTotals(cs: CheckoutSessionEntity, prepared: PreparedCalculation): boolean {
  const t = prepared.calculation.totals;
  return (
    cs.calculationId !== null &&
    cs.calculationStale === false &&
    cs.subtotalMinor === t.subTotal &&
    cs.discountMinor === t.discountTotal &&
    cs.taxMinor === t.taxTotal &&
    cs.shippingMinor === t.shippingTotal &&
    cs.totalMinor === t.grandTotal
  );
}

/** The statement, for `n` snapshot values: the same text every time (built once; a prepared statement's name is looked up by it). */
const recalculationSqlByN = new Map<number, string>();
function recalculationSql(n: number): string {
  let sql = recalculationSqlByN.get(n);
  if (!sql) {
    const snapshot = Array.from({ length: n }, (_, i) => `$${i + 1}::${SNAPSHOT_CASTS[i]}`).join(', ');
    sql = `WITH upd AS (
       UPDATE ${table('checkout_sessions')} SET calculation_id = $1, version = version + 1, updated_at = now()
        WHERE id = $${n + 1} AND version = $${n + 2} RETURNING updated_at),
     docs AS (${snapshotDocumentsSql(n + 4, 'upd')}),
     calc AS (INSERT INTO checkout.calculations (${SNAPSHOT_COLUMNS}) SELECT ${snapshot} FROM upd),
     tl AS (${timelineInsertSql(`(SELECT CASE WHEN EXISTS (SELECT 1 FROM upd) THEN $${n + 3}::jsonb ELSE '[]'::jsonb END)`)})
     SELECT updated_at FROM upd`;
    recalculationSqlByN.set(n, sql);
  }
  return sql;
}

/**
 * Saves `cs` (read at `cs.version`, sameTotals true) with the new snapshot as its calculation;
 * the stored snapshot, or null when the session moved on since it was read (nothing written).
 * On success `cs` is updated in place (calculation id, version, updated_at) as a save does.
 */
export async function saveRecalculation(manager: EntityManager, cs: CheckoutSessionEntity, prepared: PreparedCalculation): Promise<StoredCalculation | null> {
  const { values, documents, stored } = snapshotRow(cs.id, prepared.input, prepared.calculation);
  const before = checkoutWebhookObject(cs);
  const projected = Object.assign(Object.create(Object.getPrototypeOf(cs) as object) as CheckoutSessionEntity, cs, { calculationId: stored.id, version: cs.version + 1 });
  const entries = changeEntries(projected, before, checkoutWebhookObject(projected));
  const rows = (await hotQuery(
    manager,
    'checkout-recalculation',
    recalculationSql(values.length),
    [...values, cs.id, cs.version, timelineRows(entries), ...documentParams(documents)],
  )) as Array<{ updated_at: Date }>;
  const saved = rows[0];
  if (!saved) return null;
  Object.assign(cs, { calculationId: stored.id, version: cs.version + 1, updatedAt: saved.updated_at });
  return stored;
}
