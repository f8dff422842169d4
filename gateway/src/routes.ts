// Non-GraphQL edges of the gateway (the hosted checkout page and its public API, REST adapters
// in the seeds' shapes; webhooks in, which also have a path in front of express). Each feature
// exports a RouteMount and is listed in `routeMounts`; createGateway mounts them before /graphql
// with these dependencies (route-deps.ts).
import { mountConversionRoutes } from './rest/conversions.js';
import { mountCheckoutRest } from './rest/checkout.js';
import { mountCheckoutServiceRest } from './rest/checkout-service/index.js';
import { mountHostedPage } from './hosted-page/hosted-page.routes.js';
import { mountCardUpdatePage } from './hosted-page/card-update/card-update.routes.js';
import { mountWebhookRest } from './rest/webhooks/index.js';
import { mountAgentWebhookRest } from './rest/webhooks/agent-webhooks.js';
import { mountOperations } from './rest/operations/index.js';
import { mountCheckoutSettingsRest } from './rest/checkout-settings/index.js';
import { mountRemediationRest } from './rest/remediation/index.js';
import { mountRiskRest } from './rest/risk/index.js';
import { mountFinalizationRest } from './rest/finalization/index.js';
import { mountPaymentsRest } from './rest/payments/index.js';
import { mountCheckoutAnalyticsRest } from './rest/checkout-analytics/index.js';
import { mountReservationRest } from './rest/reservations/index.js';
import { mountAcpRoutes } from './acp/index.js';
import { mountDelegatePayment } from './acp/delegate-payment.js';
import { mountAgentRest } from './rest/agent/index.js';
import { mountBillingRest } from './rest/billing/index.js';
import { mountPortal } from './portal/portal.routes.js';
import { mountBiFactsRest } from './rest/bi/index.js';
import type { RouteMount } from './route-deps.js';

export type { ExecuteResult, GatewayRouteDeps, InternalResponse, RouteMount } from './route-deps.js';

/** Features add their mount here (hosted page, REST edges). Webhooks have their own (webhooks/webhook-route.ts). */
export const routeMounts: RouteMount[] = [mountCheckoutRest, mountCheckoutServiceRest, mountWebhookRest, mountAgentWebhookRest, mountHostedPage, mountConversionRoutes, mountOperations];
// Seed 003 §17's settings, capabilities and tx-limits; §15's failed checkouts, resolve and support notes (issue 19).
routeMounts.push(mountCheckoutSettingsRest, mountRemediationRest);
// Seed 003 §9-10's fraud scores and rules, manual review, KYC, and the signed fraud and KYC callbacks (issue 19 items 2-3).
routeMounts.push(mountRiskRest);
// Seed 003 §16's KPIs, exports and their signed downloads, and the KPIs on /metrics (issue 19 item 6).
routeMounts.push(mountCheckoutAnalyticsRest);
// Seed 003 §6-7's payment intents, payment methods and 3-D Secure (issue 20 item 2).
routeMounts.push(mountPaymentsRest);
// Seed 003 §8's finalization and order handoff, §12's hosted links and embed tokens (issue 20 items 4-5).
routeMounts.push(mountFinalizationRest);
// Seed 003 §5 and §14's inventory reservations and holds (issue 20 item 1).
routeMounts.push(mountReservationRest);
// The Agentic Commerce Protocol's checkout routes under /acp/{merchantId} (issue 21 item 1).
routeMounts.push(mountAcpRoutes);
// ACP's delegate_payment: the delegated payment vault (issue 21 item 2).
routeMounts.push(mountDelegatePayment);
// The agent routes beside seed 000's checkout: sessions, recommend, offer search, purchase (issue 21 item 5).
routeMounts.push(mountAgentRest);
// Recurring billing's subscriptions (issue 22): GET /v1/subscriptions[/{id}].
routeMounts.push(mountBillingRest);
// The merchant portal's static single-page app at /portal (issue 23); its accounts API is gateway/src/portal-auth.
routeMounts.push(mountPortal);
// Issue 22: the buyer's card-update page for a billing subscription (a merchant's one-time link).
routeMounts.push(mountCardUpdatePage);
// BI facts (issue 24 item 7): GET /v1/bi/facts and the incremental export GET /v1/exports/bi-facts.
routeMounts.push(mountBiFactsRest);
