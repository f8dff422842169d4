// Agent webhooks through the gateway (issue 21 items 3 and 7), to a local receiver on 127.0.0.1
// (WEBHOOK_ALLOW_PRIVATE_URLS=true, as in test): an agent registers an endpoint over REST (secret
// once), runs an agent checkout to payment and receives checkout.completed (verified as
// docs/acp.md tells a user to), conversion.verified, and the ACP order_create in the spec's shape
// (validated against the vendored schema, Merchant-Signature verified); a declined card is
// payment.failed; a receiver answering 500 then 200 gets the event again and acknowledges it
// once; another agent and the merchant see none of it. On a database of its own: other stacks'
// relays must not deliver this file's events.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acpProblems } from '../support/acp/validate.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { scratchDatabase } from '../support/scratch-database.js';
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
};

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
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
  scratch = await scratchDatabase('agent_webhooks_e2e');
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
  it('an agent checkout: checkout.completed, conversion.verified and the ACP order_create arrive signed; a declined card is payment.failed; 500 then 200 is retried', async () => {
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

    await expect.poll(() => ofType('/agent', 'checkout.completed').length, { timeout: 30_000 }).toBe(2);
    const [first, completed] = ofType('/agent', 'checkout.completed') as [ReceivedWebhook, ReceivedWebhook];
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
    expect(event.data).toMatchObject({ type: 'order', id: `ord_${paid.transactionId}`, checkout_session_id: paid.transactionId, status: 'confirmed' });
    expect(event.data.permalink_url).toMatch(/^https?:\/\//);
    expect(event.data.totals.find((t: { type: string }) => t.type === 'total').amount).toBe(1200);
    expect(String(order.headers['merchant-signature'])).toMatch(/^t=\d+,v1=[a-f0-9]{64}$/);
    expect(verify(order.body, String(order.headers['merchant-signature']), secret)).toBe(true);
    expect(order.headers['request-id']).toBe(order.headers['handoff-event-id']);

    // A declined card on another checkout: payment.failed.
    const declined = await agentCheckout('4000000000000002');
    await expect.poll(() => ofType('/agent', 'payment.failed').length, { timeout: 30_000 }).toBe(2);
    const failed = ofType('/agent', 'payment.failed')[1]!;
    expect(bodyOf(failed)).toMatchObject({ type: 'payment.failed', payment_intent_id: declined.paymentId });
    expect(verify(failed.body, String(failed.headers['handoff-signature']), secret)).toBe(true);

    // The log: each delivery succeeded on its second attempt; the rival's endpoint got nothing.
    const log = (await agent.gql.ok(Q.endpoint, { id: created.body.id })).agentWebhookEndpoint.deliveries.edges.map((e: any) => e.node);
    for (const type of ['checkout.completed', 'conversion.verified', 'order_create', 'payment.failed']) {
      expect(log.filter((d: any) => d.event.type === type), type).toEqual([{ status: 'SUCCEEDED', attemptCount: 2, event: { type } }]);
    }
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
