// Seed 003 §8 and §12 through the gateway (issue 20 items 4-5): a paid checkout finalized into one
// order and receipt whatever 20 concurrent sync and async calls do, handed to the merchant as
// order.created (signed webhook); an unpaid, canceled or expired session refused with a stable code
// and nothing written; the rollback refunding the payment with each step in the timeline; hosted
// links and embed tokens scoped to one session (read and pay only, refused for another session or
// for anything else), and the hosted link's status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const SET_STOCK = `mutation($o: ID!, $q: Int!) { setStock(offerId: $o, quantity: $q) { onHand } }`;
const LEVELS = `query($o: ID!) { stockLevels(offerId: $o) { locationId onHand reserved available } }`;
const STATUS = `query($id: ID!) { checkoutSession(id: $id) { status order { id receiptId status } timeline(first: 100) { edges { node { kind } } } } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { status amountRefunded { amountMinor } } }`;
const TIMELINE_ACTORS = `query($id: ID!) { checkoutSession(id: $id) { timeline(first: 100) { edges { node { kind actor { kind id } } } } } }`;
const SESSION_AS_CLIENT = `query($id: ID!) { checkoutSession(id: $id) { id status totals { total { amountMinor } } } }`;
const MERCHANT_AS_CLIENT = `query($id: ID!) { checkoutSession(id: $id) { id metadata } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let receiver: WebhookReceiver;

interface Shop {
  id: string;
  key: string;
  gql: GqlClient;
}

async function newShop(name: string): Promise<Shop> {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
}

async function rest(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const open = (shop: Shop, amountMinor = 2500) =>
  shop.gql.ok(CREATE, { input: { lineItems: [{ name: 'Teapot', unitAmount: { amountMinor, currency: 'GBP' }, quantity: 2 }] } }).then((d) => d.createCheckoutSession as { id: string; paymentIntentId: string });

async function paid(shop: Shop): Promise<{ id: string; paymentIntentId: string }> {
  const s = await open(shop);
  expect((await shop.gql.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  await expect.poll(async () => (await shop.gql.ok(STATUS, { id: s.id })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
  return s;
}

const kinds = async (shop: Shop, id: string) => ((await shop.gql.ok(STATUS, { id })).checkoutSession.timeline.edges as Array<{ node: { kind: string } }>).map((e) => e.node.kind);

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  receiver = await startWebhookReceiver();
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await handoff?.stop();
});

describe('finalization and order handoff', () => {
  let shop: Shop;
  let rival: Shop;
  beforeAll(async () => {
    shop = await newShop('Finalizing Teas Ltd');
    rival = await newShop('Rival Teas Ltd');
    await shop.gql.ok(CREATE_ENDPOINT, { input: { url: `${receiver.origin}/orders`, events: ['order.created', 'order.rolled_back'] } });
  });

  it('20 concurrent finalizations (sync and async) make one order, handed to the merchant once', async () => {
    const s = await paid(shop);
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? rest('POST', `/v1/checkout/sessions/${s.id}/finalize`, shop.key, { create_order: true }) : rest('POST', `/v1/checkout/sessions/${s.id}/finalize/async`, shop.key, {}),
    );
    const answers = await Promise.all(calls);
    const sync = answers.filter((_, i) => i % 2 === 0);
    const queued = answers.filter((_, i) => i % 2 === 1);
    for (const a of sync) expect(a.status, JSON.stringify(a.body)).toBe(200);
    for (const a of queued) expect(a.status, JSON.stringify(a.body)).toBe(202);
    const orderIds = new Set(sync.map((a) => a.body.order_id));
    expect(orderIds.size).toBe(1);
    const [first] = sync;
    expect(first!.body).toMatchObject({ status: 'completed', checkout_id: s.id, receipt_id: expect.stringMatching(/^rcpt_/) });
    expect(first!.body.order).toMatchObject({ status: 'completed', payment_status: 'captured', totals: { currency: 'GBP', grand_total: 5000 }, lines: [{ name: 'Teapot', quantity: 2, total: 5000 }] });
    const orderId = first!.body.order_id as string;
    for (const q of queued) {
      await expect.poll(async () => (await rest('GET', `/v1/checkout/finalizations/${q.body.job_id}`, shop.key)).body.status, { timeout: 30_000 }).toBe('succeeded');
      const job = (await rest('GET', `/v1/checkout/finalizations/${q.body.job_id}`, shop.key)).body;
      expect(job).toMatchObject({ order_id: orderId, receipt_id: first!.body.receipt_id, kind: 'finalize' });
      // Another merchant's job is not found.
      expect((await rest('GET', `/v1/checkout/finalizations/${q.body.job_id}`, rival.key)).body.code).toBe('FINALIZATION_NOT_FOUND');
    }
    await expect.poll(() => receiver.on('/orders').filter((r) => JSON.parse(r.body).type === 'order.created' && JSON.parse(r.body).checkout_id === s.id).length, { timeout: 20_000 }).toBe(1);
    const delivered = receiver.on('/orders').find((r) => JSON.parse(r.body).checkout_id === s.id)!;
    expect(delivered.headers['handoff-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
    expect(JSON.parse(delivered.body).data.object).toMatchObject({ order_id: orderId, receipt_id: first!.body.receipt_id });
    expect((await kinds(shop, s.id)).filter((k) => k === 'order.created')).toHaveLength(1);
    // Another merchant cannot finalize it, or see it.
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/finalize`, rival.key, {})).status).toBe(404);
  });

  it("the buyer's payment completes the session before pay answers: finalize right after finds it COMPLETE, the payment's event changes nothing", async () => {
    const s = await open(shop);
    const t = await rest('POST', `/v1/checkout/sessions/${s.id}/embed-token`, shop.key, {});
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    const pay = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ testCard: '4242424242424242' }),
    });
    expect(pay.status, await pay.clone().text()).toBe(200);
    // No wait: payment-intent told checkout-session before it answered (the event comes later, from a worker).
    const completedBy = async () =>
      ((await shop.gql.ok(TIMELINE_ACTORS, { id: s.id })).checkoutSession.timeline.edges as Array<{ node: { kind: string; actor: { kind: string; id: string } | null } }>)
        .filter((e) => e.node.kind === 'checkout.completed')
        .map((e) => e.node.actor);
    expect((await shop.gql.ok(STATUS, { id: s.id })).checkoutSession.status).toBe('COMPLETE');
    expect(await completedBy()).toEqual([{ kind: 'SERVICE', id: 'payment-intent' }]);
    const done = await rest('POST', `/v1/checkout/sessions/${s.id}/finalize`, shop.key, { create_order: true });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.order).toMatchObject({ status: 'completed', payment_status: 'captured', totals: { grand_total: 5000 } });
    // The payment's own entries arrive through payment-intent's outbox (the same relay as its succeeded event); the session completed once.
    await expect.poll(async () => (await kinds(shop, s.id)).includes('payment.succeeded'), { timeout: 20_000 }).toBe(true);
    expect(await completedBy()).toEqual([{ kind: 'SERVICE', id: 'payment-intent' }]);
    expect((await kinds(shop, s.id)).filter((k) => k === 'order.created')).toHaveLength(1);
  });

  it('finalizing converts the reservation: the held units leave the stock once, whatever 5 concurrent calls do', async () => {
    const offerId = (await shop.gql.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Kettle', price: { amountMinor: 2500, currency: 'GBP' } } })).createOffer.id as string;
    await shop.gql.ok(SET_STOCK, { o: offerId, q: 5 });
    const s = (await shop.gql.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: { amountMinor: 2500, currency: 'GBP' }, quantity: 2, offerId }] } })).createCheckoutSession as { id: string; paymentIntentId: string };
    const reserved = await rest('POST', `/v1/checkout/sessions/${s.id}/reserve`, shop.key, { expires_in_seconds: 600 });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(200);
    expect((await shop.gql.ok(LEVELS, { o: offerId })).stockLevels).toEqual([{ locationId: null, onHand: 5, reserved: 2, available: 3 }]);
    expect((await shop.gql.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await shop.gql.ok(STATUS, { id: s.id })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
    const answers = await Promise.all(Array.from({ length: 5 }, () => rest('POST', `/v1/checkout/sessions/${s.id}/finalize`, shop.key, { create_order: true })));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(new Set(answers.map((a) => a.body.order_id)).size).toBe(1);
    expect((await shop.gql.ok(LEVELS, { o: offerId })).stockLevels).toEqual([{ locationId: null, onHand: 3, reserved: 0, available: 3 }]);
    const reservation = await rest('GET', `/v1/checkout/reservations/${reserved.body.reservation_id}`, shop.key);
    expect(reservation.body.status).toBe('converted');
    expect((await kinds(shop, s.id)).filter((k) => k === 'inventory.converted')).toHaveLength(1);
  });

  it('refuses an unpaid, canceled or expired session with a stable code and writes nothing', async () => {
    const unpaid = await open(shop);
    const r1 = await rest('POST', `/v1/checkout/sessions/${unpaid.id}/finalize`, shop.key, {});
    expect([r1.status, r1.body.code]).toEqual([422, 'CHECKOUT_NOT_PAID']);
    const r1a = await rest('POST', `/v1/checkout/sessions/${unpaid.id}/finalize/async`, shop.key, {});
    expect([r1a.status, r1a.body.code]).toEqual([422, 'CHECKOUT_NOT_PAID']);
    const canceled = await open(shop);
    expect((await rest('DELETE', `/v1/checkout/sessions/${canceled.id}`, shop.key)).status).toBe(200);
    const r2 = await rest('POST', `/v1/checkout/sessions/${canceled.id}/finalize`, shop.key, {});
    expect([r2.status, r2.body.code]).toEqual([409, 'INVALID_STATE_TRANSITION']);
    const expired = await open(shop);
    await shop.gql.ok(`mutation($id: ID!) { expireCheckoutSession(id: $id) { status } }`, { id: expired.id });
    const r3 = await rest('POST', `/v1/checkout/sessions/${expired.id}/finalize`, shop.key, {});
    expect([r3.status, r3.body.code]).toEqual([410, 'CHECKOUT_SESSION_EXPIRED']);
    const r4 = await rest('POST', `/v1/checkout/sessions/${unpaid.id}/finalize`, shop.key, { create_order: 'yes' });
    expect([r4.status, r4.body.code, r4.body.field]).toEqual([400, 'BAD_USER_INPUT', 'create_order']);
    for (const id of [unpaid.id, canceled.id, expired.id]) {
      expect((await shop.gql.ok(STATUS, { id })).checkoutSession.order).toBeNull();
      expect((await kinds(shop, id)).some((k) => k.startsWith('order.'))).toBe(false);
    }
    const r5 = await rest('POST', `/v1/checkout/sessions/${unpaid.id}/finalize/rollback`, shop.key, {});
    expect([r5.status, r5.body.code]).toEqual([409, 'INVALID_STATE_TRANSITION']);
  });

  it('rollback refunds the payment, each step in the timeline, and the order cannot be finalized again', async () => {
    const s = await paid(shop);
    const done = await rest('POST', `/v1/checkout/sessions/${s.id}/finalize`, shop.key, {});
    expect(done.status).toBe(200);
    const [a, b] = await Promise.all([
      rest('POST', `/v1/checkout/sessions/${s.id}/finalize/rollback`, shop.key, { reason: 'out of stock' }),
      rest('POST', `/v1/checkout/sessions/${s.id}/finalize/rollback`, shop.key, { reason: 'out of stock' }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.job_id).toBe(b.body.job_id);
    await expect.poll(async () => (await rest('GET', `/v1/checkout/finalizations/${a.body.job_id}`, shop.key)).body.status, { timeout: 30_000 }).toBe('succeeded');
    const intent = (await shop.gql.ok(INTENT, { id: s.paymentIntentId })).paymentIntent;
    expect(intent.amountRefunded.amountMinor).toBe(5000);
    expect((await shop.gql.ok(STATUS, { id: s.id })).checkoutSession.order).toMatchObject({ id: done.body.order_id, status: 'ROLLED_BACK' });
    expect(await kinds(shop, s.id)).toEqual(expect.arrayContaining(['order.created', 'order.rollback_started', 'order.payment_refunded', 'order.rolled_back']));
    const again = await rest('POST', `/v1/checkout/sessions/${s.id}/finalize`, shop.key, {});
    expect([again.status, again.body.code]).toEqual([409, 'INVALID_STATE_TRANSITION']);
    await expect.poll(() => receiver.on('/orders').filter((r) => JSON.parse(r.body).type === 'order.rolled_back' && JSON.parse(r.body).checkout_id === s.id).length, { timeout: 20_000 }).toBe(1);
  });
});

describe('hosted links and embed tokens', () => {
  let shop: Shop;
  let rival: Shop;
  beforeAll(async () => {
    shop = await newShop('Hosted Teas Ltd');
    rival = await newShop('Hosted Rival Ltd');
  });

  it('a hosted URL with a TTL opens the page; its status answers the redirect return; another merchant gets 404', async () => {
    const s = await open(shop);
    const h = await rest('POST', `/v1/checkout/sessions/${s.id}/hosted-url`, shop.key, { ttl_seconds: 600 });
    expect(h.status, JSON.stringify(h.body)).toBe(201);
    const ttl = Date.parse(h.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(500_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    const page = await fetch(h.body.url.replace(/^https?:\/\/[^/]+/, handoff.gatewayUrl));
    expect(page.status).toBe(200);
    const st = await rest('GET', `/v1/checkout/hosted/${h.body.hosted_id}/status`, shop.key);
    expect(st.body).toMatchObject({ hosted_id: h.body.hosted_id, checkout_id: s.id, status: 'open', link_expired: false, payment_intent_id: s.paymentIntentId });
    expect((await rest('GET', `/v1/checkout/hosted/${h.body.hosted_id}/status`, rival.key)).body.code).toBe('HOSTED_CHECKOUT_NOT_FOUND');
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/hosted-url`, rival.key, {})).status).toBe(404);
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/hosted-url`, shop.key, { ttl_seconds: 5 })).body.field).toBe('ttl_seconds');
  });

  it('an embed token reads and pays its own session only; another session or anything else is refused', async () => {
    const s = await open(shop);
    const other = await open(shop);
    const t = await rest('POST', `/v1/checkout/sessions/${s.id}/embed-token`, shop.key, {});
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    expect(t.body.scopes).toEqual(['read', 'pay']);
    expect(Date.parse(t.body.expires_at) - Date.now()).toBeLessThanOrEqual(900_000);
    const asEmbed = new GqlClient(handoff.graphqlUrl, t.body.token);
    expect((await asEmbed.ok(SESSION_AS_CLIENT, { id: s.id })).checkoutSession).toMatchObject({ id: s.id, status: 'OPEN', totals: { total: { amountMinor: 5000 } } });
    // Another session: nothing; a field outside the hosted page's: refused; the merchant's routes: refused.
    expect((await asEmbed.ok(SESSION_AS_CLIENT, { id: other.id })).checkoutSession).toBeNull();
    expect(await asEmbed.errorCode(MERCHANT_AS_CLIENT, { id: s.id })).toBe('FORBIDDEN');
    expect((await rest('GET', `/v1/checkout/sessions/${s.id}`, t.body.token)).status).toBe(403);
    expect((await rest('POST', `/v1/checkout/sessions/${other.id}/finalize`, t.body.token, {})).status).toBe(403);
    const otherPay = await fetch(`${handoff.gatewayUrl}/api/checkout/${other.id}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ testCard: '4242424242424242' }),
    });
    expect(otherPay.status).toBe(404);
    // Paying its own session works.
    const pay = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ testCard: '4242424242424242' }),
    });
    expect(pay.status, await pay.clone().text()).toBe(200);
    // A forged or tampered token is not a key.
    expect((await new GqlClient(handoff.graphqlUrl, `${t.body.token.slice(0, -2)}xx`).request(SESSION_AS_CLIENT, { id: s.id })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
