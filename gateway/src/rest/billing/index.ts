// Recurring billing's REST edges (issue 22; docs/recurring.md), thin adapters over the
// payment-intent subgraph's billing subscription reads, in seed 003's shapes (snake_case, minor
// units, lower-case statuses, Unix seconds as Stripe's subscription object has them). A merchant
// key sees its own, an admin's any.
//   GET /v1/subscriptions/:id      billingSubscription → the subscription with its invoices
//   GET /v1/subscriptions          billingSubscriptions(?status=&limit=&cursor=) → { data, has_more, next_cursor }
//   POST /v1/subscriptions/:id[/cancel|/pause|/resume]   the lifecycle commands (commands.ts)
//   POST /v1/subscriptions/:id/card_update_link          the buyer's card-update link (card-update-link.ts)
import type { RouteMount } from '../../route-deps.js';
import { sendError, sendInputProblem } from '../rest-http.js';
import { graph, mountRoute } from '../checkout-service/route-kit.js';
import { listOf, pageQuery, type ConnectionJson } from '../checkout-service/page-query.js';
import { mountSubscriptionCommands } from './commands.js';
import { mountCardUpdateLinkRoute } from './card-update-link.js';

import { SUBSCRIPTIONS } from './paths.js';

import { FIELDS, subscriptionJson, type SubscriptionJson } from './subscription-json.js';


const GET = `query RestBillingSubscription($id: ID!) { billingSubscription(id: $id) { ${FIELDS} } }`;
const LIST = `query RestBillingSubscriptions($first: Int, $after: String, $status: BillingSubscriptionStatus) {
  billingSubscriptions(first: $first, after: $after, status: $status) { edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

const STATUSES: Record<string, string> = { trialing: 'TRIALING', active: 'ACTIVE', past_due: 'PAST_DUE', canceled: 'CANCELED', unpaid: 'UNPAID', incomplete: 'INCOMPLETE', paused: 'PAUSED' };


export const mountBillingRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'get', `${SUBSCRIPTIONS}/:id`, async (call) => {
    const data = await graph<{ billingSubscription: SubscriptionJson | null }>(call, GET, { id: call.id });
    if (!data) return;
    if (!data.billingSubscription) return sendError(call.res, 404, 'BILLING_SUBSCRIPTION_NOT_FOUND', 'Subscription not found.');
    call.res.json(subscriptionJson(data.billingSubscription));
  });

  mountRoute(app, deps, 'get', SUBSCRIPTIONS, async (call) => {
    const page = pageQuery(call);
    if (!page) return;
    const raw = call.req.query.status;
    let status: string | null = null;
    if (raw !== undefined) {
      status = typeof raw === 'string' ? (STATUSES[raw.trim().toLowerCase()] ?? null) : null;
      if (!status) return sendInputProblem(call.res, { field: 'status', message: `must be one of ${Object.keys(STATUSES).join(', ')}.` });
    }
    const data = await graph<{ billingSubscriptions: ConnectionJson<SubscriptionJson> }>(call, LIST, { ...page, status });
    if (data) call.res.json({ object: 'list', ...listOf(data.billingSubscriptions, subscriptionJson) });
  });

  mountSubscriptionCommands(app, deps);
  mountCardUpdateLinkRoute(app, deps);
};
