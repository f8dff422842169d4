// Seed 003's REST routes (docs/api.md, "Checkout service routes"): /v1/checkout/sessions and
// what hangs off it, thin adapters over the checkout session's GraphQL operations, in the
// shapes of seed 003 (snake_case, minor units, lower-case statuses). Merchant or admin key.
import type { RouteMount } from '../../route-deps.js';
import { mountAuditRoutes } from './audit.js';
import { mountBuyerRoutes } from './buyer.js';
import { mountCalculationRoutes } from './calculation.js';
import { mountSessionRoutes } from './sessions.js';
import { mountTenderRoutes } from './tender.js';
import { mountTimelineRoutes } from './timeline.js';

export const mountCheckoutServiceRest: RouteMount = (app, deps) => {
  mountSessionRoutes(app, deps);
  mountBuyerRoutes(app, deps);
  mountCalculationRoutes(app, deps);
  mountTimelineRoutes(app, deps);
  mountAuditRoutes(app, deps);
  mountTenderRoutes(app, deps);
};
