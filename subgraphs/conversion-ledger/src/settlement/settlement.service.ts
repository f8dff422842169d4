// Settlement, set-based: one run per period (the asOf day, UTC) moves eligible conversions
// forward (PENDING → VALIDATED → PAYABLE), releases or writes off anonymous agents' held
// shares, and makes one batch per payee, currency and period — builder payouts and merchant
// invoices — from lines that are the difference between what a conversion is owed now and what
// was settled before (so a clawback after payout is a negative line in the next batch).
// An advisory lock plus the runs table make a rerun, or a concurrent run, a no-op.
import { invalidStateTransition, requireKind, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { AccountType, postTransaction } from '../books/ledger.js';
import { emitConversionUpdated } from '../conversion/conversion.events.js';
import { batchNotFound } from '../conversion/conversion.errors.js';
import type { Notifier } from '../conversion/conversion-recorder.service.js';
import type { Directory } from '../directory/directory.js';

export interface SettlementBatchRow {
  id: string;
  period: string;
  payee_type: 'builder' | 'merchant';
  payee_id: string;
  currency: string;
  total_minor: string;
  line_count: number;
  status: 'OPEN' | 'PAID';
  created_at: Date;
  paid_at: Date | null;
}

const LOCK = `hashtext('ledger:settlement')`;

export const periodOf = (asOf: Date): string => asOf.toISOString().slice(0, 10);

export class SettlementService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: Directory,
    private readonly outbox: Notifier,
  ) {}

  /** Admin (or the scheduler, with no principal): settles the period of `asOf`. */
  async run(principal: Principal | null, asOf: Date = new Date()): Promise<SettlementBatchRow[]> {
    if (principal) requireKind(principal, 'ADMIN');
    const period = periodOf(asOf);
    const builders = await this.registeredBuildersOfHeldAgents();
    const batches = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      const done = await m.query(`SELECT 1 FROM ledger.settlement_runs WHERE period = $1`, [period]);
      if (done.length > 0) return this.batchesOf(m, period);
      const changed = new Set<string>();
      for (const id of await this.advance(m, asOf)) changed.add(id);
      for (const id of await this.releaseOrForfeit(m, period, builders)) changed.add(id);
      const made = await this.makeBatches(m, period);
      await emitConversionUpdated(m, [...changed]);
      await m.query(`INSERT INTO ledger.settlement_runs (period, as_of, batch_count) VALUES ($1, $2, $3)`, [period, asOf, made.length]);
      return made;
    });
    this.outbox.notify();
    return batches;
  }

  /** Admin: the payout was sent or the invoice collected. Books it and moves its conversions to PAID. */
  async markBatchPaid(principal: Principal, batchId: string): Promise<SettlementBatchRow> {
    requireKind(principal, 'ADMIN');
    const batch = await this.dataSource.transaction(async (m) => {
      const rows: SettlementBatchRow[] = await m.query(`SELECT * FROM ledger.settlement_batches WHERE id = $1 FOR UPDATE`, [batchId]);
      const b = rows[0];
      if (!b) throw batchNotFound(batchId);
      if (b.status === 'PAID') return b;
      const total = Number(b.total_minor);
      if (b.payee_type === 'builder') {
        const bal: Array<{ owed: string }> = await m.query(
          `SELECT coalesce(-sum(balance_minor), 0)::text AS owed FROM ledger.ledger_accounts
            WHERE account_type = 'builder_payable' AND account_owner = $1 AND currency = $2`,
          [b.payee_id, b.currency],
        );
        // A payout never makes an account negative: money clawed back since the batch was made is not paid.
        if (Number(bal[0]!.owed) < total) throw invalidStateTransition('Paying this batch would overdraw the builder account.', 'batch:would_overdraw');
      }
      const cash = { accountType: AccountType.SETTLEMENT_CASH, owner: '' };
      const payee = b.payee_type === 'builder'
        ? { accountType: AccountType.BUILDER_PAYABLE, owner: b.payee_id }
        : { accountType: AccountType.MERCHANT_RECEIVABLE, owner: b.payee_id };
      const sign = b.payee_type === 'builder' ? 1 : -1;
      await postTransaction(m, {
        kind: b.payee_type === 'builder' ? 'payout' : 'invoice_payment',
        currency: b.currency,
        batchId: b.id,
        memo: `batch ${b.id} (${b.period})`,
        entries: [
          { ...payee, amountMinor: sign * total },
          { ...cash, amountMinor: -sign * total },
        ],
      });
      const paid: Array<{ id: string }> = await m.query(
        `WITH u AS (UPDATE ledger.conversions c SET status = 'PAID', paid_at = now(), version = version + 1, updated_at = now()
           FROM ledger.settlement_lines l
          WHERE l.batch_id = $1 AND l.kind = 'commission' AND l.conversion_id = c.id AND c.status = 'PAYABLE'
          RETURNING c.id) SELECT * FROM u`,
        [b.id],
      );
      await emitConversionUpdated(m, paid.map((r) => r.id));
      const updated: SettlementBatchRow[] = await m.query(
        `WITH u AS (UPDATE ledger.settlement_batches SET status = 'PAID', paid_at = now() WHERE id = $1 RETURNING *) SELECT * FROM u`,
        [b.id],
      );
      return updated[0]!;
    });
    this.outbox.notify();
    return batch;
  }

  /** PENDING past its window → VALIDATED; VALIDATED with its gating milestone done → PAYABLE. */
  private async advance(m: EntityManager, asOf: Date): Promise<string[]> {
    const validated: Array<{ id: string }> = await m.query(
      `WITH u AS (UPDATE ledger.conversions SET status = 'VALIDATED', version = version + 1, updated_at = now()
        WHERE status = 'PENDING' AND commission_posted AND validates_at <= $1 RETURNING id) SELECT * FROM u`,
      [asOf],
    );
    const payable: Array<{ id: string }> = await m.query(
      `WITH u AS (UPDATE ledger.conversions SET status = 'PAYABLE', version = version + 1, updated_at = now()
        WHERE status = 'VALIDATED' AND commission_posted AND (payable_after IS NULL OR payable_since <= $1) RETURNING id) SELECT * FROM u`,
      [asOf],
    );
    return [...validated, ...payable].map((r) => r.id);
  }

  /** Agents with held shares whose builder has registered since: looked up before the transaction. */
  private async registeredBuildersOfHeldAgents(): Promise<Map<string, string>> {
    const rows: Array<{ agent_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT agent_id FROM ledger.conversions WHERE unclaimed_minor > 0 AND agent_id IS NOT NULL AND commission_posted AND status IN ('PENDING', 'VALIDATED', 'PAYABLE')`,
    );
    const out = new Map<string, string>();
    for (const { agent_id } of rows) {
      const agent = await this.directory.agent(agent_id);
      if (agent?.builder?.registered) out.set(agent_id, agent.builder.id);
    }
    return out;
  }

  /**
   * For PAYABLE conversions still holding a share: release it to the builder that registered
   * (debit unclaimed, credit builder payable), or write it off (debit unclaimed, credit the
   * merchant receivable) so it is never invoiced. One ledger transaction per conversion, in SQL.
   */
  private async releaseOrForfeit(m: EntityManager, period: string, builders: Map<string, string>): Promise<string[]> {
    await m.query(
      `CREATE TEMP TABLE held ON COMMIT DROP AS
       SELECT c.id, c.currency, c.agent_id, c.merchant_id, c.unclaimed_minor AS amount, b.builder_id,
              'set_' || $1 || '_' || c.id AS tx_id,
              (SELECT t.id FROM ledger.ledger_transactions t WHERE t.conversion_id = c.id AND t.kind = 'commission' ORDER BY t.id LIMIT 1) AS original
         FROM ledger.conversions c
         LEFT JOIN unnest($2::text[], $3::text[]) AS b(agent_id, builder_id) ON b.agent_id = c.agent_id
        WHERE c.status = 'PAYABLE' AND c.unclaimed_minor > 0`,
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
    const changed: Array<{ id: string }> = await m.query(
      `WITH u AS (UPDATE ledger.conversions c SET
          builder_id = coalesce(h.builder_id, c.builder_id),
          builder_payout_minor = c.builder_payout_minor + CASE WHEN h.builder_id IS NULL THEN 0 ELSE h.amount END,
          forfeited_minor = c.forfeited_minor + CASE WHEN h.builder_id IS NULL THEN h.amount ELSE 0 END,
          unclaimed_minor = 0, version = c.version + 1, updated_at = now()
         FROM held h WHERE h.id = c.id RETURNING c.id) SELECT * FROM u`,
    );
    return changed.map((r) => r.id);
  }

  /**
   * Lines = owed now − settled before, per payee; one batch per payee, currency and period whose
   * total is not negative. A zero batch (new business netting out clawbacks) still records its
   * lines, so its conversions reach PAID; a negative total waits for the next period's business.
   */
  private async makeBatches(m: EntityManager, period: string): Promise<SettlementBatchRow[]> {
    await m.query(
      `CREATE TEMP TABLE lines ON COMMIT DROP AS
       WITH owed AS (
         SELECT c.id, c.status, c.currency, 'builder' AS payee_type, c.builder_id AS payee_id,
                c.builder_payout_minor AS owed, c.builder_settled_minor AS settled
           FROM ledger.conversions c
          WHERE c.builder_id IS NOT NULL AND c.commission_posted AND c.status IN ('PAYABLE', 'PAID', 'CLAWED_BACK')
         UNION ALL
         SELECT c.id, c.status, c.currency, 'merchant', c.merchant_id,
                c.commission_minor - c.forfeited_minor, c.merchant_settled_minor
           FROM ledger.conversions c
          WHERE c.commission_posted AND c.status IN ('PAYABLE', 'PAID', 'CLAWED_BACK'))
       SELECT o.id AS conversion_id, o.currency, o.payee_type, o.payee_id, o.owed - o.settled AS amount,
              CASE WHEN first.conversion_id IS NULL THEN 'commission' ELSE 'adjustment' END AS kind
         FROM owed o
         LEFT JOIN ledger.settlement_lines first
           ON first.conversion_id = o.id AND first.payee_type = o.payee_type AND first.kind = 'commission'
        WHERE (first.conversion_id IS NULL AND o.status = 'PAYABLE' AND o.owed > 0)
           OR (first.conversion_id IS NOT NULL AND o.owed <> o.settled)`,
    );
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
           ON b.period = $1 AND b.payee_type = l.payee_type AND b.payee_id = l.payee_id AND b.currency = l.currency`,
      [period],
    );
    await m.query(
      `UPDATE ledger.conversions c SET
          builder_settled_minor = c.builder_settled_minor + coalesce(s.builder, 0),
          merchant_settled_minor = c.merchant_settled_minor + coalesce(s.merchant, 0)
         FROM (SELECT l.conversion_id,
                      sum(l.amount_minor) FILTER (WHERE l.payee_type = 'builder') AS builder,
                      sum(l.amount_minor) FILTER (WHERE l.payee_type = 'merchant') AS merchant
                 FROM ledger.settlement_lines l JOIN ledger.settlement_batches b ON b.id = l.batch_id
                WHERE b.period = $1 GROUP BY l.conversion_id) s
        WHERE s.conversion_id = c.id`,
      [period],
    );
    return batches.sort((a, b) => a.id.localeCompare(b.id));
  }

  private batchesOf(m: EntityManager, period: string): Promise<SettlementBatchRow[]> {
    return m.query(`SELECT * FROM ledger.settlement_batches WHERE period = $1 ORDER BY id`, [period]);
  }
}
