// Seed 003 §8 and §12's routes (docs/api.md, "Finalization and order handoff", "Hosted and
// embedded checkout"), thin adapters over the checkout-session subgraph's GraphQL operations.
// Merchant key for its own sessions, admin for any.
//   POST /v1/checkout/sessions/:id/finalize            { create_order? } → { status: "completed", order_id, receipt_id, order }
//   POST /v1/checkout/sessions/:id/finalize/async      { create_order? } → 202 { job_id, status, … }
//   GET  /v1/checkout/finalizations/:id                → the job { job_id, kind, status, order_id, receipt_id, error, … }
//   POST /v1/checkout/sessions/:id/finalize/rollback   { reason? } → 202 { job_id, status, order }
//   POST /v1/checkout/sessions/:id/hosted-url          { ttl_seconds? } → 201 { hosted_id, url, expires_at }
//   POST|GET /v1/checkout/sessions/:id/embed-token     { ttl_seconds? } → 201 { token, expires_at, scopes }
//   GET  /v1/checkout/hosted/:id/status                → { hosted_id, checkout_id, status, payment_intent_id, expires_at, link_expired }
//   GET  /v1/checkout/orders/:id                       checkoutOrder → the order (finalize's `order`, with its receipt_id)
//   GET  /v1/checkout/orders                           checkoutOrders → { data, has_more, next_cursor } (?limit, ?cursor; admin: ?merchant_id)
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, graph, mountRoute, SESSIONS, type Call } from '../checkout-service/route-kit.js';
import { listOf, pageQuery, type ConnectionJson } from '../checkout-service/page-query.js';

const MONEY = 'amountMinor currency';
const ORDER = `id receiptId checkoutSessionId status handedOff calculationId paymentIntentId paymentStatus createdAt rolledBackAt
  lines { lineId name offerId quantity unitAmount { ${MONEY} } discount { ${MONEY} } tax { ${MONEY} } total { ${MONEY} } }
  totals { subtotal { ${MONEY} } discount { ${MONEY} } tax { ${MONEY} } shipping { ${MONEY} } total { ${MONEY} } }`;
const JOB = 'id kind status checkoutSessionId orderId attempts error { code message } createdAt finishedAt';

const FINALIZE = `mutation RestFinalizeCheckout($id: ID!, $input: FinalizeCheckoutInput) { finalizeCheckout(id: $id, input: $input) { ${ORDER} } }`;
const FINALIZE_ASYNC = `mutation RestFinalizeCheckoutAsync($id: ID!, $input: FinalizeCheckoutInput) { finalizeCheckoutAsync(id: $id, input: $input) { ${JOB} } }`;
const JOB_QUERY = `query RestFinalizationJob($id: ID!) { checkoutFinalizationJob(id: $id) { ${JOB} } }`;
const ORDER_OF = `query RestCheckoutOrder($id: ID!) { checkoutSession(id: $id) { id order { ${ORDER} } } }`;
const ROLLBACK = `mutation RestRollbackFinalization($id: ID!, $reason: String) { rollbackCheckoutFinalization(id: $id, reason: $reason) { job { ${JOB} } order { ${ORDER} } } }`;
const ORDER_BY_ID = `query RestOrder($id: ID!) { checkoutOrder(id: $id) { ${ORDER} } }`;
const ORDERS = `query RestOrders($m: ID, $first: Int, $after: String) { checkoutOrders(merchantId: $m, first: $first, after: $after) { edges { node { ${ORDER} } } pageInfo { hasNextPage endCursor } } }`;
const HOSTED = `mutation RestHostedLink($id: ID!, $ttl: Int) { createCheckoutHostedLink(id: $id, ttlSeconds: $ttl) { hostedId checkoutSessionId url expiresAt } }`;
const EMBED = `mutation RestEmbedToken($id: ID!, $ttl: Int) { createCheckoutEmbedToken(id: $id, ttlSeconds: $ttl) { token checkoutSessionId expiresAt scopes } }`;
const HOSTED_STATUS = `query RestHostedStatus($id: ID!) { checkoutHostedStatus(hostedId: $id) { hostedId checkoutSessionId status paymentIntentId expiresAt linkExpired } }`;

interface Money {
  amountMinor: number;
  currency: string;
}
interface OrderJson {
  id: string;
  receiptId: string;
  checkoutSessionId: string;
  status: string;
  handedOff: boolean;
  calculationId: string | null;
  paymentIntentId: string | null;
  paymentStatus: string;
  createdAt: string;
  rolledBackAt: string | null;
  lines: Array<{ lineId: string; name: string; offerId: string | null; quantity: number; unitAmount: Money; discount: Money; tax: Money; total: Money }>;
  totals: { subtotal: Money; discount: Money; tax: Money; shipping: Money; total: Money };
}
interface JobJson {
  id: string;
  kind: string;
  status: string;
  checkoutSessionId: string;
  orderId: string | null;
  attempts: number;
  error: { code: string; message: string } | null;
  createdAt: string;
  finishedAt: string | null;
}

const FINALIZE_BODY: ObjectShape = { kind: 'object', fields: { create_order: { kind: 'boolean' } } };
const ROLLBACK_BODY: ObjectShape = { kind: 'object', fields: { reason: { kind: 'string', max: 500 } } };
const TTL_BODY: ObjectShape = { kind: 'object', fields: { ttl_seconds: { kind: 'integer', min: 60, max: 86_400 } } };

export function orderJson(o: OrderJson): Record<string, unknown> {
  return {
    object: 'order',
    order_id: o.id,
    receipt_id: o.receiptId,
    checkout_id: o.checkoutSessionId,
    status: o.status.toLowerCase(),
    handed_off: o.handedOff,
    calculation_id: o.calculationId,
    payment_intent_id: o.paymentIntentId,
    payment_status: o.paymentStatus,
    lines: o.lines.map((l) => ({
      line_id: l.lineId,
      name: l.name,
      offer_id: l.offerId,
      quantity: l.quantity,
      amount: l.unitAmount.amountMinor,
      discount: l.discount.amountMinor,
      tax: l.tax.amountMinor,
      total: l.total.amountMinor,
    })),
    totals: {
      currency: o.totals.total.currency,
      sub_total: o.totals.subtotal.amountMinor,
      discount_total: o.totals.discount.amountMinor,
      tax_total: o.totals.tax.amountMinor,
      shipping_total: o.totals.shipping.amountMinor,
      grand_total: o.totals.total.amountMinor,
    },
    created_at: o.createdAt,
    rolled_back_at: o.rolledBackAt,
  };
}

const jobJson = (j: JobJson, order: OrderJson | null = null) => ({
  object: 'finalization_job',
  job_id: j.id,
  kind: j.kind.toLowerCase(),
  status: j.status.toLowerCase(),
  checkout_id: j.checkoutSessionId,
  order_id: j.orderId,
  receipt_id: order?.receiptId ?? null,
  attempts: j.attempts,
  error: j.error,
  created_at: j.createdAt,
  finished_at: j.finishedAt,
});

const rename = (f: string) => (f === 'input.createOrder' ? 'create_order' : f === 'ttlSeconds' ? 'ttl_seconds' : f === 'reason' ? 'reason' : f === 'merchantId' ? 'merchant_id' : f);

const finalizeInput = (body: Record<string, unknown>) => ({ createOrder: typeof body.create_order === 'boolean' ? body.create_order : true });

async function sendJob(call: Call, job: JobJson, status: number): Promise<void> {
  // A finished finalization answers its receipt as well (one more read, of the session's order).
  let order: OrderJson | null = null;
  if (job.kind === 'FINALIZE' && job.orderId) {
    const data = await graph<{ checkoutSession: { order: OrderJson | null } | null }>(call, ORDER_OF, { id: job.checkoutSessionId });
    if (!data) return;
    order = data.checkoutSession?.order ?? null;
  }
  call.res.status(status).json(jobJson(job, order));
}

export const mountFinalizationRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/finalize`, async (call) => {
    const body = bodyOf(call, FINALIZE_BODY);
    if (!body) return;
    const data = await graph<{ finalizeCheckout: OrderJson }>(call, FINALIZE, { id: call.id, input: finalizeInput(body) }, { mutation: true, rename });
    if (!data) return;
    const o = data.finalizeCheckout;
    call.res.json({ status: 'completed', order_id: o.id, receipt_id: o.receiptId, checkout_id: o.checkoutSessionId, order: orderJson(o) });
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/finalize/async`, async (call) => {
    const body = bodyOf(call, FINALIZE_BODY);
    if (!body) return;
    const data = await graph<{ finalizeCheckoutAsync: JobJson }>(call, FINALIZE_ASYNC, { id: call.id, input: finalizeInput(body) }, { mutation: true, rename });
    if (data) call.res.status(202).json(jobJson(data.finalizeCheckoutAsync));
  });

  mountRoute(app, deps, 'get', '/v1/checkout/finalizations/:id', async (call) => {
    const data = await graph<{ checkoutFinalizationJob: JobJson }>(call, JOB_QUERY, { id: call.id }, { rename });
    if (data) await sendJob(call, data.checkoutFinalizationJob, 200);
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/finalize/rollback`, async (call) => {
    const body = bodyOf(call, ROLLBACK_BODY);
    if (!body) return;
    const data = await graph<{ rollbackCheckoutFinalization: { job: JobJson; order: OrderJson } }>(call, ROLLBACK, { id: call.id, reason: body.reason ?? null }, { mutation: true, rename });
    if (!data) return;
    const r = data.rollbackCheckoutFinalization;
    call.res.status(202).json({ ...jobJson(r.job, r.order), order: orderJson(r.order) });
  });

  // The merchant's orders read back: the shape finalize answered (orderJson), another merchant's is ORDER_NOT_FOUND.
  mountRoute(app, deps, 'get', '/v1/checkout/orders/:id', async (call) => {
    const data = await graph<{ checkoutOrder: OrderJson }>(call, ORDER_BY_ID, { id: call.id }, { rename });
    if (data) call.res.json(orderJson(data.checkoutOrder));
  });

  mountRoute(app, deps, 'get', '/v1/checkout/orders', async (call) => {
    const page = pageQuery(call);
    if (!page) return;
    const merchantId = call.req.query.merchant_id;
    if (merchantId !== undefined && (typeof merchantId !== 'string' || merchantId.length > 100)) return sendInputProblem(call.res, { field: 'merchant_id', message: 'must be a merchant id.' });
    const data = await graph<{ checkoutOrders: ConnectionJson<OrderJson> }>(call, ORDERS, { m: merchantId ?? null, first: page.first, after: page.after }, { rename });
    if (data) call.res.json(listOf(data.checkoutOrders, orderJson));
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/hosted-url`, async (call) => {
    const body = bodyOf(call, TTL_BODY);
    if (!body) return;
    const data = await graph<{ createCheckoutHostedLink: { hostedId: string; checkoutSessionId: string; url: string; expiresAt: string } }>(
      call, HOSTED, { id: call.id, ttl: body.ttl_seconds ?? null }, { mutation: true, rename },
    );
    if (!data) return;
    const h = data.createCheckoutHostedLink;
    call.res.status(201).json({ object: 'hosted_checkout', hosted_id: h.hostedId, checkout_id: h.checkoutSessionId, url: h.url, expires_at: h.expiresAt });
  });

  const embed = async (call: Call, ttl: unknown) => {
    const data = await graph<{ createCheckoutEmbedToken: { token: string; checkoutSessionId: string; expiresAt: string; scopes: string[] } }>(
      call, EMBED, { id: call.id, ttl: ttl ?? null }, { mutation: true, rename },
    );
    if (!data) return;
    const t = data.createCheckoutEmbedToken;
    call.res.status(201).json({ object: 'embed_token', token: t.token, checkout_id: t.checkoutSessionId, expires_at: t.expiresAt, scopes: t.scopes });
  };
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/embed-token`, async (call) => {
    const body = bodyOf(call, TTL_BODY);
    if (body) await embed(call, body.ttl_seconds);
  });
  // Seed 003 §12 names it GET: the same token, the default lifetime.
  mountRoute(app, deps, 'get', `${SESSIONS}/:id/embed-token`, (call) => embed(call, null));

  mountRoute(app, deps, 'get', '/v1/checkout/hosted/:id/status', async (call) => {
    const data = await graph<{ checkoutHostedStatus: { hostedId: string; checkoutSessionId: string; status: string; paymentIntentId: string | null; expiresAt: string; linkExpired: boolean } }>(
      call, HOSTED_STATUS, { id: call.id }, { rename },
    );
    if (!data) return;
    const h = data.checkoutHostedStatus;
    call.res.json({ object: 'hosted_checkout', hosted_id: h.hostedId, checkout_id: h.checkoutSessionId, status: h.status.toLowerCase(), payment_intent_id: h.paymentIntentId, expires_at: h.expiresAt, link_expired: h.linkExpired });
  });
};
