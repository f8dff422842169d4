// "One code, at most one verified conversion per thing it pays for": the ledger's table of
// redeemed AAP codes, written in the conversion's own transaction, after the conversion's row.
// A one-off payment redeems the code itself, once, ever. A subscription's payment redeems
// (code, subscription, period): each period that earns commission once, and the code serves that
// one subscription only (never another subscription's, never a one-off payment's). Those
// cross-checks run under a per-code advisory lock held to the commit, so concurrent redemptions
// of one code are decided one after the other (the second sees the first's committed row); the
// unique index on (code, subscription, period) stays the backstop. The table is append-only, so
// a redemption is never undone.
import type { EntityManager } from 'typeorm';
import type { BillingPeriod } from '../commission/recurring-commission.js';

/** The rows a redemption of `codeId` for `period` (null: a one-off payment) would collide with. */
function conflicts(manager: EntityManager, codeId: string, period: BillingPeriod | null): Promise<unknown[]> {
  return period === null
    ? manager.query(`SELECT 1 FROM ledger.redeemed_codes WHERE code_id = $1 LIMIT 1`, [codeId])
    : manager.query(
        `SELECT 1 FROM ledger.redeemed_codes WHERE code_id = $1 AND (subscription_id IS DISTINCT FROM $2 OR period = $3) LIMIT 1`,
        [codeId, period.subscriptionId, period.period],
      );
}

/** Redeems `codeId` for `conversionId` (for a subscription's `period`); false when another conversion already did. */
export async function redeemCode(manager: EntityManager, codeId: string, conversionId: string, period: BillingPeriod | null = null): Promise<boolean> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('ledger.redeemed_codes:' || $1, 0))`, [codeId]);
  if ((await conflicts(manager, codeId, period)).length > 0) return false;
  const rows = await manager.query(
    `INSERT INTO ledger.redeemed_codes (code_id, conversion_id, subscription_id, period) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
    [codeId, conversionId, period?.subscriptionId ?? null, period?.period ?? null],
  );
  return rows.length > 0;
}

/** Whether redeeming the code for `period` would be refused: only to name a flag, never to decide a payment. */
export async function isRedeemed(manager: EntityManager, codeId: string, period: BillingPeriod | null = null): Promise<boolean> {
  return (await conflicts(manager, codeId, period)).length > 0;
}
