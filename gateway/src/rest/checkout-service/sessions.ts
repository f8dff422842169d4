// Seed 003 §1, the session lifecycle, over the GraphQL operations:
//   POST   /v1/checkout/sessions                 createCheckoutSession → 201, the resource
//   GET    /v1/checkout/sessions/:id             checkoutSession
//   PATCH  /v1/checkout/sessions/:id             updateCheckoutSession(expectedVersion: If-Match or body `version`)
//   DELETE /v1/checkout/sessions/:id             cancelCheckoutSession(releaseInventory: ?release_inventory=)
//   POST   /v1/checkout/sessions/:id/refresh     refreshCheckoutSession, with its validation results
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import type { ObjectShape, Shape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { RESOURCE_FIELDS, type SessionJson } from './resource.js';
import { BLOCKER_FIELDS, restBlocker, type BlockerJson } from './calculation-json.js';
import { bodyOf, expectedVersion, found, graph, lineItemsInput, mountRoute, queryFlag, SESSIONS, sendResource, type Call } from './route-kit.js';

const LINE_ITEM: Shape = {
  kind: 'object',
  fields: {
    name: { kind: 'string', required: true, max: 250 },
    amount: { kind: 'integer', required: true },
    quantity: { kind: 'integer', min: 1, max: 999 },
    offer_id: { kind: 'string', max: 200 },
    sku: { kind: 'string', max: 100 },
    tax_category: { kind: 'string', max: 40 },
    // A recurring price (issue 22): interval day|week|month|year, interval_count (default 1), trial_days (default 0); SUBSCRIPTION sessions only.
    recurring: { kind: 'object', fields: { interval: { kind: 'string', required: true, max: 10 }, interval_count: { kind: 'integer' }, trial_days: { kind: 'integer' } } },
  },
};
const OWNER: Shape = { kind: 'object', fields: { type: { kind: 'string', required: true, max: 10 }, id: { kind: 'string', max: 200 } } };
const OPTIONS: Shape = { kind: 'object', fields: { capture_mode: { kind: 'string', max: 10 }, require_billing_address: { kind: 'boolean' } } };
const TERMS = {
  cart_id: { kind: 'string', max: 200 },
  owner: OWNER,
  channel: { kind: 'string', max: 40 },
  metadata: { kind: 'json-object' },
  options: OPTIONS,
} as const satisfies Record<string, Shape>;

const CREATE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    currency: { kind: 'string', required: true, max: 3 },
    mode: { kind: 'string', max: 20 },
    line_items: { kind: 'array', required: true, max: 100, items: LINE_ITEM },
    ...TERMS,
    success_url: { kind: 'string' },
    cancel_url: { kind: 'string' },
    expires_in_seconds: { kind: 'integer' },
    merchant_id: { kind: 'string', max: 100 },
  },
};
const PATCH_BODY: ObjectShape = {
  kind: 'object',
  fields: { version: { kind: 'integer', min: 1 }, ...TERMS, line_items: { kind: 'array', max: 100, items: LINE_ITEM } },
};
const EMPTY_BODY: ObjectShape = { kind: 'object', fields: {} };

const CREATE = `mutation RestCreateSession($input: CreateCheckoutSessionInput!, $key: String) {
  createCheckoutSession(input: $input, idempotencyKey: $key) { ${RESOURCE_FIELDS} } }`;
const READ = `query RestSession($id: ID!) { checkoutSession(id: $id) { ${RESOURCE_FIELDS} } }`;
const CURRENCY = `query RestSessionCurrency($id: ID!) { checkoutSession(id: $id) { currency } }`;
const UPDATE = `mutation RestUpdateSession($id: ID!, $v: Int!, $input: UpdateCheckoutSessionInput!) {
  updateCheckoutSession(id: $id, expectedVersion: $v, input: $input) { ${RESOURCE_FIELDS} } }`;
const CANCEL = `mutation RestCancelSession($id: ID!, $v: Int, $release: Boolean) {
  cancelCheckoutSession(id: $id, expectedVersion: $v, releaseInventory: $release) { ${RESOURCE_FIELDS} } }`;
const REFRESH = `mutation RestRefreshSession($id: ID!) {
  refreshCheckoutSession(id: $id) { ${RESOURCE_FIELDS} validation { valid blockers { ${BLOCKER_FIELDS} } } } }`;

const OWNER_TYPES: Record<string, string> = { user: 'USER', guest: 'GUEST' };
const CAPTURE_MODES: Record<string, string> = { auto: 'AUTOMATIC', manual: 'MANUAL' };

/** owner, channel, cart_id, metadata and options given in `body` → their GraphQL inputs (null kept: it clears); undefined once a 400 is sent. */
function termsInput(call: Call, body: Record<string, unknown>): Record<string, unknown> | undefined {
  const input: Record<string, unknown> = {};
  if ('owner' in body) {
    const owner = body.owner as { type: string; id?: string | null } | null;
    if (owner) {
      const type = OWNER_TYPES[owner.type.toLowerCase()];
      if (!type) return void sendInputProblem(call.res, { field: 'owner.type', message: 'must be "user" or "guest".' });
      input.owner = { type, id: owner.id ?? null };
    } else input.owner = null;
  }
  if ('channel' in body) input.channel = body.channel;
  if ('cart_id' in body) input.cartId = body.cart_id;
  if (body.metadata !== undefined && body.metadata !== null) input.metadata = body.metadata;
  const options = body.options as { capture_mode?: string | null; require_billing_address?: boolean | null } | null | undefined;
  if (options?.capture_mode !== undefined && options.capture_mode !== null) {
    const mode = CAPTURE_MODES[options.capture_mode.toLowerCase()];
    if (!mode) return void sendInputProblem(call.res, { field: 'options.capture_mode', message: 'must be "auto" or "manual".' });
    input.captureMode = mode;
  }
  if (options?.require_billing_address !== undefined && options.require_billing_address !== null) input.requireBillingAddress = options.require_billing_address;
  return input;
}

export function mountSessionRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', SESSIONS, async (call) => {
    const body = bodyOf(call, CREATE_BODY);
    if (!body) return;
    const terms = termsInput(call, body);
    if (!terms) return;
    let mode: string | null = null;
    if (body.mode !== undefined && body.mode !== null) {
      mode = ({ payment: 'PAYMENT', subscription: 'SUBSCRIPTION' } as Record<string, string>)[String(body.mode).trim().toLowerCase()] ?? null;
      if (!mode) return sendInputProblem(call.res, { field: 'mode', message: 'must be "payment" or "subscription".' });
    }
    const input = {
      ...terms,
      mode,
      currency: body.currency,
      lineItems: lineItemsInput(body.line_items, body.currency),
      successUrl: body.success_url ?? null,
      cancelUrl: body.cancel_url ?? null,
      expiresInSeconds: body.expires_in_seconds ?? null,
      merchantId: body.merchant_id ?? null,
    };
    const data = await graph<{ createCheckoutSession: SessionJson }>(call, CREATE, { input, key: call.idempotencyKey ?? null }, { mutation: true });
    if (!data) return;
    call.res.setHeader('location', `${SESSIONS}/${encodeURIComponent(data.createCheckoutSession.id)}`);
    await sendResource(call, data.createCheckoutSession, 201);
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id`, async (call) => {
    const data = await graph<{ checkoutSession: SessionJson | null }>(call, READ, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (s) await sendResource(call, s);
  });

  mountRoute(app, deps, 'patch', `${SESSIONS}/:id`, async (call) => {
    const body = bodyOf(call, PATCH_BODY);
    if (!body) return;
    const expected = expectedVersion(call, body.version);
    if (!expected) return;
    if (expected.version === null) {
      return sendInputProblem(call.res, { field: 'If-Match', message: 'is required: send If-Match: <version> (the resource\'s ETag) or `version` in the body.' });
    }
    const input = termsInput(call, body);
    if (!input) return;
    if (body.line_items !== undefined && body.line_items !== null) {
      // New lines are in the session's currency.
      const read = await graph<{ checkoutSession: { currency: string } | null }>(call, CURRENCY, { id: call.id });
      const session = read && found(call, read.checkoutSession);
      if (!session) return;
      input.lineItems = lineItemsInput(body.line_items, session.currency);
    }
    const data = await graph<{ updateCheckoutSession: SessionJson }>(call, UPDATE, { id: call.id, v: expected.version, input }, { mutation: true });
    if (data) await sendResource(call, data.updateCheckoutSession);
  });

  mountRoute(app, deps, 'delete', `${SESSIONS}/:id`, async (call) => {
    const release = queryFlag(call, 'release_inventory', true);
    if (release === undefined) return;
    const expected = expectedVersion(call);
    if (!expected) return;
    const data = await graph<{ cancelCheckoutSession: SessionJson }>(call, CANCEL, { id: call.id, v: expected.version, release }, { mutation: true });
    if (data) await sendResource(call, data.cancelCheckoutSession);
  });

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/refresh`, async (call) => {
    if (!bodyOf(call, EMPTY_BODY)) return;
    const data = await graph<{ refreshCheckoutSession: SessionJson & { validation: { valid: boolean; blockers: BlockerJson[] } } }>(
      call,
      REFRESH,
      { id: call.id },
      { mutation: true },
    );
    if (!data) return;
    const s = data.refreshCheckoutSession;
    await sendResource(call, s, 200, { validation_results: { valid: s.validation.valid, blockers: s.validation.blockers.map(restBlocker) } });
  });
}
