// The billing subscription lifecycle over REST (issue 22; docs/recurring.md "Lifecycle"), thin
// adapters over the GraphQL mutations, each POST taking an Idempotency-Key (passed on with the
// mutation: a retry with the key changes nothing twice). Answers the subscription (its version
// as ETag); failures are `{ error, code }` with the mutation's code (404 unknown or another
// merchant's, 409 SUBSCRIPTION_ALREADY_CANCELED / SUBSCRIPTION_NOT_PAUSED / INVALID_STATE_TRANSITION
// / VERSION_CONFLICT, 422 SUBSCRIPTION_CURRENCY_MISMATCH, 400 bad input naming the field).
//   POST /v1/subscriptions/:id/cancel   { at_period_end?: boolean }
//   POST /v1/subscriptions/:id/pause
//   POST /v1/subscriptions/:id/resume
//   POST /v1/subscriptions/:id          { position?, quantity?, unit_amount?, currency?, version? } (or If-Match: <version>)
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { bodyOf, expectedVersion, graph, mountRoute, type Call } from '../checkout-service/route-kit.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { SUBSCRIPTIONS } from './paths.js';
import { FIELDS, subscriptionJson, type SubscriptionJson } from './subscription-json.js';

// Built when called: index.ts (which mounts these) defines FIELDS and imports this module.
const CANCEL = () => `mutation RestCancelBillingSubscription($id: ID!, $atPeriodEnd: Boolean) { result: cancelBillingSubscription(id: $id, atPeriodEnd: $atPeriodEnd) { ${FIELDS} } }`;
const PAUSE = () => `mutation RestPauseBillingSubscription($id: ID!) { result: pauseBillingSubscription(id: $id) { ${FIELDS} } }`;
const RESUME = () => `mutation RestResumeBillingSubscription($id: ID!) { result: resumeBillingSubscription(id: $id) { ${FIELDS} } }`;
const UPDATE = () => `mutation RestUpdateBillingSubscription($id: ID!, $input: UpdateBillingSubscriptionInput!) { result: updateBillingSubscription(id: $id, input: $input) { ${FIELDS} } }`;

const CANCEL_BODY: ObjectShape = { kind: 'object', fields: { at_period_end: { kind: 'boolean' } } };
const EMPTY_BODY: ObjectShape = { kind: 'object', fields: {} };
const UPDATE_BODY: ObjectShape = {
  kind: 'object',
  fields: { position: { kind: 'integer' }, quantity: { kind: 'integer' }, unit_amount: { kind: 'integer' }, currency: { kind: 'string', max: 3 }, version: { kind: 'integer' } },
};

/** The mutation's input names → the body's. */
function restName(field: string): string {
  const f = field.replace(/^input\./, '');
  return ({ 'unitAmount.amountMinor': 'unit_amount', 'unitAmount.currency': 'currency', unitAmount: 'unit_amount', expectedVersion: 'version' } as Record<string, string>)[f] ?? f;
}

async function run(call: Call, query: string, variables: Record<string, unknown>): Promise<void> {
  const data = await graph<{ result: SubscriptionJson }>(call, query, variables, { mutation: true, rename: restName });
  if (!data) return;
  call.res.setHeader('etag', `"${data.result.version}"`);
  call.res.json(subscriptionJson(data.result));
}

export function mountSubscriptionCommands(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', `${SUBSCRIPTIONS}/:id/cancel`, async (call) => {
    const body = bodyOf(call, CANCEL_BODY);
    if (!body) return;
    await run(call, CANCEL(), { id: call.id, atPeriodEnd: body.at_period_end === true });
  });

  mountRoute(app, deps, 'post', `${SUBSCRIPTIONS}/:id/pause`, async (call) => {
    if (!bodyOf(call, EMPTY_BODY)) return;
    await run(call, PAUSE(), { id: call.id });
  });

  mountRoute(app, deps, 'post', `${SUBSCRIPTIONS}/:id/resume`, async (call) => {
    if (!bodyOf(call, EMPTY_BODY)) return;
    await run(call, RESUME(), { id: call.id });
  });

  mountRoute(app, deps, 'post', `${SUBSCRIPTIONS}/:id`, async (call) => {
    const body = bodyOf(call, UPDATE_BODY);
    if (!body) return;
    const expected = expectedVersion(call, body.version);
    if (!expected) return;
    const hasAmount = body.unit_amount !== undefined && body.unit_amount !== null;
    if (hasAmount !== (body.currency !== undefined && body.currency !== null)) {
      return sendInputProblem(call.res, { field: hasAmount ? 'currency' : 'unit_amount', message: 'unit_amount and currency go together.' });
    }
    const input = {
      position: body.position ?? null,
      quantity: body.quantity ?? null,
      unitAmount: hasAmount ? { amountMinor: body.unit_amount, currency: body.currency } : null,
      expectedVersion: expected.version,
    };
    await run(call, UPDATE(), { id: call.id, input });
  });
}
