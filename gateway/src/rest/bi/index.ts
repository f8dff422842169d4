// BI facts at the REST edge (issue 24 item 7, docs/bi.md), adapters over the ledger's GraphQL:
//   GET /v1/bi/facts           → biFacts: the funnel and money by day/week/month and dimensions
//   GET /v1/exports/bi-facts   → biFactChanges: the incremental export, NDJSON or CSV, a page a call
// A merchant key reads its own merchant's facts; an admin key any merchant's (`merchant_id`) or all.
import type { Express } from 'express';
import type { GatewayRouteDeps, RouteMount } from '../../route-deps.js';
import { sendInputProblem } from '../rest-http.js';
import { graph, mountRoute, type Call } from '../checkout-service/route-kit.js';
import { queryInstant, queryMerchant, rangeField } from '../checkout-analytics/metrics.js';

export const BI_FACTS = '/v1/bi/facts';
export const BI_FACTS_EXPORT = '/v1/exports/bi-facts';

const INTERVALS = ['day', 'week', 'month'];
const DIMENSIONS = ['merchant', 'agent', 'offer', 'currency', 'channel'];

const REPORT = `query RestBiFacts($input: BiFactsInput!) { biFacts(input: $input) { from to interval groupBy merchantId
  rows { bucket bucketStart merchantId agentId offerId currency channel agentSessions recommendations checkouts paymentsSucceeded refunds conversionsVerified paidOut
    amounts { currency gmv { amountMinor } refunded { amountMinor } refundRate conversionValue { amountMinor } paidOut { amountMinor } } } } }`;

const CHANGES = `query RestBiFactChanges($since: String, $first: Int, $m: ID) { biFactChanges(since: $since, first: $first, merchantId: $m) {
  nextCursor hasMore changes { cursor id kind subjectId occurredAt recordedAt merchantId agentId offerId agentSessionId channel amount { amountMinor currency } } } }`;

interface Amounts { currency: string; gmv: { amountMinor: number }; refunded: { amountMinor: number }; refundRate: number | null; conversionValue: { amountMinor: number }; paidOut: { amountMinor: number } }
interface Row {
  bucket: string; bucketStart: string; merchantId: string | null; agentId: string | null; offerId: string | null; currency: string | null; channel: string | null;
  agentSessions: number; recommendations: number; checkouts: number; paymentsSucceeded: number; refunds: number; conversionsVerified: number; paidOut: number; amounts: Amounts[];
}
interface Change {
  cursor: string; id: string; kind: string; subjectId: string; occurredAt: string; recordedAt: string; merchantId: string | null; agentId: string | null;
  offerId: string | null; agentSessionId: string | null; channel: string; amount: { amountMinor: number; currency: string } | null;
}

/** `?name=` as one of `allowed` (lower case), null when absent, undefined once a 400 is sent. */
function oneOf(call: Call, name: string, allowed: readonly string[]): string | null | undefined {
  const raw = call.req.query[name];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !allowed.includes(raw)) return void sendInputProblem(call.res, { field: name, message: `must be one of ${allowed.join(', ')}.` });
  return raw;
}

function mountFactsRoute(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'get', BI_FACTS, async (call) => {
    const from = queryInstant(call, 'from');
    if (from === undefined) return;
    const to = queryInstant(call, 'to');
    if (to === undefined) return;
    const m = queryMerchant(call);
    if (m === undefined) return;
    const interval = oneOf(call, 'interval', INTERVALS);
    if (interval === undefined) return;
    if (interval === null) return sendInputProblem(call.res, { field: 'interval', message: `is required: one of ${INTERVALS.join(', ')}.` });
    const rawGroups = call.req.query.group_by;
    if (rawGroups !== undefined && typeof rawGroups !== 'string') return sendInputProblem(call.res, { field: 'group_by', message: 'must be a comma-separated list of dimensions.' });
    const groups = rawGroups ? rawGroups.split(',').map((g) => g.trim()) : [];
    const unknown = groups.find((g) => !DIMENSIONS.includes(g));
    if (unknown !== undefined) return sendInputProblem(call.res, { field: 'group_by', message: `unknown dimension ${JSON.stringify(unknown.slice(0, 40))}: one of ${DIMENSIONS.join(', ')}.` });
    const agent = call.req.query.agent_id;
    if (agent !== undefined && (typeof agent !== 'string' || agent.length === 0 || agent.length > 100)) return sendInputProblem(call.res, { field: 'agent_id', message: 'must be an agent id.' });
    const input = { from, to, interval: interval.toUpperCase(), groupBy: groups.map((g) => g.toUpperCase()), merchantId: m, agentId: agent ?? null };
    const data = await graph<{ biFacts: { from: string; to: string; interval: string; groupBy: string[]; merchantId: string | null; rows: Row[] } }>(
      call, REPORT, { input }, { rename: (f) => { const r = rangeField(f); return r === 'groupBy' ? 'group_by' : r === 'agentId' ? 'agent_id' : r; } },
    );
    if (!data) return;
    const r = data.biFacts;
    call.res.json({
      object: 'bi_facts',
      from: r.from,
      to: r.to,
      interval: r.interval.toLowerCase(),
      group_by: r.groupBy.map((g) => g.toLowerCase()),
      merchant_id: r.merchantId,
      data: r.rows.map((x) => ({
        bucket: x.bucket, bucket_start: x.bucketStart, merchant_id: x.merchantId, agent_id: x.agentId, offer_id: x.offerId, currency: x.currency,
        channel: x.channel?.toLowerCase() ?? null, agent_sessions: x.agentSessions, recommendations: x.recommendations, checkouts: x.checkouts,
        payments_succeeded: x.paymentsSucceeded, refunds: x.refunds, conversions_verified: x.conversionsVerified, paid_out: x.paidOut,
        amounts: x.amounts.map((a) => ({
          currency: a.currency, gmv_minor: a.gmv.amountMinor, refunded_minor: a.refunded.amountMinor, refund_rate: a.refundRate,
          conversion_value_minor: a.conversionValue.amountMinor, paid_out_minor: a.paidOut.amountMinor,
        })),
      })),
    });
  });
}

const COLUMNS = ['cursor', 'fact_id', 'kind', 'subject_id', 'occurred_at', 'recorded_at', 'merchant_id', 'agent_id', 'offer_id', 'agent_session_id', 'channel', 'currency', 'amount_minor'] as const;

const exportRow = (c: Change): Record<(typeof COLUMNS)[number], string | number | null> => ({
  cursor: c.cursor, fact_id: c.id, kind: c.kind.toLowerCase(), subject_id: c.subjectId, occurred_at: c.occurredAt, recorded_at: c.recordedAt,
  merchant_id: c.merchantId, agent_id: c.agentId, offer_id: c.offerId, agent_session_id: c.agentSessionId, channel: c.channel.toLowerCase(),
  currency: c.amount?.currency ?? null, amount_minor: c.amount?.amountMinor ?? null,
});

/** RFC 4180 field; text a spreadsheet would run as a formula gets a leading `'`. */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function mountExportRoute(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'get', BI_FACTS_EXPORT, async (call) => {
    const m = queryMerchant(call);
    if (m === undefined) return;
    const format = oneOf(call, 'format', ['ndjson', 'csv']);
    if (format === undefined) return;
    const since = call.req.query.since;
    if (since !== undefined && typeof since !== 'string') return sendInputProblem(call.res, { field: 'since', message: 'must be a cursor of this export.' });
    const rawLimit = call.req.query.limit;
    let first: number | null = null;
    if (rawLimit !== undefined) {
      if (typeof rawLimit !== 'string' || !/^\d{1,5}$/.test(rawLimit)) return sendInputProblem(call.res, { field: 'limit', message: 'must be an integer from 1 to 5000.' });
      first = Number(rawLimit);
    }
    const data = await graph<{ biFactChanges: { nextCursor: string; hasMore: boolean; changes: Change[] } }>(
      call, CHANGES, { since: since ?? null, first, m }, { rename: (f) => (f === 'first' ? 'limit' : f === 'merchantId' ? 'merchant_id' : f) },
    );
    if (!data) return;
    const page = data.biFactChanges;
    const rows = page.changes.map(exportRow);
    call.res.setHeader('Handoff-Next-Cursor', page.nextCursor);
    call.res.setHeader('Handoff-Has-More', String(page.hasMore));
    call.res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      call.res.type('text/csv; charset=utf-8');
      call.res.send([COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((k) => csvField(r[k])).join(','))].join('\r\n') + '\r\n');
      return;
    }
    call.res.type('application/x-ndjson; charset=utf-8');
    call.res.send(rows.map((r) => JSON.stringify(r) + '\n').join(''));
  });
}

export const mountBiFactsRest: RouteMount = (app, deps) => {
  mountFactsRoute(app, deps);
  mountExportRoute(app, deps);
};
