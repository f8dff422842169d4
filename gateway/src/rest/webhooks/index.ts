// Seed 003 §9's webhook subscriptions (docs/api.md, "Outbound webhooks"), thin adapters over the
// merchant subgraph's GraphQL operations, in seed 003's shapes (snake_case). Merchant key for its
// own endpoints; an admin names the merchant (`merchant_id`). Every POST takes Idempotency-Key.
//   GET    /v1/checkout/webhooks            webhookEndpoints → { data, has_more, next_cursor }
//   POST   /v1/checkout/webhooks            createWebhookEndpoint → 201, the endpoint with its secret (once)
//   DELETE /v1/checkout/webhooks/:id        deleteWebhookEndpoint → { id, deleted: true }
//   POST   /v1/checkout/webhooks/test       sendTestWebhook (one endpoint, or each enabled one) → 202 { data: [{ id, type, endpoint_id }] }
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, graph, mountRoute, restField } from '../checkout-service/route-kit.js';

export const WEBHOOKS = '/v1/checkout/webhooks';

const ENDPOINT_FIELDS = 'id url events description enabled disabledReason failingSince createdAt updatedAt';

interface EndpointJson {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

const LIST = `query RestWebhookEndpoints($merchantId: ID) { webhookEndpoints(merchantId: $merchantId) { ${ENDPOINT_FIELDS} } }`;
const CREATE = `mutation RestCreateWebhookEndpoint($input: CreateWebhookEndpointInput!, $key: String) {
  createWebhookEndpoint(input: $input, idempotencyKey: $key) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
const DELETE = `mutation RestDeleteWebhookEndpoint($id: ID!) { deleteWebhookEndpoint(id: $id) { id deleted } }`;
const TEST = `mutation RestSendTestWebhook($endpointId: ID, $merchantId: ID, $key: String) {
  sendTestWebhook(endpointId: $endpointId, merchantId: $merchantId, idempotencyKey: $key) { eventId endpointId } }`;

const CREATE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    url: { kind: 'string', required: true, max: 2048 },
    events: { kind: 'array', required: true, max: 64, items: { kind: 'string', max: 100 } },
    secret: { kind: 'string', max: 256 },
    description: { kind: 'string', max: 500 },
    enabled: { kind: 'boolean' },
    merchant_id: { kind: 'string', max: 100 },
  },
};
const TEST_BODY: ObjectShape = { kind: 'object', fields: { endpoint_id: { kind: 'string', max: 100 }, merchant_id: { kind: 'string', max: 100 } } };

/** GraphQL names in the routes' (`input.url` → `url`, `endpointId` → `endpoint_id`). */
const rename = (f: string) => restField(f).replace(/^endpointId\b/, 'endpoint_id');

/** The endpoint in seed 003's shape (never its secret). */
function endpointJson(e: EndpointJson): Record<string, unknown> {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabled_reason: e.disabledReason?.toLowerCase() ?? null,
    failing_since: e.failingSince,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

export const mountWebhookRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'get', WEBHOOKS, async (call) => {
    const merchantId = call.req.query.merchant_id;
    if (merchantId !== undefined && (typeof merchantId !== 'string' || merchantId.length > 100)) {
      return sendInputProblem(call.res, { field: 'merchant_id', message: 'must be a merchant id.' });
    }
    const data = await graph<{ webhookEndpoints: EndpointJson[] }>(call, LIST, { merchantId: merchantId ?? null }, { rename });
    if (!data) return;
    // At most 16 endpoints per merchant: one page holds them all.
    call.res.json({ data: data.webhookEndpoints.map(endpointJson), has_more: false, next_cursor: null });
  });

  mountRoute(app, deps, 'post', WEBHOOKS, async (call) => {
    const body = bodyOf(call, CREATE_BODY);
    if (!body) return;
    const input = {
      url: body.url,
      events: body.events,
      secret: body.secret ?? null,
      description: body.description ?? null,
      enabled: body.enabled ?? null,
      merchantId: body.merchant_id ?? null,
    };
    const data = await graph<{ createWebhookEndpoint: { secret: string; endpoint: EndpointJson } }>(
      call,
      CREATE,
      { input, key: call.idempotencyKey ?? null },
      { mutation: true, rename },
    );
    if (!data) return;
    const { endpoint, secret } = data.createWebhookEndpoint;
    call.res.setHeader('location', `${WEBHOOKS}/${encodeURIComponent(endpoint.id)}`);
    call.res.status(201).json({ ...endpointJson(endpoint), secret });
  });

  // Before `/:id` would matter: POST has no `/:id` route, so `test` is never taken for an id.
  mountRoute(app, deps, 'post', `${WEBHOOKS}/test`, async (call) => {
    const body = bodyOf(call, TEST_BODY);
    if (!body) return;
    const variables = { endpointId: body.endpoint_id ?? null, merchantId: body.merchant_id ?? null, key: call.idempotencyKey ?? null };
    const data = await graph<{ sendTestWebhook: Array<{ eventId: string; endpointId: string }> }>(call, TEST, variables, { mutation: true, rename });
    if (!data) return;
    call.res.status(202).json({ data: data.sendTestWebhook.map((s) => ({ id: s.eventId, type: 'webhook_endpoint.test', endpoint_id: s.endpointId })) });
  });

  mountRoute(app, deps, 'delete', `${WEBHOOKS}/:id`, async (call) => {
    const data = await graph<{ deleteWebhookEndpoint: { id: string; deleted: boolean } }>(call, DELETE, { id: call.id }, { mutation: true, rename });
    if (!data) return;
    call.res.json({ id: data.deleteWebhookEndpoint.id, object: 'webhook_endpoint', deleted: data.deleteWebhookEndpoint.deleted });
  });
};
