// Agent-owned webhook endpoints (issue 21 items 3 and 7) against real PostgreSQL and Redis, on a
// database of its own: the intake routes an event about an agent's session to that agent's
// subscribed endpoints (and its merchant's, unless the event is for agents only), never to another
// agent's; ACP order events go to agents only, in the spec's shape with Merchant-Signature; the
// same delivery worker signs, retries and logs them; tenancy between agents, and between an agent
// and merchants (endpoints, deliveries, replays); limits and URL rules as for merchants.
import { randomBytes } from 'node:crypto';
import { ErrorCode, HandoffError, verifySignature, webhookEventId, type OutboxJobData, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import type { WebhookReceiver } from '../../../test/support/webhook-receiver.js';
import { MAX_ENDPOINTS_PER_AGENT } from '../src/agent-webhook-endpoint/agent-webhook-endpoint.service.js';
import type { MerchantConfig } from '../src/index.js';
import type { MerchantServices } from '../src/services.js';
import { processDelivery, type DeliveryDeps } from '../src/webhook-delivery/webhook-delivery.job.js';
import { createWebhooks, type Webhooks } from '../src/webhook-endpoint/webhooks.module.js';
import { admin, agentPrincipal, gbpCpaMerchant, merchantPrincipal } from './support.js';
import { silent, startWebhookStack, type WebhookStack } from './webhook-stack.js';

let stack: WebhookStack;
let app: SubgraphApp;
let config: MerchantConfig;
let services: MerchantServices;
let webhooks: Webhooks;
let receiver: WebhookReceiver;
let deps: DeliveryDeps;

beforeAll(async () => {
  stack = await startWebhookStack('agent_webhooks', 'awh');
  ({ app, config, services, webhooks, receiver, deps } = stack);
});

afterAll(async () => {
  await stack?.close();
});

const q = <T = any>(sql: string, params: unknown[] = []): Promise<T[]> => app.dataSource.query(sql, params);
let outboxSeq = 5000;

const newAgent = () => services.agents.register(admin, { name: `Agent ${randomBytes(3).toString('hex')}` }, undefined);
const newMerchant = () => services.merchants.create(admin, gbpCpaMerchant(), undefined);

const agentEndpoint = (agentId: string, path: string, events: string[]) =>
  webhooks.agentEndpoints.create({ kind: 'AGENT', keyId: `key_${agentId}`, agentId }, { url: `${receiver.origin}${path}`, events }, undefined);
const merchantEndpoint = (merchantId: string, path: string, events: string[]) =>
  webhooks.endpoints.create(merchantPrincipal(merchantId), { url: `${receiver.origin}${path}`, events }, undefined);

function job(type: string, merchantId: string, extra: Record<string, unknown>, object: Record<string, unknown> = { checkout_id: 'cs_1', object: 'checkout' }): OutboxJobData {
  const outboxId = String(++outboxSeq);
  return {
    outboxId,
    schema: 'checkout',
    topic: `webhook_event.${type}`,
    aggregateId: merchantId,
    createdAt: new Date().toISOString(),
    payload: { type, merchantId, checkoutId: 'cs_1', object, occurredAt: new Date().toISOString(), ...extra },
  };
}

const endpointsOf = (eventId: string) =>
  q<{ endpoint_id: string; agent_id: string | null }>('SELECT endpoint_id, agent_id FROM merchant.webhook_deliveries WHERE event_id = $1 ORDER BY endpoint_id', [eventId]).then((r) =>
    r.map((d) => d.endpoint_id),
  );

async function deliverAll(eventId: string) {
  const rows = await q<{ id: string; seq: number }>("SELECT id, seq FROM merchant.webhook_deliveries WHERE event_id = $1 AND status = 'PENDING'", [eventId]);
  return Promise.all(rows.map((r) => processDelivery(deps, { deliveryId: r.id, seq: r.seq })));
}

describe('routing', () => {
  it("an event about an agent's session goes to that agent's subscribed endpoints and its merchant's, never another agent's", async () => {
    const [a, b, m] = await Promise.all([newAgent(), newAgent(), newMerchant()]);
    const aCompleted = await agentEndpoint(a.id, '/a-completed', ['checkout.completed']);
    const aAll = await agentEndpoint(a.id, '/a-all', ['*']);
    await agentEndpoint(a.id, '/a-failed', ['payment.failed']);
    const bAll = await agentEndpoint(b.id, '/b-all', ['*']);
    const mAll = await merchantEndpoint(m.id, '/m-all', ['*']);

    const completed = job('checkout.completed', m.id, { agentId: a.id });
    const r = await webhooks.intake.intake(completed);
    expect(r.created).toBe(3);
    expect(await endpointsOf(r.eventId)).toEqual([aCompleted.endpoint.id, aAll.endpoint.id, mAll.endpoint.id].sort());
    // A rerun of the job fans out nothing again.
    expect((await webhooks.intake.intake(completed)).created).toBe(0);

    // A type agents do not subscribe to reaches the merchant only, whatever agentId says.
    const updated = await webhooks.intake.intake(job('checkout.updated', m.id, { agentId: a.id }));
    expect(await endpointsOf(updated.eventId)).toEqual([mAll.endpoint.id]);
    // An agent-only event reaches no merchant.
    const verified = await webhooks.intake.intake(job('conversion.verified', m.id, { agentId: a.id, audience: 'agent' }, { id: 'conv_1', object: 'conversion' }));
    expect(await endpointsOf(verified.eventId)).toEqual([aAll.endpoint.id]);
    // Agent b's endpoint got none of it; a merchant-created session (no agent) reaches merchants only.
    const plain = await webhooks.intake.intake(job('checkout.completed', m.id, {}));
    expect(await endpointsOf(plain.eventId)).toEqual([mAll.endpoint.id]);
    expect(await q('SELECT id FROM merchant.webhook_deliveries WHERE endpoint_id = $1', [bAll.endpoint.id])).toHaveLength(0);
    // Deliveries to the agent's endpoints record it; the merchant's record none.
    const owners = await q<{ endpoint_id: string; agent_id: string | null }>('SELECT endpoint_id, agent_id FROM merchant.webhook_deliveries WHERE event_id = $1', [r.eventId]);
    for (const o of owners) expect(o.agent_id).toBe(o.endpoint_id === mAll.endpoint.id ? null : a.id);
  });

  it('an ACP order event is the spec body, signed with Merchant-Signature and Handoff-Signature, to agents only; a 500 is retried', async () => {
    const [a, m] = await Promise.all([newAgent(), newMerchant()]);
    const orders = await agentEndpoint(a.id, '/a-orders', ['order_create', 'order_update']);
    await agentEndpoint(a.id, '/a-completed-only', ['checkout.completed']);
    await merchantEndpoint(m.id, '/m-orders', ['*']);
    const order = { type: 'order', id: 'ord_1', checkout_session_id: 'cs_1', permalink_url: 'https://example.com/o/1', status: 'confirmed' };
    const j = job('order_create', m.id, { agentId: a.id }, order);
    receiver.route('/a-orders', (_req, nth) => ({ status: nth === 1 ? 500 : 200 }));
    const r = await webhooks.intake.intake(j);
    expect(await endpointsOf(r.eventId)).toEqual([orders.endpoint.id]);

    expect(await deliverAll(r.eventId)).toEqual(['retrying']);
    expect(await deliverAll(r.eventId)).toEqual(['delivered']);
    const got = receiver.on('/a-orders');
    expect(got).toHaveLength(2);
    const last = got[1]!;
    expect(JSON.parse(last.body)).toEqual({ type: 'order_create', data: order });
    const header = String(last.headers['merchant-signature']);
    expect(header).toMatch(/^t=\d+,v1=[a-f0-9]{64}$/);
    expect(verifySignature({ payload: Buffer.from(last.body), header, secret: orders.secret })).toMatchObject({ ok: true });
    expect(verifySignature({ payload: Buffer.from(last.body), header: String(last.headers['handoff-signature']), secret: orders.secret })).toMatchObject({ ok: true });
    expect(last.headers['request-id']).toBe(r.eventId);
    expect(got[0]!.headers['handoff-event-id']).toBe(last.headers['handoff-event-id']);
    const [d] = await q<{ status: string; attempts: number }>('SELECT status, attempts FROM merchant.webhook_deliveries WHERE event_id = $1', [r.eventId]);
    expect(d).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    // Nothing about an agent's delivery lands on the merchant's checkout timeline.
    expect(await q(`SELECT id FROM merchant.outbox WHERE topic LIKE 'checkout_timeline%' AND payload::text LIKE $1`, [`%${orders.endpoint.id}%`])).toHaveLength(0);
  });

  it('an order event naming no agent is refused as a whole: nothing recorded', async () => {
    const m = await newMerchant();
    const j = job('order_create', m.id, {}, { type: 'order', id: 'ord_2', checkout_session_id: 'cs_2', permalink_url: 'https://example.com/o/2', status: 'created' });
    await expect(webhooks.intake.intake(j)).rejects.toThrow(/names no agent/);
    expect(await q('SELECT id FROM merchant.webhook_events WHERE id = $1', [webhookEventId('checkout', j.outboxId)])).toHaveLength(0);
  });
});

describe('tenancy and rules', () => {
  it("an agent sees and changes its own endpoints only; merchants and admins' merchant operations never reach them", async () => {
    const [a, b, m] = await Promise.all([newAgent(), newAgent(), newMerchant()]);
    const mine = await agentEndpoint(a.id, '/t-a', ['*']);
    const pa = agentPrincipal(a.id) as never;
    const pb = agentPrincipal(b.id) as never;
    expect((await webhooks.agentEndpoints.list(pa)).map((e) => e.id)).toEqual([mine.endpoint.id]);
    expect(await webhooks.agentEndpoints.list(pb)).toEqual([]);
    expect(await webhooks.agentEndpoints.find(pb, mine.endpoint.id)).toBeNull();
    for (const attempt of [
      () => webhooks.agentEndpoints.update(pb, mine.endpoint.id, { enabled: false }),
      () => webhooks.agentEndpoints.delete(pb, mine.endpoint.id),
      () => webhooks.endpoints.update(merchantPrincipal(m.id) as never, mine.endpoint.id, { enabled: false }),
      () => webhooks.endpoints.delete(admin as never, mine.endpoint.id),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ extensions: { code: ErrorCode.NOT_FOUND } });
    }
    expect(await webhooks.endpoints.find(admin as never, mine.endpoint.id)).toBeNull();
    // A merchant's endpoint is no agent's either.
    const theirs = await merchantEndpoint(m.id, '/t-m', ['*']);
    expect(await webhooks.agentEndpoints.find(pa, theirs.endpoint.id)).toBeNull();
    await expect(webhooks.agentEndpoints.update(pa, theirs.endpoint.id, { enabled: false })).rejects.toMatchObject({ extensions: { code: ErrorCode.NOT_FOUND } });

    // A delivery to the agent's endpoint carries the event's merchant, yet that merchant cannot replay it.
    const r = await webhooks.intake.intake(job('checkout.completed', m.id, { agentId: a.id }));
    const [d] = await q<{ id: string }>('SELECT id FROM merchant.webhook_deliveries WHERE event_id = $1 AND endpoint_id = $2', [r.eventId, mine.endpoint.id]);
    await expect(webhooks.deliveries.replayDelivery(merchantPrincipal(m.id) as never, d!.id)).rejects.toMatchObject({ extensions: { code: ErrorCode.NOT_FOUND } });
    await expect(webhooks.deliveries.replayEvents(merchantPrincipal(m.id) as never, mine.endpoint.id, new Date(0), false)).rejects.toMatchObject({
      extensions: { code: ErrorCode.NOT_FOUND },
    });
    // Its owner's delete fails its pending deliveries.
    await webhooks.agentEndpoints.delete(pa, mine.endpoint.id);
    expect(await webhooks.agentEndpoints.list(pa)).toEqual([]);
    const [after] = await q<{ status: string; last_error: string }>('SELECT status, last_error FROM merchant.webhook_deliveries WHERE id = $1', [d!.id]);
    expect(after).toMatchObject({ status: 'FAILED', last_error: 'endpoint_deleted' });
  });

  it('the agent event filter, the URL rules and the per-agent limit, under concurrent creates', async () => {
    const a = await newAgent();
    const pa = agentPrincipal(a.id) as never;
    const bad = (await webhooks.agentEndpoints.create(pa, { url: `${receiver.origin}/x`, events: ['checkout.created'] }, undefined).catch((e: unknown) => e)) as HandoffError;
    expect(bad.extensions).toMatchObject({ code: ErrorCode.BAD_USER_INPUT, field: 'input.events[0]' });
    expect(bad.message).toContain('order_create');
    const strict = createWebhooks({
      dataSource: app.dataSource,
      redis: app.redis,
      redisUrl: testEnv().redisUrl,
      queuePrefix: config.env.QUEUE_PREFIX,
      idempotency: services.idempotency,
      connectors: services.connectors,
      encryptionKey: config.encryptionKey,
      allowPrivateUrls: false,
      outbox: { notify: () => undefined },
      delivery: config.webhooks,
      logger: silent,
    });
    const privateUrl = (await strict.agentEndpoints.create(pa, { url: 'https://127.0.0.1/h', events: ['*'] }, undefined).catch((e: unknown) => e)) as HandoffError;
    expect(privateUrl.extensions).toMatchObject({ code: ErrorCode.WEBHOOK_URL_NOT_ALLOWED, field: 'input.url' });
    await strict.close();

    const results = await Promise.allSettled(
      Array.from({ length: MAX_ENDPOINTS_PER_AGENT + 4 }, (_, i) => webhooks.agentEndpoints.create(pa, { url: `${receiver.origin}/l${i}`, events: ['*'] }, undefined)),
    );
    const refused = results.filter((x) => x.status === 'rejected') as PromiseRejectedResult[];
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(MAX_ENDPOINTS_PER_AGENT);
    expect(refused.map((x) => (x.reason as HandoffError).extensions.code)).toEqual(Array(4).fill(ErrorCode.WEBHOOK_ENDPOINT_LIMIT_REACHED));
    expect(await webhooks.agentEndpoints.list(pa)).toHaveLength(MAX_ENDPOINTS_PER_AGENT);
    // An event fans out to all of them and the merchant's at once (ids for both owners' maximum).
    const m = await newMerchant();
    await merchantEndpoint(m.id, '/l-m', ['*']);
    expect((await webhooks.intake.intake(job('checkout.completed', m.id, { agentId: a.id }))).created).toBe(MAX_ENDPOINTS_PER_AGENT + 1);
  });
});
