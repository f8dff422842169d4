// Seed 003 §6-7, payments (issue 20 item 2), thin adapters over payment-intent's operations:
//   POST /v1/checkout/sessions/:id/payment-intents     createPaymentIntent (the session's) → 201
//   POST /v1/checkout/payment-intents                  createPaymentIntent (standalone) → 201
//   GET  /v1/checkout/payment-intents/:id              paymentIntent
//   POST /v1/checkout/payment-intents/:id/attach-method · /confirm · /capture · /cancel · /refund · /3ds/complete
//   GET  /v1/checkout/sessions/:id/next-action         the session's intent's next action
//   GET  /v1/checkout/payment-methods                  what ?checkout_id= (or ?country=) allows
//   POST /v1/checkout/payment-methods/tokenize         tokenizeCard (sandbox only)
//   POST /v1/checkout/3ds/callback                     the PSP's signed 3-D Secure result (three-ds-callback.ts)
//   GET  /v1/checkout/redirect/return                  the buyer back from a redirect, by client secret (redirect-return.ts)
// Every POST takes Idempotency-Key (passed on as the operation's idempotencyKey).
import { allowedPaymentMethodsFor } from '@handoff/shared/contracts/checkout-settings.contract';
import type { Express } from 'express';
import type { RouteMount } from '../../route-deps.js';
import { sendError, sendInputProblem } from '../rest-http.js';
import type { ObjectShape } from '../rest-input.js';
import { bodyOf, graph, mountRoute, SESSIONS, type Call } from '../checkout-service/route-kit.js';
import { CAPTURE_MODES, INTENT_FIELDS, intentJson, nextActionJson, type IntentJson } from './payment-json.js';
import { mountThreeDSecureCallback } from './three-ds-callback.js';
import { mountRedirectReturn } from './redirect-return.js';

const INTENTS = '/v1/checkout/payment-intents';
const METHODS = '/v1/checkout/payment-methods';

const CREATE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    amount: { kind: 'integer', required: true },
    currency: { kind: 'string', required: true, max: 3 },
    capture_mode: { kind: 'string', max: 10 },
    payment_methods: { kind: 'array', max: 20, items: { kind: 'string', max: 40 } },
    metadata: { kind: 'json-object' },
    description: { kind: 'string', max: 500 },
    merchant_id: { kind: 'string', max: 100 },
  },
};
const ATTACH_BODY: ObjectShape = { kind: 'object', fields: { payment_method_id: { kind: 'string', required: true, max: 200 }, save_method: { kind: 'boolean' } } };
const CONFIRM_BODY: ObjectShape = { kind: 'object', fields: { payment_method_id: { kind: 'string', max: 200 } } };
const CAPTURE_BODY: ObjectShape = { kind: 'object', fields: { amount: { kind: 'integer' } } };
const REFUND_BODY: ObjectShape = { kind: 'object', fields: { amount: { kind: 'integer' }, reason: { kind: 'string', max: 500 } } };
const EMPTY_BODY: ObjectShape = { kind: 'object', fields: {} };
const THREE_DS_BODY: ObjectShape = { kind: 'object', fields: { approved: { kind: 'boolean', required: true } } };
const TOKENIZE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    card: {
      kind: 'object',
      required: true,
      fields: { number: { kind: 'string', required: true, max: 30 }, exp_month: { kind: 'integer', required: true }, exp_year: { kind: 'integer', required: true }, cvc: { kind: 'string', required: true, max: 4 } },
    },
    merchant_id: { kind: 'string', max: 100 },
  },
};

const CREATE = `mutation RestCreatePaymentIntent($input: CreatePaymentIntentInput!, $key: String) { createPaymentIntent(input: $input, idempotencyKey: $key) { ${INTENT_FIELDS} } }`;
const READ = `query RestPaymentIntent($id: ID!) { paymentIntent(id: $id) { ${INTENT_FIELDS} } }`;
const ATTACH = `mutation RestAttach($id: ID!, $pm: ID!, $key: String) { attachPaymentMethod(id: $id, paymentMethodId: $pm, idempotencyKey: $key) { ${INTENT_FIELDS} } }`;
const CONFIRM = `mutation RestConfirm($id: ID!, $pm: PaymentMethodInput, $key: String) { confirmPaymentIntent(id: $id, paymentMethod: $pm, idempotencyKey: $key) { ${INTENT_FIELDS} } }`;
const CAPTURE = `mutation RestCapture($id: ID!, $amount: SafeInt, $key: String) { capturePaymentIntent(id: $id, amountMinor: $amount, idempotencyKey: $key) { ${INTENT_FIELDS} } }`;
const CANCEL = `mutation RestCancelIntent($id: ID!, $key: String) { cancelPaymentIntent(id: $id, idempotencyKey: $key) { ${INTENT_FIELDS} } }`;
const REFUND = `mutation RestRefund($id: ID!, $amount: SafeInt, $reason: String, $key: String) {
  refundPaymentIntent(id: $id, amountMinor: $amount, reason: $reason, idempotencyKey: $key) { id status reason amount { amountMinor currency } } }`;
const THREE_DS = `mutation RestThreeDS($id: ID!, $ok: Boolean!, $key: String) { completeThreeDSecure(id: $id, approved: $ok, idempotencyKey: $key) { ${INTENT_FIELDS} } }`;
const NEXT_ACTION = `query RestNextAction($id: ID!) { checkoutSession(id: $id) { id paymentIntent { id status nextAction { type url } } } }`;
const SESSION_CONTEXT = `query RestPaymentContext($id: ID!) { checkoutSession(id: $id) { id currency channel merchant { id }
  billingAddress { country } shippingAddress { country } } }`;
const SETTINGS = `query RestPaymentMethodRules($m: ID) { checkoutSettings(merchantId: $m) { allowedPaymentMethods { country methods } } }`;
const TOKENIZE = `mutation RestTokenize($card: CardInput!, $m: ID) { tokenizeCard(card: $card, merchantId: $m) { paymentMethodId } }`;

/** What Handoff's PSPs take today: listed methods beyond them are not offered. */
const PAYABLE = ['card'];
const ID = /^[A-Za-z0-9_-]{1,100}$/;

/** GraphQL input paths → the bodies' names. */
const rename = (f: string): string =>
  f
    .replace(/^input\./, '')
    .replace(/^amount\.amountMinor$/, 'amount')
    .replace(/^amount\.currency$/, 'currency')
    .replace(/^amountMinor$/, 'amount')
    .replace(/^captureMode$/, 'capture_mode')
    .replace(/^paymentMethodTypes/, 'payment_methods')
    .replace(/^paymentMethodId$/, 'payment_method_id')
    .replace(/^paymentMethod(\.token)?$/, 'payment_method_id')
    .replace(/^merchantId$/, 'merchant_id')
    .replace(/^card\.expMonth$/, 'card.exp_month')
    .replace(/^card\.expYear$/, 'card.exp_year')
    .replace(/^idempotencyKey$/, 'Idempotency-Key');

function validId(call: Call): boolean {
  if (ID.test(call.id)) return true;
  sendError(call.res, 404, 'PAYMENT_INTENT_NOT_FOUND', 'Payment intent not found.');
  return false;
}

async function answerIntent(call: Call, query: string, variables: Record<string, unknown>, field: string, status = 200): Promise<void> {
  const data = await graph<Record<string, IntentJson | null>>(call, query, { ...variables, key: call.idempotencyKey ?? null }, { mutation: true, rename });
  if (!data) return;
  const intent = data[field];
  if (!intent) return sendError(call.res, 404, 'PAYMENT_INTENT_NOT_FOUND', 'Payment intent not found.');
  call.res.status(status).json(intentJson(intent));
}

function createInput(call: Call, body: Record<string, unknown>, checkoutSessionId: string | null): Record<string, unknown> | undefined {
  let captureMode: string | null = null;
  if (body.capture_mode !== undefined && body.capture_mode !== null) {
    captureMode = CAPTURE_MODES[String(body.capture_mode).toLowerCase()] ?? null;
    if (!captureMode) return void sendInputProblem(call.res, { field: 'capture_mode', message: 'must be "auto" or "manual".' });
  }
  return {
    checkoutSessionId,
    merchantId: body.merchant_id ?? null,
    amount: { amountMinor: body.amount, currency: body.currency },
    captureMode,
    paymentMethodTypes: body.payment_methods ?? null,
    metadata: body.metadata ?? null,
    description: body.description ?? null,
  };
}

export const mountPaymentsRest: RouteMount = (app: Express, deps) => {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/payment-intents`, async (call) => {
    const body = bodyOf(call, CREATE_BODY);
    if (!body) return;
    const input = createInput(call, body, call.id);
    if (input) await answerIntent(call, CREATE, { input }, 'createPaymentIntent', 201);
  });
  mountRoute(app, deps, 'post', INTENTS, async (call) => {
    const body = bodyOf(call, CREATE_BODY);
    if (!body) return;
    const input = createInput(call, body, null);
    if (input) await answerIntent(call, CREATE, { input }, 'createPaymentIntent', 201);
  });
  mountRoute(app, deps, 'get', `${INTENTS}/:id`, async (call) => {
    if (validId(call)) await answerIntent(call, READ, { id: call.id }, 'paymentIntent');
  });
  mountRoute(app, deps, 'post', `${INTENTS}/:id/attach-method`, async (call) => {
    const body = bodyOf(call, ATTACH_BODY);
    if (body && validId(call)) await answerIntent(call, ATTACH, { id: call.id, pm: body.payment_method_id }, 'attachPaymentMethod');
  });
  mountRoute(app, deps, 'post', `${INTENTS}/:id/confirm`, async (call) => {
    const body = bodyOf(call, CONFIRM_BODY);
    if (!body || !validId(call)) return;
    const pm = typeof body.payment_method_id === 'string' ? { token: body.payment_method_id } : null;
    await answerIntent(call, CONFIRM, { id: call.id, pm }, 'confirmPaymentIntent');
  });
  mountRoute(app, deps, 'post', `${INTENTS}/:id/capture`, async (call) => {
    const body = bodyOf(call, CAPTURE_BODY);
    if (body && validId(call)) await answerIntent(call, CAPTURE, { id: call.id, amount: body.amount ?? null }, 'capturePaymentIntent');
  });
  mountRoute(app, deps, 'post', `${INTENTS}/:id/cancel`, async (call) => {
    const body = bodyOf(call, EMPTY_BODY);
    if (body && validId(call)) await answerIntent(call, CANCEL, { id: call.id }, 'cancelPaymentIntent');
  });
  mountRoute(app, deps, 'post', `${INTENTS}/:id/3ds/complete`, async (call) => {
    const body = bodyOf(call, THREE_DS_BODY);
    if (body && validId(call)) await answerIntent(call, THREE_DS, { id: call.id, ok: body.approved }, 'completeThreeDSecure');
  });
  mountRoute(app, deps, 'post', `${INTENTS}/:id/refund`, async (call) => {
    const body = bodyOf(call, REFUND_BODY);
    if (!body || !validId(call)) return;
    const data = await graph<{ refundPaymentIntent: { id: string; status: string; reason: string | null; amount: { amountMinor: number; currency: string } } }>(
      call,
      REFUND,
      { id: call.id, amount: body.amount ?? null, reason: body.reason ?? null, key: call.idempotencyKey ?? null },
      { mutation: true, rename },
    );
    if (!data) return;
    const r = data.refundPaymentIntent;
    call.res.status(201).json({ refund_id: r.id, payment_intent_id: call.id, status: r.status.toLowerCase(), amount: r.amount.amountMinor, currency: r.amount.currency, reason: r.reason });
  });
  mountRoute(app, deps, 'get', `${SESSIONS}/:id/next-action`, async (call) => {
    const data = await graph<{ checkoutSession: { id: string; paymentIntent: { id: string; status: string; nextAction: IntentJson['nextAction'] } | null } | null }>(call, NEXT_ACTION, { id: call.id });
    if (!data) return;
    const s = data.checkoutSession;
    if (!s) return sendError(call.res, 404, 'CHECKOUT_SESSION_NOT_FOUND', 'Checkout session not found.');
    const pi = s.paymentIntent;
    call.res.json({ checkout_id: s.id, payment_intent_id: pi?.id ?? null, status: pi ? pi.status.toLowerCase() : null, next_action: pi ? nextActionJson(pi.nextAction) : null });
  });
  mountRoute(app, deps, 'get', METHODS, async (call) => {
    const q = call.req.query;
    const one = (name: string) => (typeof q[name] === 'string' ? (q[name] as string) : undefined);
    const checkoutId = one('checkout_id');
    let context: { merchantId: string | null; country: string | null; currency: string | null; channel: string | null };
    if (checkoutId !== undefined) {
      if (!ID.test(checkoutId)) return sendError(call.res, 404, 'CHECKOUT_SESSION_NOT_FOUND', 'Checkout session not found.');
      const data = await graph<{ checkoutSession: { currency: string; channel: string | null; merchant: { id: string }; billingAddress: { country: string } | null; shippingAddress: { country: string } | null } | null }>(call, SESSION_CONTEXT, { id: checkoutId });
      if (!data) return;
      const s = data.checkoutSession;
      if (!s) return sendError(call.res, 404, 'CHECKOUT_SESSION_NOT_FOUND', 'Checkout session not found.');
      context = { merchantId: s.merchant.id, country: s.billingAddress?.country ?? s.shippingAddress?.country ?? null, currency: s.currency, channel: s.channel };
    } else {
      const country = one('country')?.toUpperCase() ?? null;
      if (country !== null && !/^[A-Z]{2}$/.test(country)) return sendInputProblem(call.res, { field: 'country', message: 'must be an ISO 3166-1 alpha-2 code.' });
      const merchantId = one('merchant_id') ?? null;
      if (merchantId !== null && !ID.test(merchantId)) return sendInputProblem(call.res, { field: 'merchant_id', message: 'must be an id of at most 100 characters.' });
      context = { merchantId, country, currency: one('currency')?.toUpperCase() ?? null, channel: one('channel') ?? null };
    }
    const rules = await graph<{ checkoutSettings: { allowedPaymentMethods: Array<{ country: string; methods: string[] }> } }>(call, SETTINGS, { m: call.principal.kind === 'ADMIN' ? context.merchantId : null }, { rename });
    if (!rules) return;
    // The merchant's rule for the buyer's country (else its `*` rule; none: every method), of the methods Handoff's PSPs take.
    const allowed = allowedPaymentMethodsFor(rules.checkoutSettings.allowedPaymentMethods, context.country) ?? PAYABLE;
    const data = allowed.filter((m) => PAYABLE.includes(m)).map((type) => ({ type }));
    call.res.json({ data, has_more: false, next_cursor: null, country: context.country, currency: context.currency, channel: context.channel });
  });
  mountRoute(app, deps, 'post', `${METHODS}/tokenize`, async (call) => {
    const body = bodyOf(call, TOKENIZE_BODY);
    if (!body) return;
    const card = body.card as { number: string; exp_month: number; exp_year: number; cvc: string };
    const data = await graph<{ tokenizeCard: { paymentMethodId: string } }>(
      call,
      TOKENIZE,
      { card: { number: card.number, expMonth: card.exp_month, expYear: card.exp_year, cvc: card.cvc }, m: body.merchant_id ?? null },
      { mutation: true, rename },
    );
    if (data) call.res.status(201).json({ payment_method_id: data.tokenizeCard.paymentMethodId });
  });
  mountThreeDSecureCallback(app, deps);
  mountRedirectReturn(app, deps);
};
