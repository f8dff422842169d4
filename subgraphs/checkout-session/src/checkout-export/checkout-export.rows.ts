// What each kind of export holds, read by keyset pages of PAGE_ROWS over an index on
// (merchant_id, time, id), so a year of data is never in memory at once and no transaction stays
// open while the file is written:
//   checkout_events   the merchant's timeline entries (timeline_entries_merchant_at_idx) with `at` in the range
//   failed_sessions   its checkout failures (checkout_failures_merchant_first_idx) first failed in the
//                     range, open or resolved, with the session's status and the resolution
import type { DataSource } from 'typeorm';
import { table } from '../events.js';
import type { ExportKind } from './checkout-export.entity.js';
import type { ExportRecord } from './checkout-export.format.js';

export const PAGE_ROWS = 1000;

export interface ExportSource {
  columns: readonly string[];
  /** The page after `after` (the previous page's last key), oldest first. */
  page(merchantId: string, from: Date, to: Date, after: Keyset | null): Promise<{ records: ExportRecord[]; last: Keyset | null }>;
}

/** The last row's time as Postgres wrote it (microseconds: a JS Date would lose them and repeat rows) and its id. */
export interface Keyset {
  at: string;
  id: string;
}

interface EventRow {
  id: string;
  checkout_session_id: string;
  at: Date;
  kind: string;
  summary: string;
  actor_kind: string | null;
  actor_id: string | null;
  data: Record<string, unknown>;
  at_key: string;
}

interface FailureRow {
  id: string;
  checkout_session_id: string;
  category: string;
  reason: string;
  message: string;
  detail: Record<string, unknown>;
  payment_intent_id: string | null;
  occurrences: number;
  first_failed_at: Date;
  last_failed_at: Date;
  session_status: string | null;
  resolution: string | null;
  resolved_at: Date | null;
  resolved_by_kind: string | null;
  resolved_by_id: string | null;
  resolution_note: string | null;
  at_key: string;
}

const after = (last: Keyset | null, time: string, id: string) => (last ? `AND (${time}, ${id}) > ($4::timestamptz, $5::text)` : '');
const params = (merchantId: string, from: Date, to: Date, last: Keyset | null) => (last ? [merchantId, from, to, last.at, last.id] : [merchantId, from, to]);
const actor = (kind: string | null, id: string | null) => (kind && id ? `${kind}:${id}` : null);

function eventsSource(dataSource: DataSource): ExportSource {
  return {
    columns: ['event_id', 'checkout_id', 'occurred_at', 'kind', 'summary', 'actor', 'data'],
    async page(merchantId, from, to, last) {
      const rows = (await dataSource.query(
        `SELECT id, checkout_session_id, at, at::text AS at_key, kind, summary, actor_kind, actor_id, data FROM ${table('timeline_entries')}
          WHERE merchant_id = $1 AND at >= $2 AND at < $3 ${after(last, 'at', 'id')}
          ORDER BY at, id LIMIT ${PAGE_ROWS}`,
        params(merchantId, from, to, last),
      )) as EventRow[];
      const records = rows.map((r) => ({
        event_id: r.id,
        checkout_id: r.checkout_session_id,
        occurred_at: new Date(r.at),
        kind: r.kind,
        summary: r.summary,
        actor: actor(r.actor_kind, r.actor_id),
        data: r.data ?? {},
      }));
      const end = rows[rows.length - 1];
      return { records, last: rows.length === PAGE_ROWS && end ? { at: end.at_key, id: end.id } : null };
    },
  };
}

function failuresSource(dataSource: DataSource): ExportSource {
  return {
    columns: [
      'failure_id', 'checkout_id', 'checkout_status', 'category', 'reason', 'message', 'decline_code', 'payment_intent_id', 'occurrences',
      'first_failed_at', 'last_failed_at', 'resolution', 'resolved_at', 'resolved_by', 'resolution_note',
    ],
    async page(merchantId, from, to, last) {
      const rows = (await dataSource.query(
        `SELECT f.id, f.checkout_session_id, f.category, f.reason, f.message, f.detail, f.payment_intent_id, f.occurrences,
                f.first_failed_at, f.last_failed_at, s.status AS session_status, f.resolution, f.resolved_at, f.resolved_by_kind,
                f.resolved_by_id, f.resolution_note, f.first_failed_at::text AS at_key
           FROM ${table('checkout_failures')} f LEFT JOIN ${table('checkout_sessions')} s ON s.id = f.checkout_session_id
          WHERE f.merchant_id = $1 AND f.first_failed_at >= $2 AND f.first_failed_at < $3 ${after(last, 'f.first_failed_at', 'f.id')}
          ORDER BY f.first_failed_at, f.id LIMIT ${PAGE_ROWS}`,
        params(merchantId, from, to, last),
      )) as FailureRow[];
      const records = rows.map((r) => ({
        failure_id: r.id,
        checkout_id: r.checkout_session_id,
        checkout_status: r.session_status?.toLowerCase() ?? null,
        category: r.category,
        reason: r.reason,
        message: r.message,
        decline_code: typeof r.detail?.declineCode === 'string' ? r.detail.declineCode : null,
        payment_intent_id: r.payment_intent_id,
        occurrences: r.occurrences,
        first_failed_at: new Date(r.first_failed_at),
        last_failed_at: new Date(r.last_failed_at),
        resolution: r.resolution,
        resolved_at: r.resolved_at ? new Date(r.resolved_at) : null,
        resolved_by: actor(r.resolved_by_kind, r.resolved_by_id),
        resolution_note: r.resolution_note,
      }));
      const end = rows[rows.length - 1];
      return { records, last: rows.length === PAGE_ROWS && end ? { at: end.at_key, id: end.id } : null };
    },
  };
}

export function exportSource(dataSource: DataSource, kind: ExportKind): ExportSource {
  return kind === 'checkout_events' ? eventsSource(dataSource) : failuresSource(dataSource);
}
