// BI reads over the ledger, each filtered by the caller: admin and services see everything, a
// merchant its own, an agent its own (the rules: conversion.access.ts, settlement.access.ts,
// books.access.ts). Keyset pages (never OFFSET) on indexed sort keys. Each is a reporting read
// (ReadPool.read): on the read replica when DATABASE_READ_URL is set and it is close enough,
// with all of one call's statements on the same side (docs/architecture.md, "Read replica").
import {
  badUserInput, boundedText, decodeCursor, optionalId, pageSize, requireAuthenticated, requiredId, toPage, type Page, type Principal, type ReadPool,
} from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { checkLedger, type LedgerCheckResult } from '../books/ledger-check.js';
import { scopeLedgerAccounts, scopeLedgerEntries } from '../books/books.access.js';
import { scopeConversions } from '../conversion/conversion.access.js';
import { ConversionEntity } from '../conversion/conversion.entity.js';
import type { SettlementBatchRow } from '../settlement/settlement-batch.js';
import { scopeSettlementBatches } from '../settlement/settlement.access.js';
import { Where } from '../sql-where.js';

export interface ConversionFilter {
  merchantId?: string | null;
  agentId?: string | null;
  status?: string | null;
  conversionPath?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export type SummaryGroup = 'MERCHANT' | 'AGENT' | 'DAY' | 'STATUS';
/** The conversions list by (created_at, id): oldest first, or newest first. */
export type ConversionOrder = 'CREATED_ASC' | 'CREATED_DESC';

export interface SummaryRow {
  key: string | null;
  currency: string;
  count: number;
  transactionValueMinor: string;
  commissionMinor: string;
  networkFeeMinor: string;
  builderPayoutMinor: string;
  refundedMinor: string;
  refundedCount: number;
}

export interface EntryRow {
  id: string;
  transaction_id: string;
  conversion_id: string | null;
  account_type: string;
  account_owner: string;
  currency: string;
  amount_minor: string;
  created_at: Date;
  kind: string;
  reverses_id: string | null;
}

/** A settlement line: the conversion, its kind and its amount in the batch's currency (bigint text). */
export interface BatchLine {
  conversion: ConversionEntity;
  kind: string;
  amountMinor: string;
}

export interface BalanceRow {
  account_type: string;
  account_owner: string;
  currency: string;
  balance_minor: string;
}

const GROUP_KEY: Record<SummaryGroup, string> = {
  MERCHANT: 'c.merchant_id',
  AGENT: 'c.agent_id',
  DAY: `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  STATUS: 'c.status',
};

/** The conversions page's cursor (created_at as Postgres prints it, microseconds, so no row repeats or hides), or null. */
function conversionCursor(after: string | null | undefined): { at: string; id: string } | null {
  const cursor = decodeCursor(after);
  if (!cursor) return null;
  const sep = cursor.lastIndexOf('|');
  const at = cursor.slice(0, sep);
  const id = cursor.slice(sep + 1);
  if (sep < 0 || !id || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(at)) throw badUserInput('after', 'is not a valid cursor');
  return { at, id };
}

export class ReportingService {
  constructor(readonly reads: ReadPool) {}

  /** The caller's conversions (conversion.access.ts) as a where clause over alias `c`, or null for none. */
  private conversionWhere(principal: Principal, filter: ConversionFilter | null | undefined): Where | null {
    requireAuthenticated(principal);
    optionalId(filter?.merchantId, 'filter.merchantId');
    optionalId(filter?.agentId, 'filter.agentId');
    const w = new Where();
    if (!scopeConversions(w, 'c', principal)) return null;
    const f = filter ?? {};
    if (f.merchantId) w.add((x) => `c.merchant_id = ${x}`, f.merchantId);
    if (f.agentId) w.add((x) => `c.agent_id = ${x}`, f.agentId);
    if (f.status) w.add((x) => `c.status = ${x}`, f.status);
    if (f.conversionPath) w.add((x) => `c.conversion_path = ${x}`, f.conversionPath);
    if (f.from) w.add((x) => `c.created_at >= ${x}`, f.from);
    if (f.to) w.add((x) => `c.created_at < ${x}`, f.to);
    return w;
  }

  /** By (created_at, id): oldest first, or newest first (`CREATED_DESC`); the cursor is the last row's key either way. */
  async conversions(
    principal: Principal,
    filter: ConversionFilter | null | undefined,
    first?: number | null,
    after?: string | null,
    order: ConversionOrder = 'CREATED_ASC',
  ): Promise<Page<ConversionEntity>> {
    const limit = pageSize(first);
    const w = this.conversionWhere(principal, filter);
    if (!w) return toPage([], limit, 0, () => '');
    const cursor = conversionCursor(after);
    const desc = order === 'CREATED_DESC';
    return this.reads.read(async (ds) => {
      const count: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM ledger.conversions c ${w.sql}`, w.params);
      // (A copy: a read the replica fails runs again on the primary.)
      const pw = w.copy();
      if (cursor) {
        pw.params.push(cursor.at, cursor.id);
        pw.raw(`(c.created_at, c.id) ${desc ? '<' : '>'} ($${pw.params.length - 1}::timestamptz, $${pw.params.length})`);
      }
      const dir = desc ? 'DESC' : 'ASC';
      const keys: Array<{ id: string; at: string }> = await ds.query(
        `SELECT c.id, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
           FROM ledger.conversions c ${pw.sql} ORDER BY c.created_at ${dir}, c.id ${dir} LIMIT ${limit + 1}`,
        pw.params,
      );
      const atOf = new Map(keys.map((k) => [k.id, k.at]));
      const rows = await this.byIds(ds, keys.map((k) => k.id), desc ? 'created-desc' : 'created');
      return toPage(rows, limit, count[0]!.n, (r) => `${atOf.get(r.id)}|${r.id}`);
    });
  }

  async commissionSummary(principal: Principal, filter: ConversionFilter | null | undefined, groupBy: SummaryGroup): Promise<SummaryRow[]> {
    const w = this.conversionWhere(principal, filter);
    if (!w) return [];
    const key = GROUP_KEY[groupBy];
    // Money only as the books hold it: a conversion whose commission is not booked (flagged,
    // awaiting review, or rejected) counts, but adds no commission.
    const booked = (column: string) => `coalesce(sum(c.${column}) FILTER (WHERE c.commission_posted), 0)::text`;
    return this.reads.read((ds) => ds.query(
      `SELECT ${key} AS key, c.currency, count(*)::int AS count,
              sum(c.transaction_value_minor)::text AS "transactionValueMinor", ${booked('commission_minor')} AS "commissionMinor",
              ${booked('network_fee_minor')} AS "networkFeeMinor", ${booked('builder_payout_minor')} AS "builderPayoutMinor",
              sum(c.refunded_minor)::text AS "refundedMinor", (count(*) FILTER (WHERE c.refunded_minor > 0))::int AS "refundedCount"
         FROM ledger.conversions c ${w.sql} GROUP BY 1, 2 ORDER BY 1, 2`,
      w.params,
    ));
  }

  async batches(principal: Principal, first?: number | null, after?: string | null, period?: string | null): Promise<Page<SettlementBatchRow>> {
    requireAuthenticated(principal);
    boundedText(period, 'period', 10); // a day, YYYY-MM-DD
    const limit = pageSize(first);
    const w = new Where();
    if (!scopeSettlementBatches(w, 'b', principal)) return toPage([], limit, 0, () => '');
    if (period) w.add((x) => `b.period = ${x}`, period);
    return this.reads.read(async (ds) => {
      const count: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM ledger.settlement_batches b ${w.sql}`, w.params);
      const cursor = decodeCursor(after);
      const pw = cursor ? w.copy().add((x) => `b.id > ${x}`, cursor) : w;
      const rows: SettlementBatchRow[] = await ds.query(
        `SELECT b.* FROM ledger.settlement_batches b ${pw.sql} ORDER BY b.id LIMIT ${limit + 1}`,
        pw.params,
      );
      return toPage(this.reads.remember(rows, ds), limit, count[0]!.n, (r) => r.id);
    });
  }

  /**
   * The conversions of a batch (its lines), already checked visible by the caller of batches():
   * read where the batch was (a batch a command just made or paid: the primary).
   */
  async batchConversions(batch: object & { id: string }, first?: number | null, after?: string | null): Promise<Page<ConversionEntity>> {
    const batchId = batch.id;
    const limit = pageSize(first);
    const cursor = decodeCursor(after) ?? '';
    return this.reads.readAlong(batch, async (ds) => {
      const count: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM ledger.settlement_lines WHERE batch_id = $1`, [batchId]);
      const ids: Array<{ conversion_id: string }> = await ds.query(
        `SELECT conversion_id FROM ledger.settlement_lines WHERE batch_id = $1 AND conversion_id > $2 ORDER BY conversion_id LIMIT ${limit + 1}`,
        [batchId, cursor],
      );
      const rows = await this.byIds(ds, ids.map((r) => r.conversion_id), 'id');
      return toPage(rows, limit, count[0]!.n, (r) => r.id);
    });
  }

  /** One batch the caller may see (settlement.access.ts), else null; fresh: a batch just made or paid reads as it is. */
  async batch(principal: Principal, id: string): Promise<SettlementBatchRow | null> {
    requireAuthenticated(principal);
    requiredId(id, 'id');
    const w = new Where();
    if (!scopeSettlementBatches(w, 'b', principal)) return null;
    w.add((x) => `b.id = ${x}`, id);
    return this.reads.fresh(async (ds) => {
      const rows: SettlementBatchRow[] = await ds.query(`SELECT b.* FROM ledger.settlement_batches b ${w.sql}`, w.params);
      return this.reads.remember(rows, ds)[0] ?? null;
    });
  }

  /** A batch's lines (its statement) with their own amounts, by conversion id; read where the batch was. */
  async batchLines(batch: object & { id: string }, first?: number | null, after?: string | null): Promise<Page<BatchLine>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after) ?? '';
    return this.reads.readAlong(batch, async (ds) => {
      const count: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM ledger.settlement_lines WHERE batch_id = $1`, [batch.id]);
      const lines: Array<{ conversion_id: string; kind: string; amount_minor: string }> = await ds.query(
        `SELECT conversion_id, kind, amount_minor FROM ledger.settlement_lines WHERE batch_id = $1 AND conversion_id > $2 ORDER BY conversion_id LIMIT ${limit + 1}`,
        [batch.id, cursor],
      );
      const byId = new Map((await this.byIds(ds, lines.map((l) => l.conversion_id), 'id')).map((c) => [c.id, c]));
      const rows = lines.map((l) => ({ conversion: byId.get(l.conversion_id)!, kind: l.kind, amountMinor: l.amount_minor }));
      return toPage(rows, limit, count[0]!.n, (r) => r.conversion.id);
    });
  }

  async entries(principal: Principal, filter: { conversionId?: string | null; accountType?: string | null }, first?: number | null, after?: string | null): Promise<Page<EntryRow>> {
    requireAuthenticated(principal);
    optionalId(filter.conversionId, 'filter.conversionId');
    boundedText(filter.accountType, 'filter.accountType', 40);
    const limit = pageSize(first);
    const w = new Where();
    if (!scopeLedgerEntries(w, 'e', principal)) return toPage([], limit, 0, () => '');
    if (filter.conversionId) w.add((x) => `e.conversion_id = ${x}`, filter.conversionId);
    if (filter.accountType) w.add((x) => `e.account_type = ${x}`, filter.accountType);
    const cursor = decodeCursor(after);
    if (cursor && !/^\d+$/.test(cursor)) throw badUserInput('after', 'is not a valid cursor');
    return this.reads.read(async (ds) => {
      const count: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM ledger.ledger_entries e ${w.sql}`, w.params);
      const pw = cursor ? w.copy().add((x) => `e.id > ${x}::bigint`, cursor) : w;
      const rows: EntryRow[] = await ds.query(
        `SELECT e.id::text, e.transaction_id, e.conversion_id, e.account_type, e.account_owner, e.currency, e.amount_minor::text, e.created_at,
                t.kind, t.reverses_id
           FROM ledger.ledger_entries e JOIN ledger.ledger_transactions t ON t.id = e.transaction_id
           ${pw.sql} ORDER BY e.id LIMIT ${limit + 1}`,
        pw.params,
      );
      return toPage(rows, limit, count[0]!.n, (r) => r.id);
    });
  }

  /** Entities for ids, sorted by (created_at, id) or by id, as the page was; their children are read from the same side. */
  private async byIds(ds: DataSource, ids: string[], order: 'created' | 'created-desc' | 'id'): Promise<ConversionEntity[]> {
    if (ids.length === 0) return [];
    const qb = ds.getRepository(ConversionEntity).createQueryBuilder('c').where('c.id = ANY(:ids)', { ids });
    if (order === 'created') qb.orderBy('c.created_at', 'ASC').addOrderBy('c.id', 'ASC');
    else if (order === 'created-desc') qb.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC');
    else qb.orderBy('c.id', 'ASC');
    return this.reads.remember(await qb.getMany(), ds);
  }

  /** The books' invariants over one snapshot: a full scan, so a reporting read. */
  check(): Promise<LedgerCheckResult> {
    return this.reads.read((ds) => checkLedger(ds));
  }

  async balances(principal: Principal): Promise<BalanceRow[]> {
    const w = new Where();
    if (!scopeLedgerAccounts(w, 'a', principal)) return [];
    return this.reads.read((ds) => ds.query(
      `SELECT a.account_type, a.account_owner, a.currency, a.balance_minor::text FROM ledger.ledger_accounts a ${w.sql}
        ORDER BY a.account_type, a.account_owner, a.currency`,
      w.params,
    ));
  }
}
