// Seed 003 §16: GET /v1/checkout/sessions/:id/timeline → { data: [{ id, at, kind, summary, actor,
// data }], has_more, next_cursor }, oldest first, over CheckoutSession.timeline. The merchant's key
// for its own sessions (another merchant's: 404), or an admin's.
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { listOf, pageQuery, type ConnectionJson } from './page-query.js';
import { found, graph, mountRoute, SESSIONS } from './route-kit.js';

const TIMELINE = `query RestCheckoutTimeline($id: ID!, $first: Int, $after: String) {
  checkoutSession(id: $id) { timeline(first: $first, after: $after) {
    edges { node { id at kind summary actor { kind id } data } } pageInfo { hasNextPage endCursor } } } }`;

interface EntryJson {
  id: string;
  at: string;
  kind: string;
  summary: string;
  actor: { kind: string; id: string } | null;
  data: Record<string, unknown>;
}

const entryJson = (e: EntryJson) => ({
  id: e.id,
  object: 'checkout_timeline_entry',
  at: e.at,
  kind: e.kind,
  summary: e.summary,
  // The API's enum names in the routes' lower case.
  actor: e.actor ? { kind: e.actor.kind.toLowerCase(), id: e.actor.id } : null,
  data: e.data,
});

export function mountTimelineRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'get', `${SESSIONS}/:id/timeline`, async (call) => {
    const page = pageQuery(call);
    if (!page) return;
    const data = await graph<{ checkoutSession: { timeline: ConnectionJson<EntryJson> } | null }>(call, TIMELINE, { id: call.id, ...page }, {
      rename: (f) => (f === 'after' ? 'cursor' : f === 'first' ? 'limit' : f),
    });
    if (!data) return;
    const session = found(call, data.checkoutSession);
    if (!session) return;
    call.res.json(listOf(session.timeline, entryJson));
  });
}
