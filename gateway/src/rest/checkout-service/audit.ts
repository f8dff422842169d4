// Seed 003 §17: GET /v1/checkout/audit (ADMIN only: a merchant's key is 403) → { data: [{ id, at,
// entity_type, entity_id, merchant_id, action, actor, request_id, before, after, source }],
// has_more, next_cursor }, newest first, over auditLog. Filters: merchant_id, entity_type,
// entity_id, actor_kind, actor_id, since, until (ISO 8601); `limit`, `cursor`.
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { sendError, sendInputProblem } from '../rest-http.js';
import { listOf, pageQuery, type ConnectionJson } from './page-query.js';
import { graph, mountRoute } from './route-kit.js';

export const AUDIT = '/v1/checkout/audit';

const AUDIT_LOG = `query RestAuditLog($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { node { id at entityType entityId merchantId action actor { kind id } requestId before after source } }
    pageInfo { hasNextPage endCursor } } }`;

interface EntryJson {
  id: string;
  at: string;
  entityType: string;
  entityId: string;
  merchantId: string | null;
  action: string;
  actor: { kind: string; id: string };
  requestId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: string;
}

const entryJson = (e: EntryJson) => ({
  id: e.id,
  object: 'audit_log_entry',
  at: e.at,
  entity_type: e.entityType,
  entity_id: e.entityId,
  merchant_id: e.merchantId,
  action: e.action,
  actor: { kind: e.actor.kind.toLowerCase(), id: e.actor.id },
  request_id: e.requestId,
  before: e.before,
  after: e.after,
  source: e.source,
});

// Query name → the filter's field; `actor_kind` in the routes' lower case.
const TEXT_FILTERS: Record<string, string> = { merchant_id: 'merchantId', entity_type: 'entityType', entity_id: 'entityId', actor_id: 'actorId' };
const ACTOR_KINDS = ['merchant', 'admin', 'agent', 'client', 'service', 'psp_webhook', 'anonymous'];
const GRAPHQL_TO_QUERY: Record<string, string> = { ...Object.fromEntries(Object.entries(TEXT_FILTERS).map(([q, f]) => [`filter.${f}`, q])), 'filter.actorKind': 'actor_kind', 'filter.since': 'since', 'filter.until': 'until', after: 'cursor', first: 'limit' };

export function mountAuditRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'get', AUDIT, async (call) => {
    if (call.principal.kind !== 'ADMIN') return sendError(call.res, 403, 'FORBIDDEN', 'The audit log takes an admin API key.');
    const page = pageQuery(call);
    if (!page) return;
    const q = call.req.query;
    const filter: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(TEXT_FILTERS)) {
      const v = q[name];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.length === 0 || v.length > 200) return sendInputProblem(call.res, { field: name, message: 'must be 1 to 200 characters.' });
      filter[field] = v;
    }
    if (q.actor_kind !== undefined) {
      if (typeof q.actor_kind !== 'string' || !ACTOR_KINDS.includes(q.actor_kind)) {
        return sendInputProblem(call.res, { field: 'actor_kind', message: `must be one of ${ACTOR_KINDS.join(', ')}.` });
      }
      filter.actorKind = q.actor_kind.toUpperCase();
    }
    for (const name of ['since', 'until'] as const) {
      const v = q[name];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v))) {
        return sendInputProblem(call.res, { field: name, message: 'must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z.' });
      }
      filter[name] = new Date(v).toISOString();
    }
    const data = await graph<{ auditLog: ConnectionJson<EntryJson> }>(call, AUDIT_LOG, { filter, ...page }, { rename: (f) => GRAPHQL_TO_QUERY[f] ?? f });
    if (!data) return;
    call.res.json(listOf(data.auditLog, entryJson));
  });
}
