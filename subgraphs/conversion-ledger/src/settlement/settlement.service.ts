// Settlement, set-based: one run per period (the asOf day, UTC) moves eligible conversions
// forward (PENDING → VALIDATED → PAYABLE), releases or writes off anonymous agents' held
// shares, and makes one batch per payee, currency and period — builder payouts and merchant
// invoices — from lines that are the difference between what a conversion is owed now and what
// was settled before (so a clawback after payout is a negative line in the next batch).
// An advisory lock plus the runs table make a rerun, or a concurrent run, a no-op. The steps,
// each conversion rewritten once, are in settlement-run.ts. A merchant's batch marked paid tells
// the merchant (settlement.batch_paid, settlement.webhook-event.ts).
import { addAllToOutbox, invalidStateTransition, readMinorUnits, requireKind, sqlStatus, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { AccountType, postTransaction } from '../books/ledger.js';
import { emitConversionUpdated, emitConversionUpdatedFor } from '../conversion/conversion.events.js';
import { batchNotFound } from '../conversion/conversion.errors.js';
import { conversionSqlMoves } from '../conversion/conversion.states.js';
import type { Notifier } from '../conversion/conversion-recorder.service.js';
import type { Directory } from '../ports/directory.js';
import type { SettlementBatchRow } from './settlement-batch.js';
import { applyRun, lockRunSet, makeBatches, releaseOrForfeit, RUN_TABLE } from './settlement-run.js';
import { batchPaidWebhookEvents } from './settlement.webhook-event.js';
import { settlementBatchAudit } from './settlement.audit.js';

const LOCK = `hashtext('ledger:settlement')`;
/** A paid batch's conversions: PAYABLE → PAID, by the state table's move. */
const { pay } = conversionSqlMoves;
/** Longest one statement of a run may take (the gateway's SETTLEMENT_TIMEOUT_MS defaults to 5 min). */
const RUN_STATEMENT_TIMEOUT = '5min';

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
      // Sorts and hashes over a run's 100,000+ rows stay in memory (the default 4 MB spills to disk),
      // and a statement over them may take longer than the pool's 30 s statement timeout allows a
      // request's (as the gateway gives runSettlement a deadline of its own).
      await m.query(`SET LOCAL work_mem = '64MB'`);
      await m.query(`SET LOCAL statement_timeout = '${RUN_STATEMENT_TIMEOUT}'`);
      await lockRunSet(m, asOf);
      await releaseOrForfeit(m, period, builders);
      const made = await makeBatches(m, period);
      await applyRun(m, period);
      await emitConversionUpdatedFor(m, `SELECT id FROM ${RUN_TABLE} WHERE bump > 0`);
      // One audit row per batch made (settlement.audit.ts), in the run's transaction.
      if (made.length > 0) await addAllToOutbox(m, 'ledger', made.map((b) => settlementBatchAudit(b, 'created')));
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
      const total = readMinorUnits(b.total_minor);
      if (b.payee_type === 'builder') {
        const bal: Array<{ owed: string }> = await m.query(
          `SELECT coalesce(-sum(balance_minor), 0)::text AS owed FROM ledger.ledger_accounts
            WHERE account_type = 'builder_payable' AND account_owner = $1 AND currency = $2`,
          [b.payee_id, b.currency],
        );
        // A payout never makes an account negative: money clawed back since the batch was made is not paid.
        if (readMinorUnits(bal[0]!.owed) < total) throw invalidStateTransition('Paying this batch would overdraw the builder account.', 'batch:would_overdraw');
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
        `WITH u AS (UPDATE ledger.conversions c SET status = ${sqlStatus(pay.to)}, paid_at = now(), version = version + ${pay.steps}, updated_at = now()
           FROM ledger.settlement_lines l
          WHERE l.batch_id = $1 AND l.kind = 'commission' AND l.conversion_id = c.id AND c.status = ${sqlStatus(pay.from)}
          RETURNING c.id) SELECT * FROM u`,
        [b.id],
      );
      const updated: SettlementBatchRow[] = await m.query(
        `WITH u AS (UPDATE ledger.settlement_batches SET status = 'PAID', paid_at = now() WHERE id = $1 RETURNING *) SELECT * FROM u`,
        [b.id],
      );
      // Last: the conversions' events, and a merchant batch's settlement.batch_paid to its merchant.
      // The batch's audit row stands for its conversions' move to PAID (settlement.audit.ts).
      await emitConversionUpdated(m, paid.map((r) => r.id), [...batchPaidWebhookEvents(updated[0]!), settlementBatchAudit(updated[0]!, 'paid')], { audit: false });
      return updated[0]!;
    });
    this.outbox.notify();
    return batch;
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

  private batchesOf(m: EntityManager, period: string): Promise<SettlementBatchRow[]> {
    return m.query(`SELECT * FROM ledger.settlement_batches WHERE period = $1 ORDER BY id`, [period]);
  }
}
