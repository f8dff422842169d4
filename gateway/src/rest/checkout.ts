// REST edges for integrations written against the seed APIs, thin adapters over the GraphQL
// graph (deps.execute runs the same operations, rules and masking as /graphql):
//   POST /v1/checkout                  seed 000 (agent checkout; major-unit `amount`)
//   POST /api/v1/checkout/sessions     seed 002 (merchant checkout session, snake_case)
//   GET  /api/v1/checkout/sessions/:id seed 002
// Errors are `{ "error": <message>, "code": <CODE> }` with the HTTP status each seed gives.
import type { Request, Response } from 'express';
import type { RouteMount } from '../route-deps.js';
import { requestIdOf } from '../http/request-id.js';
import { checkBody, restJsonBody, type ObjectShape } from './rest-input.js';
import { authenticate, bodyObject, guarded, idempotencyKeyOf, sendError, sendGraphQLError, sendInputProblem } from './rest-http.js';


/** Seed 000's own wording for its failure table. */
export const SEED_000_MESSAGES: Record<string, string> = {
  BAD_USER_INPUT: 'sessionId and recommendationId are required',
  SESSION_NOT_FOUND: 'Session not found',
  RECOMMENDATION_NOT_FOUND: 'Recommendation not found',
  RECOMMENDATION_ALREADY_CHECKED_OUT: 'Recommendation already checked out',
  SESSION_EXPIRED: 'Session expired',
  MERCHANT_NO_PAYMENT_CONNECTOR: 'Merchant has no connected payment processor',
  CHECKOUT_CREATE_FAILED: 'Could not create checkout',
};

/** Seed 000's checkout (also POST /v1/purchase's link mode: rest/agent/purchase.ts). */
export const CHECKOUT = `mutation RestAgentCheckout($input: CheckoutInput!, $key: String) {
  checkout(input: $input, idempotencyKey: $key) {
    transactionId paymentId checkoutUrl status backend mode
    amount { amountMinor currency amount }
    merchant { id name }
    offer { id name provider }
    session { id status }
  }
}`;

const SESSION_FIELDS = `id url status mode paymentIntentId expiresAt successUrl cancelUrl customerEmail metadata
  totals { subtotal { amountMinor currency } total { amountMinor currency } }
  lineItems { name quantity unitAmount { amountMinor currency } total { amountMinor currency } offer { id } }`;
const CREATE_SESSION = `mutation RestCreateCheckoutSession($input: CreateCheckoutSessionInput!, $key: String) {
  createCheckoutSession(input: $input, idempotencyKey: $key) { ${SESSION_FIELDS} }
}`;
const GET_SESSION = `query RestCheckoutSession($id: ID!) { checkoutSession(id: $id) { ${SESSION_FIELDS} } }`;

interface MoneyJson {
  amountMinor: number;
  currency: string;
}
interface SessionJson {
  id: string;
  url: string;
  status: string;
  mode: string;
  paymentIntentId: string | null;
  expiresAt: string;
  successUrl: string | null;
  cancelUrl: string | null;
  customerEmail: string | null;
  metadata: Record<string, string> | null;
  totals: { subtotal: MoneyJson; total: MoneyJson };
  lineItems: Array<{ name: string; quantity: number; unitAmount: MoneyJson; total: MoneyJson; offer: { id: string } | null }>;
}

/** Seed 000's response: `amount` in major units as a JSON number (10 for £10.00), statuses in lower case. */
export function toSeed000(checkout: {
  transactionId: string;
  paymentId: string;
  checkoutUrl: string;
  status: string;
  backend: string;
  mode: string;
  amount: { amount: string; currency: string };
  merchant: { id: string; name: string | null } | null;
  offer: { id: string; name: string | null; provider: string | null } | null;
  session: { id: string; status: string };
}) {
  return {
    transactionId: checkout.transactionId,
    paymentId: checkout.paymentId,
    checkoutUrl: checkout.checkoutUrl,
    status: checkout.status,
    backend: checkout.backend,
    mode: checkout.mode,
    amount: Number(checkout.amount.amount),
    currency: checkout.amount.currency,
    merchant: checkout.merchant,
    offer: checkout.offer,
    session: { id: checkout.session.id, status: checkout.session.status.toLowerCase() },
  };
}

/** Seed 002's (Stripe-like) checkout session object. Amounts in minor units, as Stripe's. */
export function toSeed002(s: SessionJson) {
  return {
    id: s.id,
    object: 'checkout.session',
    url: s.url,
    status: s.status.toLowerCase(),
    mode: s.mode.toLowerCase(),
    payment_intent: s.paymentIntentId,
    expires_at: Math.floor(Date.parse(s.expiresAt) / 1000),
    success_url: s.successUrl,
    cancel_url: s.cancelUrl,
    customer_email: s.customerEmail,
    currency: s.totals.total.currency,
    amount_subtotal: s.totals.subtotal.amountMinor,
    amount_total: s.totals.total.amountMinor,
    metadata: s.metadata ?? {},
    line_items: s.lineItems.map((l) => ({
      name: l.name,
      amount: l.unitAmount.amountMinor,
      currency: l.unitAmount.currency,
      quantity: l.quantity,
      amount_total: l.total.amountMinor,
      offer_id: l.offer?.id ?? null,
    })),
  };
}

/** Seed 000's body (POST /v1/checkout). */
const SEED_000_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    sessionId: { kind: 'string', required: true, max: 100 },
    recommendationId: { kind: 'string', required: true, max: 100 },
    userDetails: { kind: 'json-object' },
  },
};

/** Seed 002's body (POST /api/v1/checkout/sessions): line `amount` (or Stripe's `unit_amount`) in minor units. */
const SEED_002_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    line_items: {
      kind: 'array',
      required: true,
      max: 100,
      items: {
        kind: 'object',
        fields: {
          name: { kind: 'string', required: true, max: 250 },
          amount: { kind: 'integer' },
          unit_amount: { kind: 'integer' },
          currency: { kind: 'string', required: true, max: 3 },
          quantity: { kind: 'integer' },
          offer_id: { kind: 'string', max: 100 },
        },
      },
    },
    mode: { kind: 'string', max: 20 },
    success_url: { kind: 'string' },
    cancel_url: { kind: 'string' },
    expires_in: { kind: 'integer' },
    customer_email: { kind: 'string', max: 320 },
    metadata: { kind: 'json-object' },
    merchant_id: { kind: 'string', max: 100 },
  },
};

const SEED_002_FIELDS: Record<string, string> = {
  lineItems: 'line_items',
  successUrl: 'success_url',
  cancelUrl: 'cancel_url',
  expiresInSeconds: 'expires_in',
  customerEmail: 'customer_email',
  merchantId: 'merchant_id',
};
const SEED_002_LINE_FIELDS: Record<string, string> = {
  name: 'name',
  quantity: 'quantity',
  offerId: 'offer_id',
  unitAmount: 'amount',
  'unitAmount.amountMinor': 'amount',
  'unitAmount.currency': 'currency',
};

/** A CreateCheckoutSessionInput path (`lineItems[0].unitAmount.amountMinor`) in seed 002's names (`line_items[0].amount`). */
export function seed002Field(graphqlField: string, body?: Record<string, unknown>): string {
  const line = /^lineItems\[(\d+)\](?:\.(.+))?$/.exec(graphqlField);
  if (line) {
    const [, index, rest] = line;
    if (!rest) return `line_items[${index}]`;
    let name = SEED_002_LINE_FIELDS[rest] ?? rest;
    // The client may have sent Stripe's `unit_amount`: name the key it used.
    const sent = Array.isArray(body?.line_items) ? (body.line_items as unknown[])[Number(index)] : undefined;
    if (name === 'amount' && sent && typeof sent === 'object' && !('amount' in sent) && 'unit_amount' in sent) name = 'unit_amount';
    return `line_items[${index}].${name}`;
  }
  const [head, ...tail] = graphqlField.split('.');
  return [SEED_002_FIELDS[head!] ?? head, ...tail].join('.');
}

const MODES: Record<string, string> = { payment: 'PAYMENT', subscription: 'SUBSCRIPTION' };

/** Seed 002's request → CreateCheckoutSessionInput; line `amount` (or `unit_amount`) is in minor units. */
export function fromSeed002(body: Record<string, unknown>): { input?: Record<string, unknown>; error?: string } {
  const lines = body.line_items;
  if (!Array.isArray(lines)) return { error: 'line_items: must be a list of line items.' };
  const lineItems = [];
  for (const [i, raw] of lines.entries()) {
    if (!raw || typeof raw !== 'object') return { error: `line_items[${i}]: must be an object.` };
    const l = raw as Record<string, unknown>;
    if ((l.amount ?? l.unit_amount) === undefined || (l.amount ?? l.unit_amount) === null) return { error: `line_items[${i}].amount: is required.` };
    if (l.amount !== undefined && l.amount !== null && l.unit_amount !== undefined && l.unit_amount !== null) {
      return { error: `line_items[${i}].unit_amount: give amount or unit_amount, not both.` };
    }
    lineItems.push({
      name: l.name,
      unitAmount: { amountMinor: l.amount ?? l.unit_amount, currency: l.currency },
      quantity: l.quantity ?? 1,
      offerId: l.offer_id ?? null,
    });
  }
  let mode: string | undefined;
  if (body.mode !== undefined && body.mode !== null) {
    mode = typeof body.mode === 'string' ? MODES[body.mode.toLowerCase()] : undefined;
    if (!mode) return { error: 'mode: must be "payment" or "subscription".' };
  }
  return {
    input: {
      lineItems,
      mode,
      successUrl: body.success_url ?? null,
      cancelUrl: body.cancel_url ?? null,
      expiresInSeconds: body.expires_in ?? null,
      customerEmail: body.customer_email ?? null,
      metadata: body.metadata ?? null,
      merchantId: body.merchant_id ?? null,
    },
  };
}

export const mountCheckoutRest: RouteMount = (app, deps) => {
  const json = restJsonBody('64kb');

  app.post('/v1/checkout', json, guarded(deps, 'POST /v1/checkout', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const raw: unknown = req.body;
    if (raw !== undefined && !bodyObject(req)) return sendInputProblem(res, { field: 'body', message: 'must be a JSON object.' });
    const body = bodyObject(req) ?? {};
    const input = { sessionId: body.sessionId ?? null, recommendationId: body.recommendationId ?? null, userDetails: body.userDetails ?? null };
    if (!input.sessionId || !input.recommendationId) return sendError(res, 400, 'BAD_USER_INPUT', SEED_000_MESSAGES.BAD_USER_INPUT!);
    const problem = checkBody(raw, SEED_000_BODY);
    if (problem) return sendInputProblem(res, problem);
    const result = await deps.execute<{ checkout: Parameters<typeof toSeed000>[0] }>({
      query: CHECKOUT,
      variables: { input, key: idempotencyKeyOf(req) },
      principal,
      requestId: requestIdOf(req),
    });
    if (result.errors?.length || !result.data?.checkout) return sendGraphQLError(res, result.errors?.[0], { messages: SEED_000_MESSAGES });
    res.status(200).json(toSeed000(result.data.checkout));
  }));

  app.post('/api/v1/checkout/sessions', json, guarded(deps, 'POST /api/v1/checkout/sessions', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const body = bodyObject(req);
    if (!body) return sendError(res, 400, 'BAD_USER_INPUT', 'The body must be a JSON object.');
    const problem = checkBody(body, SEED_002_BODY);
    if (problem) return sendInputProblem(res, problem);
    const { input, error } = fromSeed002(body);
    if (!input) return sendError(res, 400, 'BAD_USER_INPUT', error!);
    const result = await deps.execute<{ createCheckoutSession: SessionJson }>({
      query: CREATE_SESSION,
      variables: { input, key: idempotencyKeyOf(req) },
      principal,
      requestId: requestIdOf(req),
    });
    if (result.errors?.length || !result.data?.createCheckoutSession) return sendGraphQLError(res, result.errors?.[0], { rename: (f) => seed002Field(f, body) });
    res.status(200).json(toSeed002(result.data.createCheckoutSession));
  }));

  app.get('/api/v1/checkout/sessions/:id', guarded(deps, 'GET /api/v1/checkout/sessions/:id', async (req: Request, res: Response) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    const result = await deps.execute<{ checkoutSession: SessionJson | null }>({
      query: GET_SESSION,
      variables: { id: String(req.params.id) },
      principal,
      requestId: requestIdOf(req),
    });
    if (result.errors?.length) return sendGraphQLError(res, result.errors[0]);
    if (!result.data?.checkoutSession) return sendError(res, 404, 'CHECKOUT_SESSION_NOT_FOUND', 'Checkout session not found.');
    res.status(200).json(toSeed002(result.data.checkoutSession));
  }));
};
