// What seed 003's REST routes (/v1/checkout/…) share: the mount of one route (body parser,
// `guarded`, a merchant or admin key, the Idempotency-Key header checked), the GraphQL call with
// its failure answered in the route's names, the version a change expects (If-Match), query
// flags, and the session resource answered with its ETag.
import type { Express, Request, Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '@handoff/shared/identity/principal';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { requestIdOf } from '../../http/request-id.js';
import { checkBody, restJsonBody, type ObjectShape } from '../rest-input.js';
import { authenticate, bodyObject, guarded, idempotencyKeyOf, sendError, sendGraphQLError, sendInputProblem } from '../rest-http.js';
import { lookedUpSelection, pricedSelection, SELECTION_LOOKUP, toResource, type CheckoutResource, type SelectionLookup, type SessionJson } from './resource.js';

export const SESSIONS = '/v1/checkout/sessions';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const json = restJsonBody('64kb');

/** One request of a seed 003 route: who calls, and the means to answer. */
export interface Call {
  deps: GatewayRouteDeps;
  req: Request;
  res: Response;
  principal: Principal;
  /** The Idempotency-Key header (checked: 1 to 255 printable ASCII characters). */
  idempotencyKey: string | undefined;
  /** The path's checkout id (`:id`). */
  id: string;
}

type Method = 'get' | 'post' | 'patch' | 'delete';

/**
 * Mounts `METHOD path`: POST and PATCH parse a JSON body (64 kB); the caller must hold a merchant
 * or admin key (401 without a key, 403 with another kind); a malformed Idempotency-Key is 400.
 */
export function mountRoute(
  app: Express,
  deps: GatewayRouteDeps,
  method: Method,
  path: string,
  handler: (call: Call) => Promise<void>,
  /** The key kinds the route takes (merchant or admin by default; the agent webhook routes: agent). */
  kinds: readonly string[] = ['MERCHANT', 'ADMIN'],
): void {
  const name = `${method.toUpperCase()} ${path}`;
  const run = guarded(deps, name, async (req, res) => {
    const principal = await authenticate(deps, req, res);
    if (!principal) return;
    if (principal.kind === 'ANONYMOUS') {
      res.setHeader('www-authenticate', 'Bearer realm="handoff"');
      return sendError(res, 401, 'UNAUTHENTICATED', 'Missing, unknown or revoked API key.');
    }
    if (!kinds.includes(principal.kind)) {
      return sendError(res, 403, 'FORBIDDEN', `This route takes ${kinds.includes('AGENT') ? 'an agent' : 'a merchant or admin'} API key.`);
    }
    const idempotencyKey = idempotencyKeyOf(req);
    if (idempotencyKey !== undefined && !KEY_PATTERN.test(idempotencyKey)) {
      return sendInputProblem(res, { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters.' });
    }
    await handler({ deps, req, res, principal, idempotencyKey, id: String(req.params.id ?? '') });
  });
  if (method === 'post' || method === 'patch') app[method](path, json, run);
  else app[method](path, run);
}

/** The body checked against `shape` (an absent body is `{}` when the shape needs nothing), or undefined once a 400 is sent. */
export function bodyOf(call: Call, shape: ObjectShape): Record<string, unknown> | undefined {
  const raw: unknown = call.req.body;
  const body = raw === undefined ? {} : raw;
  const problem = checkBody(body, shape);
  if (problem) return void sendInputProblem(call.res, problem);
  return bodyObject({ body } as Request) ?? {};
}

// GraphQL input names → the routes' names (snake_case, as the bodies); an address's, a customer's
// and a selection's own prefix is the body itself.
const NAMES: Record<string, string> = {
  lineItems: 'line_items',
  offerId: 'offer_id',
  taxCategory: 'tax_category',
  postalCode: 'postal_code',
  customerId: 'customer_id',
  saveForLater: 'save_for_later',
  shippingOptionId: 'shipping_option_id',
  pickupLocationId: 'pickup_location_id',
  successUrl: 'success_url',
  cancelUrl: 'cancel_url',
  cartId: 'cart_id',
  merchantId: 'merchant_id',
  expiresInSeconds: 'expires_in_seconds',
  customerEmail: 'customer_email',
  captureMode: 'options.capture_mode',
  requireBillingAddress: 'options.require_billing_address',
  expectedVersion: 'version',
  intervalCount: 'interval_count',
  trialDays: 'trial_days',
  idempotencyKey: 'Idempotency-Key',
};
const OWN_PREFIXES = ['input.', 'customer.', 'shippingAddress.', 'billingAddress.', 'address.', 'selection.'];

/** A GraphQL input path (`shippingAddress.postalCode`, `input.lineItems[0].unitAmount.amountMinor`) in the routes' names. */
export function restField(graphqlField: string): string {
  let path = graphqlField;
  const prefix = OWN_PREFIXES.find((p) => path.startsWith(p));
  if (prefix) path = path.slice(prefix.length);
  // A line's amount is `amount`, in the body's `currency`.
  path = path.replace(/^(lineItems\[\d+\])\.unitAmount(?:\.amountMinor)?$/, '$1.amount').replace(/^lineItems\[\d+\]\.unitAmount\.currency$/, 'currency');
  const segments = path.split('.');
  const out: string[] = [];
  for (const [i, segment] of segments.entries()) {
    if (segment === 'metadata') {
      out.push(...segments.slice(i)); // the merchant's own keys, as given
      break;
    }
    const m = /^([A-Za-z]+)(\[\d+\])?$/.exec(segment);
    out.push(m && NAMES[m[1]!] ? `${NAMES[m[1]!]}${m[2] ?? ''}` : segment);
  }
  return out.join('.');
}

/** Runs an operation as the caller; its data, or undefined once the failure is answered. */
export async function graph<T>(
  call: Call,
  query: string,
  variables: Record<string, unknown>,
  opts: { mutation?: boolean; rename?: (f: string) => string } = {},
): Promise<T | undefined> {
  const result = await call.deps.execute<T>({
    query,
    variables,
    principal: call.principal,
    requestId: requestIdOf(call.req),
    // Passed on to the subgraph with the (single) mutation: a retry with the key changes nothing twice.
    ...(opts.mutation && call.idempotencyKey !== undefined ? { idempotencyKey: call.idempotencyKey } : {}),
  });
  if (result.errors?.length || !result.data) {
    sendFailure(call, result.errors?.[0], opts.rename);
    return undefined;
  }
  return result.data;
}

export function sendFailure(call: Call, error: GraphQLFormattedError | undefined, rename: (f: string) => string = restField): void {
  sendGraphQLError(call.res, error, { rename, withReason: true });
}

export function sendNotFound(call: Call): void {
  sendError(call.res, 404, 'CHECKOUT_SESSION_NOT_FOUND', 'Checkout session not found.');
}

/** A session query's answer: the session, or undefined once 404 (unknown, or not the caller's) is sent. */
export function found<S>(call: Call, session: S | null | undefined): S | undefined {
  if (session === null || session === undefined) return void sendNotFound(call);
  return session;
}

/** `?name=true|false`: the flag, `fallback` when absent, undefined once a 400 is sent. */
export function queryFlag(call: Call, name: string, fallback: boolean): boolean | undefined {
  const raw = call.req.query[name];
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return void sendInputProblem(call.res, { field: name, message: 'must be true or false.' });
}

/**
 * The version a change expects: `If-Match: <version>` (`"4"` and `W/"4"` too) or `version` in the
 * body. `{ version: null }` when neither is given; undefined once a 400 is sent.
 */
export function expectedVersion(call: Call, bodyVersion?: unknown): { version: number | null } | undefined {
  const header = call.req.headers['if-match'];
  let fromHeader: number | null = null;
  if (header !== undefined) {
    const m = /^\s*(?:W\/)?"?([1-9][0-9]{0,14})"?\s*$/.exec(String(header));
    if (!m) return void sendInputProblem(call.res, { field: 'If-Match', message: 'must be the resource\'s version, e.g. "4" (its ETag).' });
    fromHeader = Number(m[1]);
  }
  const fromBody = typeof bodyVersion === 'number' ? bodyVersion : null;
  if (fromHeader !== null && fromBody !== null && fromHeader !== fromBody) {
    return void sendInputProblem(call.res, { field: 'version', message: `does not match If-Match (${fromHeader}); give one of them.` });
  }
  return { version: fromHeader ?? fromBody };
}

/** The resource for a session answered by the graph (one more read when the selection's price must be looked up). */
export async function resourceOf(call: Call, s: SessionJson): Promise<CheckoutResource | undefined> {
  let selected = pricedSelection(s);
  if (selected === undefined) {
    const data = await graph<{ checkoutSession: SelectionLookup | null }>(call, SELECTION_LOOKUP, { id: s.id });
    if (!data) return undefined;
    selected = lookedUpSelection(s, data.checkoutSession);
  }
  return toResource(s, selected);
}

/** Answers the resource (`status`, 200 unless said) with its version as ETag. */
export async function sendResource(call: Call, s: SessionJson, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
  const resource = await resourceOf(call, s);
  if (!resource) return;
  call.res.setHeader('etag', `"${resource.version}"`);
  call.res.status(status).json({ ...resource, ...extra });
}

/** `lines` given in the route's names → LineItemInput (amounts in `currency`). */
export function lineItemsInput(lines: unknown, currency: unknown): Array<Record<string, unknown>> {
  return (lines as Array<Record<string, unknown>>).map((l) => ({
    name: l.name,
    unitAmount: { amountMinor: l.amount, currency },
    quantity: l.quantity ?? 1,
    offerId: l.offer_id ?? null,
    taxCategory: l.tax_category ?? null,
    sku: l.sku ?? null,
    ...(l.recurring !== undefined && l.recurring !== null ? { recurring: recurringInput(l.recurring as Record<string, unknown>) } : {}),
  }));
}

/** A line's `recurring` in the route's names → RecurringPriceInput (the rules, and their codes, are the subgraph's). */
function recurringInput(r: Record<string, unknown>): Record<string, unknown> {
  return { interval: r.interval, intervalCount: r.interval_count ?? null, trialDays: r.trial_days ?? null };
}
