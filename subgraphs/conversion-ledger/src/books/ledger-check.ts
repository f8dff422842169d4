// The books' self-check: every transaction has ≥ 2 entries summing to zero per currency; the
// running balances equal balances rebuilt from the entries; each conversion's commission
// columns equal its entries; no builder account is overdrawn. Run by admins and after tests.
//
// A builder_payable account is credit-normal (negative = owed to the builder). It may be positive
// (the builder owes the network) only by a clawback after payout that later business has not yet
// netted out: per conversion, what PAID batches sent the builder beyond what the conversion now
// earns. Anything beyond that (a payout of more than was owed) is an overdraft.
import type { DataSource, EntityManager } from 'typeorm';

export interface LedgerCheckResult {
  balanced: boolean;
  transactions: number;
  entries: number;
  unbalancedTransactions: string[];
  balanceMismatches: string[];
  conversionMismatches: string[];
  overdrawnAccounts: string[];
}

/** `db` is the data source, or a transaction's manager (to check uncommitted postings). */
export async function checkLedger(db: DataSource | EntityManager): Promise<LedgerCheckResult> {
  const [totals] = await db.query(
    `SELECT (SELECT count(*)::int FROM ledger.ledger_transactions) AS transactions, (SELECT count(*)::int FROM ledger.ledger_entries) AS entries`,
  );
  const unbalanced: Array<{ id: string }> = await db.query(
    `SELECT t.id FROM ledger.ledger_transactions t LEFT JOIN ledger.ledger_entries e ON e.transaction_id = t.id
      GROUP BY t.id HAVING count(e.id) < 2
     UNION
     SELECT transaction_id FROM ledger.ledger_entries GROUP BY transaction_id, currency HAVING sum(amount_minor) <> 0
     LIMIT 100`,
  );
  const balances: Array<{ account: string }> = await db.query(
    `WITH rebuilt AS (SELECT account_type, account_owner, currency, sum(amount_minor) AS balance
                        FROM ledger.ledger_entries GROUP BY 1, 2, 3)
     SELECT coalesce(a.account_type, r.account_type) || ':' || coalesce(a.account_owner, r.account_owner) || ':' ||
            coalesce(a.currency, r.currency) AS account
       FROM ledger.ledger_accounts a FULL JOIN rebuilt r USING (account_type, account_owner, currency)
      WHERE coalesce(a.balance_minor, 0) <> coalesce(r.balance, 0) LIMIT 100`,
  );
  const conversions: Array<{ id: string }> = await db.query(
    `WITH net AS (
       SELECT conversion_id,
              coalesce(sum(amount_minor) FILTER (WHERE account_type = 'merchant_receivable'), 0) AS receivable,
              coalesce(-sum(amount_minor) FILTER (WHERE account_type = 'network_revenue'), 0) AS network,
              coalesce(-sum(amount_minor) FILTER (WHERE account_type = 'builder_payable'), 0) AS builder,
              coalesce(-sum(amount_minor) FILTER (WHERE account_type = 'unclaimed'), 0) AS unclaimed
         FROM ledger.ledger_entries WHERE conversion_id IS NOT NULL GROUP BY conversion_id)
     SELECT c.id FROM ledger.conversions c LEFT JOIN net n ON n.conversion_id = c.id
      WHERE (c.commission_posted AND (coalesce(n.receivable, 0) <> c.commission_minor - c.forfeited_minor
                OR coalesce(n.network, 0) <> c.network_fee_minor OR coalesce(n.builder, 0) <> c.builder_payout_minor
                OR coalesce(n.unclaimed, 0) <> c.unclaimed_minor
                OR c.network_fee_minor + c.builder_payout_minor + c.unclaimed_minor + c.forfeited_minor <> c.commission_minor))
         OR (NOT c.commission_posted AND n.conversion_id IS NOT NULL)
      LIMIT 100`,
  );
  const overdrawn: Array<{ account: string }> = await db.query(
    `WITH paid AS (
       SELECT b.payee_id AS owner, b.currency, l.conversion_id, sum(l.amount_minor) AS paid
         FROM ledger.settlement_lines l JOIN ledger.settlement_batches b ON b.id = l.batch_id
        WHERE b.payee_type = 'builder' AND l.payee_type = 'builder' AND b.status = 'PAID'
        GROUP BY 1, 2, 3),
     receivable AS (
       SELECT p.owner, p.currency, sum(greatest(p.paid - c.builder_payout_minor, 0)) AS due
         FROM paid p JOIN ledger.conversions c ON c.id = p.conversion_id
        GROUP BY 1, 2)
     SELECT a.account_type || ':' || a.account_owner || ':' || a.currency AS account
       FROM ledger.ledger_accounts a
       LEFT JOIN receivable r ON a.account_type = 'builder_payable' AND r.owner = a.account_owner AND r.currency = a.currency
      WHERE (a.account_type IN ('builder_payable', 'unclaimed') AND a.balance_minor > coalesce(r.due, 0))
         -- a gift-card or store-credit liability never owes less than nothing: more spent than issued
         OR (a.account_type IN ('gift_card_liability', 'store_credit_liability') AND a.balance_minor > 0)
      LIMIT 100`,
  );
  const result = {
    transactions: totals.transactions,
    entries: totals.entries,
    unbalancedTransactions: unbalanced.map((r) => r.id),
    balanceMismatches: balances.map((r) => r.account),
    conversionMismatches: conversions.map((r) => r.id),
    overdrawnAccounts: overdrawn.map((r) => r.account),
  };
  const balanced = [result.unbalancedTransactions, result.balanceMismatches, result.conversionMismatches, result.overdrawnAccounts].every((l) => l.length === 0);
  return { balanced, ...result };
}
