// The incremental export of BI facts (docs/bi.md "Export"): every fact row once, in a stable
// order, a page at a time, resumable from the cursor of the last row read.
//
// Why not `id > cursor`: ids come from a sequence when a row is inserted, and transactions commit
// in any order, so a reader could see id 11 (committed) before id 10 (still running) and never see
// 10. The order here is (txid, id), where txid is the writing transaction's id, and a page only
// hands out rows of transactions older than the oldest one still running
// (`txid < pg_snapshot_xmin(pg_current_snapshot())`): every transaction below that bound has
// committed or rolled back, and every transaction that commits later has a txid at or above it,
// so it sorts after every cursor already handed out. A row is therefore never skipped and never
// repeated; the price is that a long transaction anywhere on the server holds the export back
// (its rows, and everything written after it began, wait until it ends).
import { badUserInput, money, type Money, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { Where } from '../sql-where.js';
import { scopeBiFacts } from './bi-facts.query.js';

export const DEFAULT_EXPORT_PAGE = 1000;
export const MAX_EXPORT_PAGE = 5000;
const CURSOR_PREFIX = 'bf1.';

export interface BiFactChange {
  cursor: string;
  id: string;
  kind: string;
  subjectId: string;
  occurredAt: Date;
  recordedAt: Date;
  merchantId: string | null;
  agentId: string | null;
  offerId: string | null;
  agentSessionId: string | null;
  channel: string;
  amount: Money | null;
}

export interface BiFactChangePage {
  changes: BiFactChange[];
  /** Where the next page starts: the last row's cursor, or `since` again when nothing new is ready. */
  nextCursor: string;
  /** More rows are ready now (ask again at once); false: ask again later. */
  hasMore: boolean;
}

export const encodeBiCursor = (txid: string, id: string) => `${CURSOR_PREFIX}${Buffer.from(`${txid}:${id}`).toString('base64url')}`;

/** The (txid, id) of a cursor, or BAD_USER_INPUT naming `field`. The empty start is (0, 0). */
export function decodeBiCursor(cursor: string | null | undefined, field = 'since'): { txid: string; id: string } {
  if (cursor === null || cursor === undefined || cursor === '') return { txid: '0', id: '0' };
  const bad = () => badUserInput(field, 'is not a cursor of this export (use a nextCursor or a row cursor it returned).');
  if (typeof cursor !== 'string' || cursor.length > 100 || !cursor.startsWith(CURSOR_PREFIX)) throw bad();
  const m = /^(\d{1,19}):(\d{1,19})$/.exec(Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8'));
  if (!m || encodeBiCursor(m[1]!, m[2]!) !== cursor || BigInt(m[1]!) > 2n ** 63n - 1n || BigInt(m[2]!) > 2n ** 63n - 1n) throw bad();
  return { txid: m[1]!, id: m[2]! };
}

export function exportPageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_EXPORT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_EXPORT_PAGE) throw badUserInput('first', `must be an integer from 1 to ${MAX_EXPORT_PAGE}.`);
  return first;
}

interface Row {
  txid: string;
  id: string;
  kind: string;
  subject_id: string;
  occurred_at: Date;
  recorded_at: Date;
  merchant_id: string | null;
  agent_id: string | null;
  offer_id: string | null;
  agent_session_id: string | null;
  channel: string;
  currency: string | null;
  amount_minor: string | null;
}

export async function biFactChanges(
  db: Pick<DataSource, 'query'>,
  principal: Principal,
  args: { since?: string | null; first?: number | null; merchantId?: string | null },
): Promise<BiFactChangePage> {
  const w = new Where();
  scopeBiFacts(w, principal, args.merchantId);
  const limit = exportPageSize(args.first);
  const since = decodeBiCursor(args.since);
  w.params.push(since.txid, since.id);
  w.raw(`(f.txid, f.id) > ($${w.params.length - 1}::xid8, $${w.params.length}::bigint)`);
  w.raw(`f.txid < pg_snapshot_xmin(pg_current_snapshot())`);
  const rows = (await db.query(
    `SELECT f.txid::text, f.id::text, f.kind, f.subject_id, f.occurred_at, f.recorded_at, f.merchant_id, f.agent_id, f.offer_id,
            f.agent_session_id, f.channel, f.currency, f.amount_minor::text
       FROM ledger.bi_facts f ${w.sql} ORDER BY f.txid, f.id LIMIT ${limit + 1}`,
    w.params,
  )) as Row[];
  const page = rows.slice(0, limit);
  const changes = page.map((r) => ({
    cursor: encodeBiCursor(r.txid, r.id),
    id: r.id,
    kind: r.kind,
    subjectId: r.subject_id,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    merchantId: r.merchant_id,
    agentId: r.agent_id,
    offerId: r.offer_id,
    agentSessionId: r.agent_session_id,
    channel: r.channel,
    amount: r.amount_minor !== null && r.currency ? money(r.amount_minor, r.currency) : null,
  }));
  const last = changes.at(-1);
  return { changes, nextCursor: last ? last.cursor : encodeBiCursor(since.txid, since.id), hasMore: rows.length > limit };
}
