// Settlement of 100,000 conversions, through the gateway as the admin would run it. Set-up (not
// measured): 100,000 PENDING conversions past their validation window, order confirmed, each with
// its commission posted (a balanced ledger transaction of three entries), as the ledger's
// integration test makes them, then ANALYZE (what autovacuum would have done by settlement day).
// Measured: from sending `runSettlement(asOf)` to its run being committed (the settlement_runs row
// visible, polled every 50 ms) — the gateway's 10 s subgraph timeout does not end the run, so a
// run longer than that is still timed to its commit. Checked: two batches of 100,000 lines with
// exact totals.
import type { SharedPostgres } from '../harness/shared-services.js';
import { gql } from '../harness/world.js';
import { round, sleep } from './measure.js';

export const SETTLE_AS_OF = '2000-01-02T12:00:00.000Z';
const PERIOD = SETTLE_AS_OF.slice(0, 10);

export interface SettlementResult {
  conversions: number;
  seconds: number;
  fixtureSeconds: number;
  gatewayAnswer: string;
  batches: Array<{ payee: string; totalMinor: number; lines: number }>;
  exact: boolean;
}

export async function measureSettlement(graphqlUrl: string, adminKey: string, db: SharedPostgres, n: number, log: (line: string) => void): Promise<SettlementResult> {
  const t0 = Date.now();
  const merchant = 'mer_bench_bulk';
  const builder = 'bld_bench_bulk';
  await db.query(
    `WITH c AS (
       INSERT INTO ledger.conversions (id, merchant_id, agent_id, builder_id, status, conversion_path, verification, currency,
         transaction_value_minor, validation_period_days, validates_at, commission_type, cpa_minor, commission_minor,
         network_fee_minor, builder_payout_minor, commission_posted, payable_after, payable_since)
       SELECT 'bulk_' || g, $1, 'agt_bench_bulk', $2, 'PENDING', 'MERCHANT_REPORTED', 'pending_validation', 'GBP', 1000, 1,
              '2000-01-01', 'CPA', 800, 800, 160, 640, true, 'order_confirmed', '2000-01-01'
         FROM generate_series(1, $3::int) g RETURNING id),
     t AS (INSERT INTO ledger.ledger_transactions (id, kind, conversion_id) SELECT 'tx_' || id, 'commission', id FROM c RETURNING id, conversion_id),
     e AS (INSERT INTO ledger.ledger_entries (transaction_id, conversion_id, account_type, account_owner, currency, amount_minor)
           SELECT t.id, t.conversion_id, a.t, a.o, 'GBP', a.amount FROM t,
                  (VALUES ('merchant_receivable', $1::text, 800), ('network_revenue', '', -160), ('builder_payable', $2::text, -640)) a(t, o, amount)
           RETURNING 1)
     INSERT INTO ledger.ledger_accounts (account_type, account_owner, currency, balance_minor)
     SELECT v.t, v.o, 'GBP', v.b * $3::bigint FROM (VALUES ('merchant_receivable', $1::text, 800), ('network_revenue', '', -160), ('builder_payable', $2::text, -640)) v(t, o, b)
      WHERE (SELECT count(*) FROM e) > 0
     ON CONFLICT (account_type, account_owner, currency) DO UPDATE SET balance_minor = ledger_accounts.balance_minor + EXCLUDED.balance_minor`,
    [merchant, builder, n],
  );
  await db.query(`ANALYZE ledger.conversions`);
  await db.query(`ANALYZE ledger.ledger_transactions`);
  const fixtureSeconds = round((Date.now() - t0) / 1000);
  log(`  fixture of ${n} conversions in ${fixtureSeconds} s (set-up, not measured); settling`);

  const started = Date.now();
  const answer = gql(graphqlUrl, adminKey, `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id } }`, { asOf: SETTLE_AS_OF }, 600_000).then(
    () => 'ok',
    (err: Error) => err.message.slice(0, 160),
  );
  let committedAt: number | undefined;
  while (committedAt === undefined && Date.now() - started < 600_000) {
    const rows = await db.query(`SELECT 1 FROM ledger.settlement_runs WHERE period = $1`, [PERIOD]);
    if (rows.length) committedAt = Date.now();
    else await sleep(50);
  }
  const gatewayAnswer = await answer;
  if (committedAt === undefined) throw new Error(`settlement did not commit within 600 s (gateway: ${gatewayAnswer})`);
  const batches = (
    await db.query<{ payee: string; total: string; lines: number }>(
      `SELECT payee_type || ':' || payee_id AS payee, total_minor::text AS total, line_count AS lines FROM ledger.settlement_batches WHERE period = $1 ORDER BY 1`,
      [PERIOD],
    )
  ).map((b) => ({ payee: b.payee, totalMinor: Number(b.total), lines: b.lines }));
  const exact =
    batches.length === 2 &&
    batches.some((b) => b.payee === `builder:${builder}` && b.totalMinor === 640 * n && b.lines === n) &&
    batches.some((b) => b.payee === `merchant:${merchant}` && b.totalMinor === 800 * n && b.lines === n);
  return { conversions: n, seconds: round((committedAt - started) / 1000, 2), fixtureSeconds, gatewayAnswer, batches, exact };
}
