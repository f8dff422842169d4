// An agent's webhook endpoints over REST (docs/acp.md, "Agent webhooks"), mirroring the merchant's
// /v1/checkout/webhooks: thin adapters over the merchant subgraph's agent operations, snake_case.
// An AGENT key, for its own endpoints only. POST takes Idempotency-Key.
//   GET    /v1/agent/webhooks        agentWebhookEndpoints → { data, has_more, next_cursor }
//   POST   /v1/agent/webhooks        createAgentWebhookEndpoint → 201, the endpoint with its secret (once)
//   DELETE /v1/agent/webhooks/:id    deleteAgentWebhookEndpoint → { id, deleted: true }
//   POST   /v1/agent/webhooks/test   sendAgentTestWebhook (one endpoint, or each enabled one) → 202 { data: [{ id, type, endpoint_id }] }
//   POST   /v1/agent/webhooks/deliveries/:id/replay   replayAgentWebhookDelivery → 202, the delivery re-armed
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { bodyOf, graph, mountRoute, restField } from '../checkout-service/route-kit.js';

export const AGENT_WEBHOOKS = '/v1/agent/webhooks';
const AGENT_ONLY = ['AGENT'] as const;

const FIELDS = 'id agentId url events description enabled disabledReason failingSince createdAt updatedAt';

interface AgentEndpointJson {
  id: string;
  agentId: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

const LIST = `query RestAgentWebhookEndpoints { agentWebhookEndpoints { ${FIELDS} } }`;
const CREATE = `mutation RestCreateAgentWebhookEndpoint($input: CreateAgentWebhookEndpointInput!, $key: String) {
  createAgentWebhookEndpoint(input: $input, idempotencyKey: $key) { secret endpoint { ${FIELDS} } } }`;
const DELETE = `mutation RestDeleteAgentWebhookEndpoint($id: ID!) { deleteAgentWebhookEndpoint(id: $id) { id deleted } }`;

const TEST = `mutation RestSendAgentTestWebhook($endpointId: ID, $key: String) {
  sendAgentTestWebhook(endpointId: $endpointId, idempotencyKey: $key) { eventId endpointId } }`;
const REPLAY = `mutation RestReplayAgentWebhookDelivery($id: ID!) {
  replayAgentWebhookDelivery(deliveryId: $id) { id endpointId eventId status attemptCount nextAttemptAt } }`;

const TEST_BODY: ObjectShape = { kind: 'object', fields: { endpoint_id: { kind: 'string', max: 100 } } };
/** The replay takes no fields: a body, if any, is an empty object. */
const REPLAY_BODY: ObjectShape = { kind: 'object', fields: {} };

interface DeliveryJson {
  id: string;
  endpointId: string;
  eventId: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
}

const CREATE_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    url: { kind: 'string', required: true, max: 2048 },
    events: { kind: 'array', required: true, max: 64, items: { kind: 'string', max: 100 } },
    secret: { kind: 'string', max: 256 },
    description: { kind: 'string', max: 500 },
    enabled: { kind: 'boolean' },
  },
};

/** GraphQL names in the routes' (`input.url` → `url`, `endpointId` → `endpoint_id`, `deliveryId` → `id`). */
const rename = (f: string) => restField(f).replace(/^endpointId\b/, 'endpoint_id').replace(/^deliveryId\b/, 'id');

function endpointJson(e: AgentEndpointJson): Record<string, unknown> {
  return {
    id: e.id,
    object: 'webhook_endpoint',
    agent_id: e.agentId,
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

export const mountAgentWebhookRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'get', AGENT_WEBHOOKS, async (call) => {
    const data = await graph<{ agentWebhookEndpoints: AgentEndpointJson[] }>(call, LIST, {}, { rename });
    if (!data) return;
    // At most 16 endpoints per agent: one page holds them all.
    call.res.json({ data: data.agentWebhookEndpoints.map(endpointJson), has_more: false, next_cursor: null });
  }, AGENT_ONLY);

  mountRoute(app, deps, 'post', AGENT_WEBHOOKS, async (call) => {
    const body = bodyOf(call, CREATE_BODY);
    if (!body) return;
    const input = { url: body.url, events: body.events, secret: body.secret ?? null, description: body.description ?? null, enabled: body.enabled ?? null };
    const data = await graph<{ createAgentWebhookEndpoint: { secret: string; endpoint: AgentEndpointJson } }>(
      call,
      CREATE,
      { input, key: call.idempotencyKey ?? null },
      { mutation: true, rename },
    );
    if (!data) return;
    const { endpoint, secret } = data.createAgentWebhookEndpoint;
    call.res.setHeader('location', `${AGENT_WEBHOOKS}/${encodeURIComponent(endpoint.id)}`);
    call.res.status(201).json({ ...endpointJson(endpoint), secret });
  }, AGENT_ONLY);

  // POST has no `/:id` route, so `test` is never taken for an id.
  mountRoute(app, deps, 'post', `${AGENT_WEBHOOKS}/test`, async (call) => {
    const body = bodyOf(call, TEST_BODY);
    if (!body) return;
    const variables = { endpointId: body.endpoint_id ?? null, key: call.idempotencyKey ?? null };
    const data = await graph<{ sendAgentTestWebhook: Array<{ eventId: string; endpointId: string }> }>(call, TEST, variables, { mutation: true, rename });
    if (!data) return;
    call.res.status(202).json({ data: data.sendAgentTestWebhook.map((s) => ({ id: s.eventId, type: 'webhook_endpoint.test', endpoint_id: s.endpointId })) });
  }, AGENT_ONLY);

  mountRoute(app, deps, 'post', `${AGENT_WEBHOOKS}/deliveries/:id/replay`, async (call) => {
    if (!bodyOf(call, REPLAY_BODY)) return;
    const data = await graph<{ replayAgentWebhookDelivery: DeliveryJson }>(call, REPLAY, { id: call.id }, { mutation: true, rename });
    if (!data) return;
    const d = data.replayAgentWebhookDelivery;
    call.res.status(202).json({
      id: d.id,
      object: 'webhook_delivery',
      endpoint_id: d.endpointId,
      event_id: d.eventId,
      status: d.status.toLowerCase(),
      attempt_count: d.attemptCount,
      next_attempt_at: d.nextAttemptAt,
    });
  }, AGENT_ONLY);

  mountRoute(app, deps, 'delete', `${AGENT_WEBHOOKS}/:id`, async (call) => {
    const data = await graph<{ deleteAgentWebhookEndpoint: { id: string; deleted: boolean } }>(call, DELETE, { id: call.id }, { mutation: true, rename });
    if (!data) return;
    call.res.json({ id: data.deleteAgentWebhookEndpoint.id, object: 'webhook_endpoint', deleted: data.deleteAgentWebhookEndpoint.deleted });
  }, AGENT_ONLY);
};
