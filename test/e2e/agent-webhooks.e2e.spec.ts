// Agent webhooks through the gateway (issue 21 items 3 and 7), to a local receiver on 127.0.0.1
// (WEBHOOK_ALLOW_PRIVATE_URLS=true, as in test): an agent registers an endpoint over REST (secret
// once), runs an agent checkout to payment and receives checkout.completed (verified as
// docs/acp.md tells a user to), conversion.verified, and the ACP order_create in the spec's shape
// (validated against the vendored schema, Merchant-Signature verified); a declined card is
// payment.failed; a receiver answering 500 then 200 gets the event again and acknowledges it
// once; another agent and the merchant see none of it. The ACP order events go only to a session
// that came through ACP (createAgentCheckoutSession): its order_create, the merchant's finalize
// (order_update processing) and its refunds over the merchant's REST refund (order_update with a
// refund adjustment each and amount_refunded, once per refund). An agent sends itself a test event
// and replays one of its deliveries; another agent cannot. On a database of its own: other stacks'
// relays must not deliver this file's events.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpProblems } from '../support/acp/validate.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

const Q = {
  merchant: `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`,
  connect: `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`,
  offer: `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
  agent: `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`,
  key: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
  start: `mutation { startAgentSession(input: { query: "mug" }) { id } }`,
  recommend: `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`,
  checkout: `mutation($s: ID!, $r: ID!) { checkout(input: { sessionId: $s, recommendationId: $r }) { transactionId paymentId } }`,
  confirm: `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { status } }`,
  endpoints: `query { agentWebhookEndpoints { id url events } }`,
  endpoint: `query($id: ID!) { agentWebhookEndpoint(id: $id) { id deliveries(first: 50) { edges { node { status attemptCount event { type } } } } } }`,
  update: `mutation($id: ID!) { updateAgentWebhookEndpoint(id: $id, input: { enabled: false }) { id } }`,
  merchantEndpoint: `query($id: ID!) { webhookEndpoint(id: $id) { id } }`,
  acp: `mutation($input: CreateAgentCheckoutSessionInput!) { createAgentCheckoutSession(input: $input) { id totals { total { amountMinor } } paymentIntent { id } } }`,
  finalize: `mutation($id: ID!) { finalizeCheckout(id: $id) { id } }`,
  session: `query($id: ID!) { checkoutSession(id: $id) { paymentIntent { id } } }`,
  deliveryIds: `query($id: ID!) { agentWebhookEndpoint(id: $id) { deliveries(first: 50) { edges { node { id attemptCount event { id type } } } } } }`,
};

let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
let handoff: RunningHandoff;
let admin: GqlClient;
let receiver: WebhookReceiver;
let merchantId: string;
let offerId: string;
let merchant: GqlClient;
const agent = { id: '', key: '', gql: undefined as unknown as GqlClient };
const rival = { id: '', key: '', gql: undefined as unknown as GqlClient };

async function newAgent(name: string) {
  const id = (await admin.ok(Q.agent, { input: { name, builderName: `${name} builder ${Date.now()}` } })).registerAgent.id as string;
  const key = (await admin.ok(Q.key, { input: { role: 'AGENT', agentId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
}

async function rest(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${handoff.gatewayUrl}/v1/agent/webhooks${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** docs/acp.md, "Verifying an agent webhook": the same lines for Handoff-Signature and Merchant-Signature. */
function verify(rawBody: string, header: string, secret: string, tolerance = 300): boolean {
  const parts = String(header).split(',').map((p) => p.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  const ok = parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v!) && timingSafeEqual(Buffer.from(v!, 'hex'), expected));
  return ok && Math.abs(Date.now() / 1000 - t) <= tolerance;
}

const bodyOf = (r: ReceivedWebhook) => JSON.parse(r.body) as any;
const ofType = (path: string, type: string) => receiver.on(path).filter((r) => bodyOf(r).type === type);

/** An agent checkout of the offer, paid (or declined) with a sandbox test card. */
async function agentCheckout(card: string) {
  const s = (await agent.gql.ok(Q.start)).startAgentSession.id;
  const r = (await agent.gql.ok(Q.recommend, { s, o: offerId })).recommend.id;
  const co = (await agent.gql.ok(Q.checkout, { s, r })).checkout as { transactionId: string; paymentId: string };
  const res = await merchant.request(Q.confirm, { id: co.paymentId, card });
  return { ...co, res };
}

beforeAll(async () => {
  scratch = await migratedDatabase('agent_webhooks_e2e');
  receiver = await startWebhookReceiver();
  handoff = await startTestHandoff({
    databaseUrl: scratch.url,
    extraEnv: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_BASE_MS: '100', OUTBOX_SWEEP_AFTER_MS: '2000' },
  });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  merchantId = (await admin.ok(Q.merchant, {
    input: {
      name: 'Hooked Mugs', country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' },
    },
  })).createMerchant.id;
  await admin.ok(Q.connect, { id: merchantId });
  offerId = (await admin.ok(Q.offer, { input: { merchantId, name: 'Mug', price: { amountMinor: 1200, currency: 'GBP' } } })).createOffer.id;
  merchant = admin.as((await admin.ok(Q.key, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
  Object.assign(agent, await newAgent('Hook agent'));
  Object.assign(rival, await newAgent('Rival agent'));
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
  await receiver?.close();
  await scratch?.drop();
});

describe('agent webhooks', () => {
  it('an agent checkout: checkout.completed, conversion.verified signed; an ACP session: order_create, order_update on finalize and on each refund (once); a declined card is payment.failed; 500 then 200 is retried; test event and replay', async () => {
    // Over REST, with its secret once; the rival's list stays empty.
    const created = await rest('POST', '', agent.key, { url: `${receiver.origin}/agent`, events: ['*'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^we_/), object: 'webhook_endpoint', agent_id: agent.id, events: ['*'], secret: expect.stringMatching(/^whsec_/) });
    const secret = created.body.secret as string;
    const listed = await rest('GET', '', agent.key);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await rest('GET', '', rival.key)).body.data).toEqual([]);
    const rivalHook = await rest('POST', '', rival.key, { url: `${receiver.origin}/rival`, events: ['*'] });
    expect(rivalHook.status).toBe(201);
    // Only agent event types; a merchant key may not use the route.
    const bad = await rest('POST', '', agent.key, { url: `${receiver.origin}/x`, events: ['checkout.updated'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('events[0]');
    expect((await rest('GET', '', (await admin.ok(Q.key, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key)).status).toBe(403);

    // The first attempt of each event fails (500): each is delivered on its second, once acknowledged.
    receiver.route('/agent', (req) => {
      const id = String(req.headers['handoff-event-id']);
      return { status: receiver.on('/agent').filter((r) => String(r.headers['handoff-event-id']) === id).length === 1 ? 500 : 200 };
    });
    const paid = await agentCheckout('4242424242424242');
    expect(paid.res.data?.confirmPaymentIntent.status).toBe('SUCCEEDED');
    // A session that came through ACP, paid as well.
    const acp = (await agent.gql.ok(Q.acp, {
      input: { merchantId, lineItems: [{ offerId, quantity: 1 }], customer: { email: 'acp-buyer@example.com' }, shippingAddress: { line1: '1 High St', city: 'London', postalCode: 'N1 9GU', country: 'GB' } },
    })).createAgentCheckoutSession as { id: string; totals: { total: { amountMinor: number } }; paymentIntent: { id: string } | null };
    const acpTotal = acp.totals.total.amountMinor;
    // Its payment intent is created just after the session's commit.
    let intentId = acp.paymentIntent?.id as string | undefined;
    await expect.poll(async () => (intentId ??= (await merchant.ok(Q.session, { id: acp.id })).checkoutSession.paymentIntent?.id), { timeout: 30_000 }).toBeTruthy();
    acp.paymentIntent = { id: intentId! };
    expect((await merchant.ok(Q.confirm, { id: intentId, card: '4242424242424242' })).confirmPaymentIntent.status).toBe('SUCCEEDED');

    const completedOf = (id: string) => ofType('/agent', 'checkout.completed').filter((r) => bodyOf(r).checkout_id === id);
    await expect.poll(() => completedOf(paid.transactionId).length, { timeout: 30_000 }).toBe(2);
    const [first, completed] = completedOf(paid.transactionId) as [ReceivedWebhook, ReceivedWebhook];
    expect(first.headers['handoff-event-id']).toBe(completed.headers['handoff-event-id']);
    expect(verify(completed.body, String(completed.headers['handoff-signature']), secret)).toBe(true);
    expect(verify(completed.body, String(completed.headers['handoff-signature']), 'whsec_wrong')).toBe(false);
    expect(bodyOf(completed)).toMatchObject({ object: 'event', type: 'checkout.completed', checkout_id: paid.transactionId, data: { object: { status: 'complete' } } });

    await expect.poll(() => ofType('/agent', 'conversion.verified').length, { timeout: 30_000 }).toBe(2);
    const verified = ofType('/agent', 'conversion.verified')[1]!;
    expect(verify(verified.body, String(verified.headers['handoff-signature']), secret)).toBe(true);
    expect(bodyOf(verified).data.object).toMatchObject({ object: 'conversion', verification: 'verified', agent_id: agent.id });

    await expect.poll(() => ofType('/agent', 'order_create').length, { timeout: 30_000 }).toBe(2);
    const order = ofType('/agent', 'order_create')[1]!;
    const event = bodyOf(order);
    // The spec's WebhookEvent: { type, data } and nothing else; data a full Order with the webhook's required fields.
    expect(Object.keys(event).sort()).toEqual(['data', 'type']);
    expect(acpProblems('Order' as never, event.data)).toEqual([]);
    // Only the ACP session's: the recommendation checkout got checkout.completed, no order_create.
    expect(event.data).toMatchObject({ type: 'order', id: `ord_${acp.id}`, checkout_session_id: acp.id, status: 'confirmed' });
    expect(event.data.permalink_url).toMatch(/^https?:\/\//);
    expect(event.data.totals.find((t: { type: string }) => t.type === 'total').amount).toBe(acpTotal);
    await expect.poll(() => completedOf(acp.id).length, { timeout: 30_000 }).toBe(2);
    expect(String(order.headers['merchant-signature'])).toMatch(/^t=\d+,v1=[a-f0-9]{64}$/);
    expect(verify(order.body, String(order.headers['merchant-signature']), secret)).toBe(true);
    expect(order.headers['request-id']).toBe(order.headers['handoff-event-id']);

    // A declined card on another checkout: payment.failed.
    const declined = await agentCheckout('4000000000000002');
    await expect.poll(() => ofType('/agent', 'payment.failed').length, { timeout: 30_000 }).toBe(2);
    const failed = ofType('/agent', 'payment.failed')[1]!;
    expect(bodyOf(failed)).toMatchObject({ type: 'payment.failed', payment_intent_id: declined.paymentId });
    expect(verify(failed.body, String(failed.headers['handoff-signature']), secret)).toBe(true);

    // The merchant finalizes the ACP order (hand-off for fulfilment): order_update processing.
    await merchant.ok(Q.finalize, { id: acp.id });
    const updates = () => [...new Map(ofType('/agent', 'order_update').map((r) => [String(r.headers['handoff-event-id']), bodyOf(r)])).values()];
    await expect.poll(() => updates().length, { timeout: 30_000 }).toBe(1);
    expect(updates()[0].data).toMatchObject({ id: `ord_${acp.id}`, status: 'processing', adjustments: [] });
    expect(acpProblems('Order' as never, updates()[0].data)).toEqual([]);

    // Refunded over the merchant's REST refund: 500 of it, then the rest; each an order_update, once.
    const refund = async (body: Record<string, unknown>, key: string) => {
      const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/payment-intents/${intentId}/refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${merchant.key}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { refund_id: string; amount: number };
    };
    const partial = await refund({ amount: 500, reason: 'dented' }, 'refund-1');
    await expect.poll(() => updates().length, { timeout: 30_000 }).toBe(2);
    const afterPartial = updates()[1].data;
    expect(acpProblems('Order' as never, afterPartial)).toEqual([]);
    expect(afterPartial.status).toBe('confirmed');
    expect(afterPartial.adjustments).toEqual([
      { id: `adj_${partial.refund_id}`, type: 'refund', status: 'completed', amount: 500, currency: 'gbp', occurred_at: expect.any(String), description: 'Partial refund: dented', reason: 'partial_refund' },
    ]);
    expect(afterPartial.totals.find((t: { type: string }) => t.type === 'amount_refunded').amount).toBe(500);
    expect(afterPartial.totals.find((t: { type: string }) => t.type === 'total').amount).toBe(acpTotal);
    // The same refund again (its idempotency key) is no new fact: no order_update.
    expect((await refund({ amount: 500, reason: 'dented' }, 'refund-1')).refund_id).toBe(partial.refund_id);
    const remainder = await refund({}, 'refund-2');
    expect(remainder.amount).toBe(acpTotal - 500);
    await expect.poll(() => updates().length, { timeout: 30_000 }).toBe(3);
    const refunded = updates()[2].data;
    expect(acpProblems('Order' as never, refunded)).toEqual([]);
    expect(refunded.adjustments.map((a: { id: string; amount: number }) => [a.id, a.amount])).toEqual([[`adj_${partial.refund_id}`, 500], [`adj_${remainder.refund_id}`, acpTotal - 500]]);
    expect(refunded.totals.find((t: { type: string }) => t.type === 'amount_refunded').amount).toBe(acpTotal);
    // Nothing more comes for it (the refunds' redeliveries, the payment's other events).
    await new Promise((r) => setTimeout(r, 1500));
    expect(updates()).toHaveLength(3);

    // The log: each delivery succeeded on its second attempt; the rival's endpoint got nothing.
    const log = (await agent.gql.ok(Q.endpoint, { id: created.body.id })).agentWebhookEndpoint.deliveries.edges.map((e: any) => e.node);
    for (const type of ['conversion.verified', 'order_create', 'payment.failed']) {
      expect(log.filter((d: any) => d.event.type === type), type).toEqual([{ status: 'SUCCEEDED', attemptCount: 2, event: { type } }]);
    }
    expect(log.filter((d: any) => d.event.type === 'checkout.completed')).toEqual([1, 2].map(() => ({ status: 'SUCCEEDED', attemptCount: 2, event: { type: 'checkout.completed' } })));

    // A test event to its endpoint, and a replay of its order_create delivery (same event id); the rival may do neither.
    const test = await fetch(`${handoff.gatewayUrl}/v1/agent/webhooks/test`, {
      method: 'POST', headers: { authorization: `Bearer ${agent.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ endpoint_id: created.body.id }),
    });
    expect(test.status).toBe(202);
    const sent = ((await test.json()) as any).data;
    expect(sent).toEqual([{ id: expect.stringMatching(/^evt_/), type: 'webhook_endpoint.test', endpoint_id: created.body.id }]);
    await expect.poll(() => ofType('/agent', 'webhook_endpoint.test').length, { timeout: 30_000 }).toBe(2);
    const testEvent = ofType('/agent', 'webhook_endpoint.test')[1]!;
    expect(bodyOf(testEvent)).toMatchObject({ id: sent[0].id, type: 'webhook_endpoint.test', data: { object: { id: created.body.id, agent_id: agent.id } } });
    expect(verify(testEvent.body, String(testEvent.headers['handoff-signature']), secret)).toBe(true);
    expect(JSON.stringify(bodyOf(testEvent))).not.toContain(secret);
    expect((await rest('POST', '/test', rival.key, { endpoint_id: created.body.id })).status).toBe(404);

    const nodes = (await agent.gql.ok(Q.deliveryIds, { id: created.body.id })).agentWebhookEndpoint.deliveries.edges.map((e: any) => e.node);
    const orderDelivery = nodes.find((d: any) => d.event.type === 'order_create');
    expect((await rest('POST', `/deliveries/${orderDelivery.id}/replay`, rival.key)).status).toBe(404);
    const replayed = await rest('POST', `/deliveries/${orderDelivery.id}/replay`, agent.key);
    expect(replayed.status).toBe(202);
    expect(replayed.body).toMatchObject({ id: orderDelivery.id, object: 'webhook_delivery', endpoint_id: created.body.id, event_id: orderDelivery.event.id, status: 'pending' });
    await expect.poll(() => ofType('/agent', 'order_create').length, { timeout: 30_000 }).toBe(3);
    expect(ofType('/agent', 'order_create')[2]!.headers['handoff-event-id']).toBe(order.headers['handoff-event-id']);
    expect(receiver.on('/rival')).toHaveLength(0);
    // Tenancy: the rival and the merchant do not see the endpoint.
    expect((await rival.gql.ok(Q.endpoint, { id: created.body.id })).agentWebhookEndpoint).toBeNull();
    expect((await merchant.ok(Q.merchantEndpoint, { id: created.body.id })).webhookEndpoint).toBeNull();
    expect(await rival.gql.errorCode(Q.update, { id: created.body.id })).toBe('NOT_FOUND');
    expect((await rest('DELETE', `/${created.body.id}`, rival.key)).status).toBe(404);
    const deleted = await rest('DELETE', `/${created.body.id}`, agent.key);
    expect(deleted.body).toEqual({ id: created.body.id, object: 'webhook_endpoint', deleted: true });
  });
});
