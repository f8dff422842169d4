// The `conversion.updated` events after a cursor, read back from this subgraph's outbox (rows are
// kept once delivered), for the gateway's `conversionUpdated(after:)` replay. The cursor is the
// event's `ledger.conversion_event_seq` value (conversion.events.ts), so it orders events.
import { badUserInput, requireKind, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { CONVERSION_UPDATED } from '../conversion/conversion.events.js';
import { conversionScope } from '../conversion/conversion.access.js';

export interface ConversionEventRow {
  cursor: string;
  conversionId: string;
  merchantId: string;
  agentId: string | null;
  status: string;
  version: number | null;
}

export const MAX_REPLAY_PAGE = 500;

export class ConversionEventsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The highest cursor committed now ('0' before any), for Handoff's services: where the
   * gateway's live feed starts. Cursors are assigned in commit order, so none below it can
   * still appear.
   */
  async head(principal: Principal): Promise<string> {
    requireKind(principal, 'SERVICE');
    const rows: Array<{ head: string | null }> = await this.dataSource.query(
      `SELECT max((payload->>'cursor')::bigint)::text AS head FROM ledger.outbox WHERE topic = $1`,
      [CONVERSION_UPDATED],
    );
    return rows[0]?.head ?? '0';
  }

  /**
   * Events with a cursor greater than `after`, oldest first, that `principal` may see (its
   * conversion scope, as every read of conversions), optionally only `merchantId`'s.
   */
  async after(principal: Principal, opts: { after: string; merchantId?: string | null; limit?: number | null }): Promise<ConversionEventRow[]> {
    if (!/^\d{1,18}$/.test(opts.after)) throw badUserInput('after', 'is not a valid cursor.');
    const scope = conversionScope(principal);
    if (!scope) return [];
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), MAX_REPLAY_PAGE);
    const params: unknown[] = [CONVERSION_UPDATED, opts.after, limit];
    const where: string[] = [];
    const eq = (path: string, value: unknown) => {
      params.push(value);
      where.push(`${path} = $${params.length}`);
    };
    if (typeof scope.merchantId === 'string') eq(`payload->'conversion'->>'merchantId'`, scope.merchantId);
    if (typeof scope.agentId === 'string') eq(`payload->'conversion'->>'agentId'`, scope.agentId);
    if (opts.merchantId) eq(`payload->'conversion'->>'merchantId'`, opts.merchantId);
    const rows: Array<{ payload: { cursor: string; conversion: Record<string, unknown> } }> = await this.dataSource.query(
      `SELECT payload FROM ledger.outbox
        WHERE topic = $1 AND (payload->>'cursor')::bigint > $2::bigint ${where.map((w) => `AND ${w}`).join(' ')}
        ORDER BY (payload->>'cursor')::bigint LIMIT $3`,
      params,
    );
    return rows.map(({ payload: { cursor, conversion: c } }) => ({
      cursor,
      conversionId: String(c.id),
      merchantId: String(c.merchantId),
      agentId: typeof c.agentId === 'string' ? c.agentId : null,
      status: String(c.status),
      version: typeof c.version === 'number' ? c.version : null,
    }));
  }
}
