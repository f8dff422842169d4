// "One code, at most one verified conversion, ever": the ledger's table of redeemed AAP codes,
// written in the conversion's own transaction, after the conversion's row. The primary key
// decides between concurrent redemptions (the second waits for the first to commit, then finds
// the row); the table is append-only, so a redemption is never undone.
import type { EntityManager } from 'typeorm';

/** Redeems `codeId` for `conversionId`; false when another conversion already did. */
export async function redeemCode(manager: EntityManager, codeId: string, conversionId: string): Promise<boolean> {
  const rows = await manager.query(
    `INSERT INTO ledger.redeemed_codes (code_id, conversion_id) VALUES ($1, $2) ON CONFLICT (code_id) DO NOTHING RETURNING 1`,
    [codeId, conversionId],
  );
  return rows.length > 0;
}

/** Whether the code has been redeemed: only to name a flag, never to decide a payment. */
export async function isRedeemed(manager: EntityManager, codeId: string): Promise<boolean> {
  const rows = await manager.query(`SELECT 1 FROM ledger.redeemed_codes WHERE code_id = $1`, [codeId]);
  return rows.length > 0;
}
