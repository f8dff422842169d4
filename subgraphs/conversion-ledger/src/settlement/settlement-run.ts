// The steps of one settlement run, set-based, inside the run's transaction (settlement.service.ts
// holds the advisory lock and the runs table). Every conversion the run touches is rewritten ONCE:
//   1. lock   — the run's conversions are locked (FOR UPDATE) and copied, with their status as the
//               run will leave it (PENDING → VALIDATED → PAYABLE), into a temp table `settle_run`;
//   2. held   — anonymous agents' held shares are released or written off (ledger postings) and
//               the projected amounts updated in `settle_run`;
//   3. lines  — owed now − settled before, per payee, from `settle_run`; batches and lines;
//   4. apply  — one UPDATE of ledger.conversions from `settle_run` and this run's lines.
// A conversion is a wide row with nine indexes and its status is indexed, so each UPDATE of it is
// a new row version and nine index insertions: rewriting it once instead of three times (advance
// to VALIDATED, to PAYABLE, then the settled amounts) is most of a run's cost at 100,000.
// The lock in step 1 keeps step 4's values right: a refund or milestone on one of these
// conversions (lockConversion, FOR UPDATE) waits for the run's commit, as it waited for the
// UPDATEs before; one that committed first is what step 1 reads.
import { sqlStatus } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { conversionSqlMoves } from '../conversion/conversion.states.js';
import type { SettlementBatchRow } from './settlement-batch.js';

/** The settlement temp table (dropped at commit); conversion.events reads the changed ids from it. */
export const RUN_TABLE = 'settle_run';

/** The gate of PAYABLE: the flow's payableAfter step done by asOf (or no gate). */
const GATE = `(c.payable_after IS NULL OR c.payable_since <= $1)`;

// The run's status moves, from the state table (conversion.states.ts): a PENDING conversion past
// its window is validated, and made payable too when its gate is done; a VALIDATED one is made
// payable when its gate is done. `bump` is each move's steps.
const { validate, validateToPayable, makePayable } = conversionSqlMoves;
/** A conversion the run validates (its commission booked, its window passed). */
const DUE_TO_VALIDATE = `c.commission_posted AND c.status = ${sqlStatus(validate.from)} AND c.validates_at <= $1`;
/** A validated conversion the run makes payable. */
const DUE_TO_MAKE_PAYABLE = `c.commission_posted AND c.status = ${sqlStatus(makePayable.from)} AND ${GATE}`;

/**
 * Step 1. Candidates: conversions that advance (PENDING past their window, VALIDATED with the gate
 * done) and settled-status conversions that may owe a line (a held share, or owed ≠ settled for a
 * payee: a first line always has settled = 0 < owed, an adjustment has owed ≠ settled). `bump` is
 * how many status changes the run makes, as the version increments.
 */
export async function lockRunSet(m: EntityManager, asOf: Date): Promise<void> {
  await m.query(
    `CREATE TEMP TABLE ${RUN_TABLE} (
       id text NOT NULL, status text NOT NULL, bump integer NOT NULL, commission_posted boolean NOT NULL,
       currency text NOT NULL, agent_id text, merchant_id text NOT NULL, builder_id text,
       commission_minor bigint NOT NULL, builder_payout_minor bigint NOT NULL, forfeited_minor bigint NOT NULL,
       unclaimed_minor bigint NOT NULL, builder_settled_minor bigint NOT NULL, merchant_settled_minor bigint NOT NULL
     ) ON COMMIT DROP`,
  );
  await m.query(
    `INSERT INTO ${RUN_TABLE}
     SELECT c.id,
            CASE WHEN ${DUE_TO_VALIDATE}
                   THEN CASE WHEN ${GATE} THEN ${sqlStatus(validateToPayable.to)} ELSE ${sqlStatus(validate.to)} END
                 WHEN ${DUE_TO_MAKE_PAYABLE} THEN ${sqlStatus(makePayable.to)}
                 ELSE c.status END,
            CASE WHEN ${DUE_TO_VALIDATE}
                   THEN CASE WHEN ${GATE} THEN ${validateToPayable.steps} ELSE ${validate.steps} END
                 WHEN ${DUE_TO_MAKE_PAYABLE} THEN ${makePayable.steps}
                 ELSE 0 END,
            c.commission_posted, c.currency, c.agent_id, c.merchant_id, c.builder_id, c.commission_minor,
            c.builder_payout_minor, c.forfeited_minor, c.unclaimed_minor, c.builder_settled_minor, c.merchant_settled_minor
       FROM ledger.conversions c
      WHERE (${DUE_TO_VALIDATE})
         OR (${DUE_TO_MAKE_PAYABLE})
         OR (c.status IN ('PAYABLE', 'PAID', 'CLAWED_BACK')
             AND (c.unclaimed_minor > 0
                  OR (c.commission_posted AND c.builder_id IS NOT NULL AND c.builder_payout_minor <> c.builder_settled_minor)
                  OR (c.commission_posted AND c.commission_minor - c.forfeited_minor <> c.merchant_settled_minor)))
      ORDER BY c.id
        FOR UPDATE OF c`,
    [asOf],
  );
  // Temp tables are never auto-analyzed: without this the joins below are planned for ~1,000 rows.
  await m.query(`ANALYZE ${RUN_TABLE}`);
}

/**
 * Step 2. PAYABLE conversions still holding a share: release it to the builder that registered
 * (debit unclaimed, credit builder payable), or write it off (debit unclaimed, credit the merchant
 * receivable) so it is never invoiced. One ledger transaction per conversion, in SQL.
 */
export async function releaseOrForfeit(m: EntityManager, period: string, builders: Map<string, string>): Promise<void> {
  await m.query(
    `CREATE TEMP TABLE held ON COMMIT DROP AS
     SELECT r.id, r.currency, r.agent_id, r.merchant_id, r.unclaimed_minor AS amount, b.builder_id,
            'set_' || $1 || '_' || r.id AS tx_id,
            (SELECT t.id FROM ledger.ledger_transactions t WHERE t.conversion_id = r.id AND t.kind = 'commission' ORDER BY t.id LIMIT 1) AS original
       FROM ${RUN_TABLE} r
       LEFT JOIN unnest($2::text[], $3::text[]) AS b(agent_id, builder_id) ON b.agent_id = r.agent_id
      WHERE r.status = 'PAYABLE' AND r.unclaimed_minor > 0`,
    [period, [...builders.keys()], [...builders.values()]],
  );
  await m.query(
    `INSERT INTO ledger.ledger_transactions (id, kind, conversion_id, reverses_id, memo)
     SELECT tx_id, CASE WHEN builder_id IS NULL THEN 'forfeit' ELSE 'release' END, id, original,
            CASE WHEN builder_id IS NULL THEN 'no builder registered before settlement' ELSE 'builder registered' END
       FROM held`,
  );
  const entries = `
     SELECT tx_id, id, 'unclaimed' AS account_type, agent_id AS owner, currency, amount FROM held
     UNION ALL
     SELECT tx_id, id, CASE WHEN builder_id IS NULL THEN 'merchant_receivable' ELSE 'builder_payable' END,
            coalesce(builder_id, merchant_id), currency, -amount FROM held`;
  await m.query(
    `INSERT INTO ledger.ledger_entries (transaction_id, conversion_id, account_type, account_owner, currency, amount_minor) ${entries}`,
  );
  await m.query(
    `INSERT INTO ledger.ledger_accounts (account_type, account_owner, currency, balance_minor)
     SELECT account_type, owner, currency, sum(amount) FROM (${entries}) e GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
     ON CONFLICT (account_type, account_owner, currency)
     DO UPDATE SET balance_minor = ledger_accounts.balance_minor + EXCLUDED.balance_minor, updated_at = now()`,
  );
  await m.query(
    `UPDATE ${RUN_TABLE} r SET
        builder_id = coalesce(h.builder_id, r.builder_id),
        builder_payout_minor = r.builder_payout_minor + CASE WHEN h.builder_id IS NULL THEN 0 ELSE h.amount END,
        forfeited_minor = r.forfeited_minor + CASE WHEN h.builder_id IS NULL THEN h.amount ELSE 0 END,
        unclaimed_minor = 0, bump = r.bump + 1
       FROM held h WHERE h.id = r.id`,
  );
}

/**
 * Step 3. Lines = owed now − settled before, per payee; one batch per payee, currency and period
 * whose total is not negative. A zero batch (new business netting out clawbacks) still records its
 * lines, so its conversions reach PAID; a negative total waits for the next period's business.
 */
export async function makeBatches(m: EntityManager, period: string): Promise<SettlementBatchRow[]> {
  await m.query(
    `CREATE TEMP TABLE lines ON COMMIT DROP AS
     WITH owed AS (
       SELECT r.id, r.status, r.currency, 'builder' AS payee_type, r.builder_id AS payee_id,
              r.builder_payout_minor AS owed, r.builder_settled_minor AS settled
         FROM ${RUN_TABLE} r
        WHERE r.builder_id IS NOT NULL AND r.commission_posted AND r.status IN ('PAYABLE', 'PAID', 'CLAWED_BACK')
       UNION ALL
       SELECT r.id, r.status, r.currency, 'merchant', r.merchant_id,
              r.commission_minor - r.forfeited_minor, r.merchant_settled_minor
         FROM ${RUN_TABLE} r
        WHERE r.commission_posted AND r.status IN ('PAYABLE', 'PAID', 'CLAWED_BACK'))
     SELECT o.id AS conversion_id, o.currency, o.payee_type, o.payee_id, o.owed - o.settled AS amount,
            CASE WHEN first.conversion_id IS NULL THEN 'commission' ELSE 'adjustment' END AS kind
       FROM owed o
       LEFT JOIN ledger.settlement_lines first
         ON first.conversion_id = o.id AND first.payee_type = o.payee_type AND first.kind = 'commission'
      WHERE (first.conversion_id IS NULL AND o.status = 'PAYABLE' AND o.owed > 0)
         OR (first.conversion_id IS NOT NULL AND o.owed <> o.settled)`,
  );
  await m.query(`ANALYZE lines`);
  const batches: SettlementBatchRow[] = await m.query(
    `INSERT INTO ledger.settlement_batches (id, period, payee_type, payee_id, currency, total_minor, line_count)
     SELECT 'bat_' || substr(md5(payee_type || '|' || payee_id || '|' || currency || '|' || $1), 1, 26), $1,
            payee_type, payee_id, currency, sum(amount), count(*)
       FROM lines GROUP BY payee_type, payee_id, currency HAVING sum(amount) >= 0
     ON CONFLICT (payee_type, payee_id, currency, period) DO NOTHING
     RETURNING *`,
    [period],
  );
  await m.query(
    `INSERT INTO ledger.settlement_lines (batch_id, conversion_id, payee_type, kind, amount_minor)
     SELECT b.id, l.conversion_id, l.payee_type, l.kind, l.amount
       FROM lines l JOIN ledger.settlement_batches b
         ON b.period = $1 AND b.payee_type = l.payee_type AND b.payee_id = l.payee_id AND b.currency = l.currency
      -- In key order: the line indexes and the foreign-key lookups in conversions go page by page.
      ORDER BY l.conversion_id, l.payee_type`,
    [period],
  );
  return batches.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Step 4. One UPDATE per conversion: its status as step 1 moved it (conversionSqlMoves) and its
 * held-share amounts as projected, and what this run's lines (those in a batch of the period)
 * settled. Version and updated_at move only with a change of status or amounts owed, as before;
 * the settled totals are bookkeeping.
 */
export async function applyRun(m: EntityManager, period: string): Promise<void> {
  await m.query(
    `UPDATE ledger.conversions c SET
        status = r.status,
        version = c.version + r.bump,
        updated_at = CASE WHEN r.bump > 0 THEN now() ELSE c.updated_at END,
        builder_id = r.builder_id,
        builder_payout_minor = r.builder_payout_minor,
        forfeited_minor = r.forfeited_minor,
        unclaimed_minor = r.unclaimed_minor,
        builder_settled_minor = r.builder_settled_minor + coalesce(s.builder, 0),
        merchant_settled_minor = r.merchant_settled_minor + coalesce(s.merchant, 0)
       FROM ${RUN_TABLE} r
       LEFT JOIN (SELECT l.conversion_id,
                         sum(l.amount) FILTER (WHERE l.payee_type = 'builder') AS builder,
                         sum(l.amount) FILTER (WHERE l.payee_type = 'merchant') AS merchant
                    FROM lines l JOIN ledger.settlement_batches b
                      ON b.period = $1 AND b.payee_type = l.payee_type AND b.payee_id = l.payee_id AND b.currency = l.currency
                   GROUP BY l.conversion_id) s ON s.conversion_id = r.id
      WHERE c.id = r.id AND (r.bump > 0 OR s.conversion_id IS NOT NULL)`,
    [period],
  );
}
