// Reading a checkout session's timeline (keyset pages in the entries' id order: time, then
// source, then the source's own order) and keeping the entries other packages contribute
// through the `timeline.*` queue (timeline.job.ts): each once, whatever the relay re-adds.
import {
  badUserInput,
  decodeCursor,
  pageSize,
  parseCheckoutTimelinePayload,
  toPage,
  type Actor,
  type Page,
  type PageArgs,
  type ParsedTimelinePayload,
} from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { table } from '../events.js';
import { isTimelineEntryId, timelineEntryId } from './timeline.ids.js';

export interface TimelineEntry {
  id: string;
  checkoutSessionId: string;
  at: Date;
  kind: string;
  summary: string;
  actor: Actor | null;
  data: Record<string, unknown>;
}

interface Row {
  id: string;
  checkout_session_id: string;
  at: Date;
  kind: string;
  summary: string;
  actor_kind: Actor['kind'] | null;
  actor_id: string | null;
  data: Record<string, unknown>;
}

const fromRow = (r: Row): TimelineEntry => ({
  id: r.id,
  checkoutSessionId: r.checkout_session_id,
  at: new Date(r.at),
  kind: r.kind,
  summary: r.summary,
  actor: r.actor_kind && r.actor_id ? { kind: r.actor_kind, id: r.actor_id } : null,
  data: r.data ?? {},
});

/** What became of a contributed entry. */
export type ContributedOutcome = 'recorded' | 'duplicate';

export class TimelineService {
  constructor(private readonly dataSource: DataSource) {}

  /** One page of a session's timeline, oldest first (the caller has checked the session is visible). */
  async page(checkoutSessionId: string, args: PageArgs): Promise<Page<TimelineEntry>> {
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (after !== undefined && !isTimelineEntryId(after)) throw badUserInput('after', 'is not a valid cursor');
    const [rows, count] = await Promise.all([
      this.dataSource.query(
        `SELECT id, checkout_session_id, at, kind, summary, actor_kind, actor_id, data FROM ${table('timeline_entries')}
          WHERE checkout_session_id = $1 AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
        [checkoutSessionId, after ?? null, limit + 1],
      ) as Promise<Row[]>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM ${table('timeline_entries')} WHERE checkout_session_id = $1`, [checkoutSessionId]) as Promise<
        Array<{ n: number }>
      >,
    ]);
    return toPage(rows.map(fromRow), limit, count[0]!.n, (e) => e.id);
  }

  /**
   * Keeps an entry another package wrote to its outbox (`source` its schema, `sourceEventId` the
   * outbox row): once, whatever the relay re-adds. InvalidTimelineEntry when the payload is not a
   * timeline entry (the job fails for good); an error when it names no session of that merchant.
   */
  async recordContributed(source: string, sourceEventId: string, payload: unknown): Promise<ContributedOutcome> {
    const parsed = parseCheckoutTimelinePayload(payload);
    if (!parsed.ok) throw new InvalidTimelineEntry(`not a timeline entry: ${parsed.problem}`);
    if (!/^[0-9]{1,19}$/.test(sourceEventId)) throw new InvalidTimelineEntry('the source event id is not an outbox row id');
    const entry: ParsedTimelinePayload = parsed.entry;
    const id = timelineEntryId(new Date(entry.at), source, sourceEventId);
    // Only for a session of that merchant; the session's own row says so. No arbiter: the id is a
    // function of (at, source, source event), so a primary-key clash of concurrent replays is a duplicate.
    const rows = (await this.dataSource.query(
      `WITH cs AS (SELECT id FROM ${table('checkout_sessions')} WHERE id = $2 AND merchant_id = $3)
       INSERT INTO ${table('timeline_entries')} (id, checkout_session_id, merchant_id, kind, at, summary, actor_kind, actor_id, data, source, source_event_id)
       SELECT $1, cs.id, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11 FROM cs
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        id, entry.checkoutId, entry.merchantId, entry.kind, entry.at, entry.summary, entry.actor?.kind ?? null, entry.actor?.id ?? null,
        JSON.stringify(entry.data), source, sourceEventId,
      ],
    )) as Array<{ id: string }>;
    if (rows.length === 1) return 'recorded';
    const known = (await this.dataSource.query(`SELECT 1 FROM ${table('timeline_entries')} WHERE source = $1 AND source_event_id = $2`, [source, sourceEventId])) as unknown[];
    if (known.length === 1) return 'duplicate';
    // Retried with the job's backoff (a session is written before anything happens to it, so this
    // is a producer's bug or a restore): it fails for good, listed for an operator, after the last attempt.
    throw new Error(`checkout session ${entry.checkoutId} of merchant ${entry.merchantId} is unknown`);
  }
}

/** A contributed entry that can never be kept (retrying will not help). */
export class InvalidTimelineEntry extends Error {}
