// checkout-session's promotion ledger: each promotion's count of uses (promotion_usage) and who
// took them (promotion_redemptions). A session takes its uses when it commits to paying
// (redeemPromotions, in the caller's transaction) and gives them back when it is canceled or
// expires (releasePromotions). The usage row is locked while a use is taken, so the limit and the
// per-customer count are checked and changed under one lock: of N sessions racing for the last
// uses, exactly as many succeed as there are uses left. Rows are locked in promotion id order
// (no deadlocks between sessions taking several promotions).
import { hotQuery } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { AppliedPromotion, PromotionUsage } from '../calculation/calculation.types.js';
import { promotionInvalidError } from '../calculation/calculation.errors.js';

/** What redemption needs of a stored calculation. */
export interface RedeemableCalculation {
  id: string;
  customerKey: string | null;
  calculation: { promotions: AppliedPromotion[] };
}

const inTransaction = <T>(manager: EntityManager, work: (m: EntityManager) => Promise<T>): Promise<T> =>
  manager.queryRunner?.isTransactionActive ? work(manager) : manager.transaction(work);

/**
 * Takes one use of every promotion the calculation applied, for `sessionId`. A promotion this
 * session already holds is not taken twice. Throws PROMOTION_INVALID (reason promotion:exhausted,
 * promotion:customer_limit or promotion:customer_required) when one cannot be taken; the
 * transaction then rolls back, so no use is taken at all.
 */
export async function redeemPromotions(manager: EntityManager, calc: RedeemableCalculation, sessionId: string): Promise<void> {
  const promotions = [...calc.calculation.promotions].sort((a, b) => (a.promotionId < b.promotionId ? -1 : a.promotionId > b.promotionId ? 1 : 0));
  if (promotions.length === 0) return;
  await inTransaction(manager, async (m) => {
    for (const p of promotions) {
      const label = p.code ?? p.promotionId;
      await m.query(`INSERT INTO checkout.promotion_usage (promotion_id) VALUES ($1) ON CONFLICT (promotion_id) DO NOTHING`, [p.promotionId]);
      await m.query(`SELECT used FROM checkout.promotion_usage WHERE promotion_id = $1 FOR UPDATE`, [p.promotionId]);
      const held = (await m.query(
        `SELECT 1 FROM checkout.promotion_redemptions WHERE promotion_id = $1 AND checkout_session_id = $2 AND released_at IS NULL`,
        [p.promotionId, sessionId],
      )) as unknown[];
      if (held.length > 0) continue;
      if (p.perCustomerLimit !== null) {
        if (!calc.customerKey) throw promotionInvalidError(`The promotion ${label} is limited per customer and needs a customer.`, 'customer_required', p.promotionId);
        const [{ n }] = (await m.query(
          `SELECT count(*)::int AS n FROM checkout.promotion_redemptions WHERE promotion_id = $1 AND customer_key = $2 AND released_at IS NULL`,
          [p.promotionId, calc.customerKey],
        )) as [{ n: number }];
        if (n >= p.perCustomerLimit) throw promotionInvalidError(`The promotion ${label} has already been used as many times as it allows for this customer.`, 'customer_limit', p.promotionId);
      }
      const taken = (await m.query(
        `UPDATE checkout.promotion_usage SET used = used + 1, updated_at = now()
          WHERE promotion_id = $1 AND ($2::int IS NULL OR used < $2::int) RETURNING used`,
        [p.promotionId, p.usageLimit],
      )) as [unknown[], number] | unknown[];
      const rows = Array.isArray(taken[0]) ? (taken[0] as unknown[]) : (taken as unknown[]);
      if (rows.length === 0) throw promotionInvalidError(`The promotion ${label} has been used up.`, 'exhausted', p.promotionId);
      await m.query(
        `INSERT INTO checkout.promotion_redemptions (promotion_id, checkout_session_id, customer_key, calculation_id) VALUES ($1, $2, $3, $4)`,
        [p.promotionId, sessionId, calc.customerKey, calc.id],
      );
    }
  });
}

/** Gives back every use `sessionId` holds (a canceled or expired session); idempotent. Returns the promotions released. */
export async function releasePromotions(manager: EntityManager, sessionId: string): Promise<string[]> {
  return inTransaction(manager, async (m) => {
    const locked = (await m.query(
      `SELECT u.promotion_id FROM checkout.promotion_usage u
        WHERE u.promotion_id IN (SELECT promotion_id FROM checkout.promotion_redemptions WHERE checkout_session_id = $1 AND released_at IS NULL)
        ORDER BY u.promotion_id FOR UPDATE`,
      [sessionId],
    )) as Array<{ promotion_id: string }>;
    if (locked.length === 0) return [];
    const released = (await m.query(
      `WITH released AS (
         UPDATE checkout.promotion_redemptions SET released_at = now()
          WHERE checkout_session_id = $1 AND released_at IS NULL RETURNING promotion_id)
       UPDATE checkout.promotion_usage u SET used = u.used - r.n, updated_at = now()
         FROM (SELECT promotion_id, count(*)::int AS n FROM released GROUP BY promotion_id) r
        WHERE u.promotion_id = r.promotion_id RETURNING u.promotion_id`,
      [sessionId],
    )) as [Array<{ promotion_id: string }>, number] | Array<{ promotion_id: string }>;
    const rows = (Array.isArray(released[0]) ? released[0] : released) as Array<{ promotion_id: string }>;
    return rows.map((r) => r.promotion_id).sort();
  });
}

/** The ledger's counts for `promotionIds`, for a calculation's input (byCustomer 0 without a customer). */
export async function promotionUsage(manager: EntityManager, promotionIds: readonly string[], customerKey: string | null): Promise<Record<string, PromotionUsage>> {
  if (promotionIds.length === 0) return {};
  // Every calculation reads it: a named prepared statement outside a transaction.
  const rows = (await hotQuery(
    manager,
    'checkout-promotion-usage',
    `SELECT p.id AS promotion_id, COALESCE(u.used, 0)::int AS used,
            (SELECT count(*)::int FROM checkout.promotion_redemptions r
              WHERE r.promotion_id = p.id AND r.released_at IS NULL AND $2::text IS NOT NULL AND r.customer_key = $2::text) AS by_customer
       FROM unnest($1::text[]) AS p(id) LEFT JOIN checkout.promotion_usage u ON u.promotion_id = p.id`,
    [promotionIds, customerKey],
  )) as Array<{ promotion_id: string; used: number; by_customer: number }>;
  return Object.fromEntries(rows.map((r) => [r.promotion_id, { used: r.used, byCustomer: r.by_customer }]));
}
