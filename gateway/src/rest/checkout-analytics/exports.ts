// Seed 003 §16's exports at the REST edge, thin adapters over the GraphQL operations:
//   POST /v1/checkout/exports       { type: checkout_events | failed_sessions, format?: csv | ndjson (csv), from, to, merchant_id? (admin) } → 202 { id, status, … }
//   GET  /v1/checkout/exports       the caller's exports → { data, has_more, next_cursor } (?merchant_id= for an admin, ?limit, ?cursor)
//   GET  /v1/checkout/exports/{id}  status and, when ready, `download_url` (signed, expiring: ?expires_in= seconds, 900 by default)
// A merchant key for its own; an admin for any merchant's (POST names it).
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendError, sendInputProblem } from '../rest-http.js';
import { bodyOf, graph, mountRoute } from '../checkout-service/route-kit.js';
import { listOf, pageQuery, type ConnectionJson } from '../checkout-service/page-query.js';
import { queryMerchant, rangeField } from './metrics.js';

export const EXPORTS = '/v1/checkout/exports';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

const FIELDS = `id merchantId kind format from to status rowCount byteCount failure { code message } createdAt completedAt fileExpiresAt`;
const CREATE = `mutation RestCreateExport($input: CreateExportInput!, $key: String) { createExport(input: $input, idempotencyKey: $key) { ${FIELDS} } }`;
const READ = `query RestExport($id: ID!, $ttl: Int) { export(id: $id) { ${FIELDS} download(expiresInSeconds: $ttl) { url expiresAt } } }`;
const LIST = `query RestExports($m: ID, $first: Int, $after: String) {
  exports(merchantId: $m, first: $first, after: $after) { edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

interface ExportJson {
  id: string;
  merchantId: string;
  kind: string;
  format: string;
  from: string;
  to: string;
  status: string;
  rowCount: number;
  byteCount: number;
  failure: { code: string; message: string } | null;
  createdAt: string;
  completedAt: string | null;
  fileExpiresAt: string | null;
  download?: { url: string; expiresAt: string } | null;
}

const BODY: ObjectShape = {
  kind: 'object',
  fields: {
    type: { kind: 'string', required: true, max: 40 },
    format: { kind: 'string', max: 20 },
    from: { kind: 'string', required: true, max: 40 },
    to: { kind: 'string', required: true, max: 40 },
    merchant_id: { kind: 'string', max: 100 },
  },
};
const TYPES: Record<string, string> = { checkout_events: 'CHECKOUT_EVENTS', failed_sessions: 'FAILED_SESSIONS' };
const FORMATS: Record<string, string> = { csv: 'CSV', ndjson: 'NDJSON' };

export function exportJson(e: ExportJson): Record<string, unknown> {
  return {
    object: 'checkout_export',
    id: e.id,
    status: e.status.toLowerCase(),
    type: e.kind.toLowerCase(),
    format: e.format.toLowerCase(),
    merchant_id: e.merchantId,
    from: e.from,
    to: e.to,
    row_count: e.rowCount,
    byte_count: e.byteCount,
    error: e.failure,
    created_at: e.createdAt,
    completed_at: e.completedAt,
    file_expires_at: e.fileExpiresAt,
    ...(e.download !== undefined ? { download_url: e.download?.url ?? null, download_expires_at: e.download?.expiresAt ?? null } : {}),
  };
}

const notFound = (res: Parameters<typeof sendError>[0]) => sendError(res, 404, 'EXPORT_NOT_FOUND', 'Checkout export not found.');

export function mountExportRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', EXPORTS, async (call) => {
    const body = bodyOf(call, BODY);
    if (!body) return;
    const kind = TYPES[String(body.type)];
    if (!kind) return sendInputProblem(call.res, { field: 'type', message: `must be one of ${Object.keys(TYPES).join(', ')}.` });
    const format = FORMATS[String(body.format ?? 'csv')];
    if (!format) return sendInputProblem(call.res, { field: 'format', message: `must be one of ${Object.keys(FORMATS).join(', ')}.` });
    for (const f of ['from', 'to'] as const) {
      const v = String(body[f]);
      if (!ISO_TIME.test(v) || Number.isNaN(Date.parse(v))) return sendInputProblem(call.res, { field: f, message: 'must be an ISO 8601 date-time (2026-05-01T00:00:00Z).' });
    }
    const input = {
      merchantId: body.merchant_id ?? null,
      kind,
      format,
      from: new Date(String(body.from)).toISOString(),
      to: new Date(String(body.to)).toISOString(),
    };
    const data = await graph<{ createExport: ExportJson }>(call, CREATE, { input, key: call.idempotencyKey ?? null }, { mutation: true, rename: rangeField });
    if (data) call.res.status(202).json(exportJson(data.createExport));
  });

  mountRoute(app, deps, 'get', EXPORTS, async (call) => {
    const page = pageQuery(call);
    if (!page) return;
    const m = queryMerchant(call);
    if (m === undefined) return;
    const data = await graph<{ exports: ConnectionJson<ExportJson> }>(call, LIST, { m, first: page.first, after: page.after }, { rename: rangeField });
    if (data) call.res.json(listOf(data.exports, exportJson));
  });

  mountRoute(app, deps, 'get', `${EXPORTS}/:id`, async (call) => {
    const raw = call.req.query.expires_in;
    if (raw !== undefined && (typeof raw !== 'string' || !/^[0-9]{1,6}$/.test(raw))) {
      return sendInputProblem(call.res, { field: 'expires_in', message: 'must be a number of seconds from 1 to 86400.' });
    }
    if (call.id.length > 100) return notFound(call.res);
    const data = await graph<{ export: ExportJson | null }>(call, READ, { id: call.id, ttl: raw === undefined ? null : Number(raw) }, {
      rename: (f) => (f === 'expiresInSeconds' ? 'expires_in' : f),
    });
    if (!data) return;
    if (!data.export) return notFound(call.res);
    call.res.json(exportJson(data.export));
  });
}
