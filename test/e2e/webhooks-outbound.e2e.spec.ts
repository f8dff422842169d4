// Outbound webhooks through the gateway (issue 19 item 1), to local receivers on 127.0.0.1
// (WEBHOOK_ALLOW_PRIVATE_URLS=true, as in test; the refusal without it: the merchant subgraph's
// webhooks.int.spec.ts and the validation spec). REST and GraphQL: the secret shown once; a test
// event signed and verified with the `stripe` SDK and plain HMAC; 500, 500, 200 → delivered on the
// 3rd attempt, each logged; a redirect fails and is not followed; a rotated secret: both
// signatures for 24 h; a disabled endpoint gets nothing; replays keep the event id; another
// merchant sees, replays and deletes nothing; bad input; a real checkout's events (checkout.created,
// .updated, .canceled) arrive. On a database of its own: other stacks' relays must not deliver
// this file's events.
import { createHmac, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE = `mutation($input: CreateWebhookEndpointInput!, $key: String) { createWebhookEndpoint(input: $input, idempotencyKey: $key) { secret endpoint { id url events enabled } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { id enabled disabledReason } }`;
const ROTATE = `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret endpoint { id previousSecretExpiresAt } } }`;
const DELETE = `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id deleted } }`;
const SEND_TEST = `mutation($id: ID) { sendTestWebhook(endpointId: $id) { eventId endpointId } }`;
const REPLAY = `mutation($id: ID!) { replayWebhookDelivery(deliveryId: $id) { id status eventId } }`;
const REPLAY_SINCE = `mutation($id: ID!, $since: DateTime!, $all: Boolean) { replayWebhookEvents(endpointId: $id, since: $since, includeSucceeded: $all) { deliveries nextSince } }`;
const ENDPOINT = `query($id: ID!, $status: WebhookDeliveryStatus) { webhookEndpoint(id: $id) { id enabled
  deliveries(first: 50, status: $status) { totalCount edges { node { id status attemptCount eventId lastError
    event { id type body } attempts { succeeded statusCode error latencyMs responseExcerpt } } } } } }`;
const LIST = `query { webhookEndpoints { id url } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id } }`;
const SET_CUSTOMER = `mutation($id: ID!, $c: CheckoutCustomerInput!) { setCheckoutCustomer(id: $id, customer: $c) { version } }`;
const CANCEL_SESSION = `mutation($id: ID!) { cancelCheckoutSession(id: $id) { status } }`;

const stripe = new Stripe('sk_test_unused_for_constructEvent');

let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
let handoff: RunningHandoff;
let admin: GqlClient;
let receiver: WebhookReceiver;
const shop = { id: '', key: '', gql: undefined as unknown as GqlClient };
const rival = { id: '', key: '', gql: undefined as unknown as GqlClient };

async function newMerchant(name: string) {
  const id = (await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
}

async function rest(method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/webhooks${path}`, {
    method,
    headers: { authorization: `Bearer ${opts.key ?? shop.key}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** An endpoint of the shop on its own receiver path. */
async function endpoint(path: string, events: string[] = ['*'], who = shop) {
  const r = (await who.gql.ok(CREATE, { input: { url: `${receiver.origin}${path}`, events } })).createWebhookEndpoint;
  return { id: r.endpoint.id as string, secret: r.secret as string };
}

const log = async (id: string, who = shop) => (await who.gql.ok(ENDPOINT, { id })).webhookEndpoint;

/** The docs' ten lines of Node (docs/api.md, "Verifying the signature"). */
function verifyHandoff(rawBody: string, header: string, secret: string, tolerance = 300): boolean {
  const parts = String(header).split(',').map((p) => p.split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  const ok = parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v!) && timingSafeEqual(Buffer.from(v!, 'hex'), expected));
  return ok && Math.abs(Date.now() / 1000 - t) <= tolerance;
}

const signatureOf = (r: ReceivedWebhook) => String(r.headers['handoff-signature']);

beforeAll(async () => {
  scratch = await migratedDatabase('webhooks_e2e');
  receiver = await startWebhookReceiver();
  handoff = await startTestHandoff({
    databaseUrl: scratch.url,
    extraEnv: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_BASE_MS: '100', OUTBOX_SWEEP_AFTER_MS: '2000' },
  });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  Object.assign(shop, await newMerchant('Hooked Ltd'));
  Object.assign(rival, await newMerchant('Rival Ltd'));
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
  await receiver?.close();
  await scratch?.drop();
});

describe('endpoints and a test event', () => {
  it('REST: created with its secret once (an Idempotency-Key retry answers the same); a test event arrives signed, verified by the stripe SDK and plain HMAC', async () => {
    const body = { url: `${receiver.origin}/rest`, events: ['checkout.completed', 'payment.succeeded'], description: 'Main' };
    const created = await rest('POST', '', { body, headers: { 'idempotency-key': 'create-rest-1' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^we_/), url: body.url, events: body.events, enabled: true, secret: expect.stringMatching(/^whsec_/) });
    const again = await rest('POST', '', { body, headers: { 'idempotency-key': 'create-rest-1' } });
    expect(again.body).toEqual(created.body);
    const listed = await rest('GET', '');
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(listed.body.data.filter((e: { id: string }) => e.id === created.body.id)).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(JSON.stringify(await shop.gql.ok(LIST))).not.toContain('whsec_');

    const sent = await rest('POST', '/test', { body: { endpoint_id: created.body.id }, headers: { 'idempotency-key': 'test-rest-1' } });
    expect(sent.status).toBe(202);
    const [event] = sent.body.data;
    expect(event).toMatchObject({ id: expect.stringMatching(/^evt_[0-9a-f]{24}$/), type: 'webhook_endpoint.test', endpoint_id: created.body.id });
    await expect.poll(() => receiver.on('/rest').length, { timeout: 20_000 }).toBe(1);
    const [got] = receiver.on('/rest');
    expect(got!.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Handoff-Webhooks/1', 'handoff-event-id': event.id });
    expect(got!.headers['handoff-delivery-id']).toMatch(/^wd_/);
    const verified = stripe.webhooks.constructEvent(got!.body, signatureOf(got!), created.body.secret);
    expect(verified).toMatchObject({ id: event.id, object: 'event', type: 'webhook_endpoint.test', livemode: false, data: { object: { id: created.body.id, object: 'webhook_endpoint' } } });
    expect(verifyHandoff(got!.body, signatureOf(got!), created.body.secret)).toBe(true);
    expect(verifyHandoff(got!.body, signatureOf(got!), `${created.body.secret}x`)).toBe(false);
    expect(() => stripe.webhooks.constructEvent(got!.body.replace('"type"', '"type" '), signatureOf(got!), created.body.secret)).toThrow();

    const deleted = await rest('DELETE', `/${created.body.id}`);
    expect(deleted).toEqual({ status: 200, body: { id: created.body.id, object: 'webhook_endpoint', deleted: true } });
    expect((await rest('GET', '')).body.data.map((e: { id: string }) => e.id)).not.toContain(created.body.id);
  });

  it('refuses bad input with its code and field, writing nothing', async () => {
    const before = (await rest('GET', '')).body.data.length;
    const unknown = await rest('POST', '', { body: { url: `${receiver.origin}/x`, events: ['payment.succeeded', 'payment.teleported'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events[1]' });
    expect(unknown.body.error).toContain('payment.teleported');
    const gql = await shop.gql.request(CREATE, { input: { url: `${receiver.origin}/x`, events: ['nope'] } });
    expect(gql.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.events[0]' });
    for (const [bad, field] of [
      [{ events: ['*'] }, 'url'],
      [{ url: 'ftp://x.example/h', events: ['*'] }, 'url'],
      [{ url: `${receiver.origin}/x`, events: [] }, 'events'],
      [{ url: `${receiver.origin}/x`, events: ['*'], secret: 'short' }, 'secret'],
      [{ url: `${receiver.origin}/x`, events: ['*'], colour: 'red' }, 'colour'],
    ] as const) {
      const r = await rest('POST', '', { body: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body, JSON.stringify(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await rest('GET', '')).body.data.length).toBe(before);
    const own = await rest('POST', '', { body: { url: `${receiver.origin}/own`, events: ['*'], secret: 'my-own-secret-of-at-least-32-chars!' } });
    expect(own.body.secret).toBe('my-own-secret-of-at-least-32-chars!');
    expect((await rest('POST', '/test', { body: { endpoint_id: 'we_nope' } })).body.code).toBe('NOT_FOUND');
    await rest('DELETE', `/${own.body.id}`);
  });

  it('answers every malformed body in its own words (400 BAD_USER_INPUT naming the field), never GraphQL\'s or a 500', async () => {
    const valid = { url: `${receiver.origin}/sweep`, events: ['*'], secret: 's'.repeat(40), description: 'd', enabled: true, merchant_id: shop.id };
    const wrong: Array<[string, unknown]> = [
      ['number', 12345],
      ['boolean', true],
      ['object', { price_data: { currency: 'gbp' } }],
      ['nested array', [[1, [2]]]],
      ['huge string', 'x'.repeat(20_000)],
      ['NUL', 'a\u0000b'],
    ];
    const cases: Array<{ path: string; body: string; field: string }> = [];
    for (const [path, base] of [['', valid], ['/test', { endpoint_id: 'we_x', merchant_id: shop.id }]] as const) {
      for (const field of Object.keys(base)) {
        for (const [, value] of wrong) {
          if (field === 'enabled' && value === true) continue;
          if (field === 'events' && Array.isArray(value)) continue; // a list of lists: its item is named below
          cases.push({ path, field, body: JSON.stringify({ ...base, [field]: value }) });
        }
      }
      cases.push({ path, field: 'price_data', body: JSON.stringify({ ...base, price_data: {} }) });
      for (const body of ['[]', '"text"', '12', 'null', '{"url": NaN}']) cases.push({ path, field: 'body', body });
    }
    cases.push({ path: '', field: 'events[0]', body: JSON.stringify({ ...valid, events: [[1]] }) });
    cases.push({ path: '', field: 'url', body: JSON.stringify({ ...valid, url: 'https://user:pw@example.com/h' }) });
    const before = (await rest('GET', '')).body.data.length;
    for (const c of cases) {
      const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/webhooks${c.path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shop.key}`, 'content-type': 'application/json' },
        body: c.body,
      });
      const body = (await res.json()) as { error: string; code: string; field?: string };
      const what = `${c.path || '/'} ${c.body.slice(0, 80)}`;
      expect(res.status, what).toBe(400);
      expect(body.code, what).toBe('BAD_USER_INPUT');
      if (c.field !== 'body') expect(body.field, what).toBe(c.field);
      expect(body.error, what).not.toMatch(/Variable "\$|GraphQL|\$input|got invalid value/);
    }
    expect((await rest('GET', '')).body.data.length).toBe(before);
  });

  it('at most 16 endpoints per merchant: the 17th is 409 WEBHOOK_ENDPOINT_LIMIT_REACHED', async () => {
    const crowd = await newMerchant('Crowded Ltd');
    for (let i = 0; i < 16; i++) await endpoint(`/crowd${i}`, ['*'], crowd);
    const over = await rest('POST', '', { key: crowd.key, body: { url: `${receiver.origin}/crowd16`, events: ['*'] } });
    expect(over).toMatchObject({ status: 409, body: { code: 'WEBHOOK_ENDPOINT_LIMIT_REACHED' } });
  });
});

describe('delivery', () => {
  it('500, 500, then 200: delivered on the 3rd attempt, the same event and delivery id each time, 3 attempts logged', async () => {
    receiver.route('/flaky', (_req, nth) => (nth <= 2 ? { status: 500, body: `down ${nth}` } : { status: 200, body: 'thanks' }));
    const e = await endpoint('/flaky');
    const [sent] = (await shop.gql.ok(SEND_TEST, { id: e.id })).sendTestWebhook;
    await expect.poll(async () => (await log(e.id)).deliveries.edges[0]?.node.status, { timeout: 30_000 }).toBe('SUCCEEDED');
    const [delivery] = (await log(e.id)).deliveries.edges.map((x: any) => x.node);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attemptCount: 3, eventId: sent.eventId, event: { id: sent.eventId, type: 'webhook_endpoint.test' } });
    expect(delivery.attempts.map((a: any) => [a.succeeded, a.statusCode, a.responseExcerpt])).toEqual([
      [false, 500, 'down 1'],
      [false, 500, 'down 2'],
      [true, 200, 'thanks'],
    ]);
    const got = receiver.on('/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((r) => r.headers['handoff-event-id']))).toEqual(new Set([sent.eventId]));
    expect(new Set(got.map((r) => r.headers['handoff-delivery-id']))).toEqual(new Set([delivery.id]));
    expect(new Set(got.map((r) => r.body))).toEqual(new Set([delivery.event.body]));
  });

  it('a redirect fails the attempt and is not followed', async () => {
    receiver.route('/moved', () => ({ status: 302, headers: { location: `${receiver.origin}/moved-here` } }));
    const e = await endpoint('/moved');
    await shop.gql.ok(SEND_TEST, { id: e.id });
    await expect.poll(async () => (await log(e.id)).deliveries.edges[0]?.node.attempts.length ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await shop.gql.ok(UPDATE, { id: e.id, input: { enabled: false } });
    const [delivery] = (await log(e.id)).deliveries.edges.map((x: any) => x.node);
    expect(delivery.status).not.toBe('SUCCEEDED');
    for (const a of delivery.attempts) expect(a).toMatchObject({ succeeded: false, statusCode: 302, error: 'redirect_not_followed' });
    expect(receiver.on('/moved-here')).toEqual([]);
  });

  it('after a rotation both secrets sign for 24 h, each verifying with its own secret', async () => {
    const e = await endpoint('/rotated');
    const rotated = (await shop.gql.ok(ROTATE, { id: e.id })).rotateWebhookEndpointSecret;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(e.secret);
    const overlapEnds = Date.parse(rotated.endpoint.previousSecretExpiresAt);
    expect(overlapEnds - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(overlapEnds - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    await shop.gql.ok(SEND_TEST, { id: e.id });
    await expect.poll(() => receiver.on('/rotated').length, { timeout: 20_000 }).toBe(1);
    const [got] = receiver.on('/rotated');
    const header = signatureOf(got!);
    const [t, v1New, v1Old, ...rest] = header.split(',');
    expect(rest).toEqual([]);
    const ts = Number(t!.slice(2));
    expect(v1New).toBe(`v1=${createHmac('sha256', rotated.secret).update(`${ts}.${got!.body}`).digest('hex')}`);
    expect(v1Old).toBe(`v1=${createHmac('sha256', e.secret).update(`${ts}.${got!.body}`).digest('hex')}`);
    for (const secret of [rotated.secret, e.secret]) {
      expect(stripe.webhooks.constructEvent(got!.body, header, secret).id).toBe(got!.headers['handoff-event-id']);
      expect(verifyHandoff(got!.body, header, secret)).toBe(true);
    }
  });

  it('a replay sends the same event id again; so does a replay of everything since a time', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const e = await endpoint('/replayed');
    const [sent] = (await shop.gql.ok(SEND_TEST, { id: e.id })).sendTestWebhook;
    await expect.poll(async () => (await log(e.id)).deliveries.edges[0]?.node.status, { timeout: 20_000 }).toBe('SUCCEEDED');
    const deliveryId = (await log(e.id)).deliveries.edges[0].node.id;
    expect((await shop.gql.ok(REPLAY, { id: deliveryId })).replayWebhookDelivery).toMatchObject({ id: deliveryId, status: 'PENDING', eventId: sent.eventId });
    await expect.poll(() => receiver.on('/replayed').length, { timeout: 20_000 }).toBe(2);
    expect((await shop.gql.ok(REPLAY_SINCE, { id: e.id, since, all: true })).replayWebhookEvents).toEqual({ deliveries: 1, nextSince: null });
    await expect.poll(() => receiver.on('/replayed').length, { timeout: 20_000 }).toBe(3);
    expect(receiver.on('/replayed').map((r) => [r.headers['handoff-event-id'], JSON.parse(r.body).id])).toEqual(Array(3).fill([sent.eventId, sent.eventId]));
    await expect.poll(async () => (await log(e.id)).deliveries.edges[0].node.attemptCount, { timeout: 20_000 }).toBe(3);
  });
});

describe('tenancy, disabled endpoints, a real checkout', () => {
  it("another merchant cannot see, test, rotate, replay or delete the shop's endpoint", async () => {
    const e = await endpoint('/private');
    await shop.gql.ok(SEND_TEST, { id: e.id });
    await expect.poll(async () => (await log(e.id)).deliveries.edges[0]?.node.status, { timeout: 20_000 }).toBe('SUCCEEDED');
    const deliveryId = (await log(e.id)).deliveries.edges[0].node.id;
    expect((await rival.gql.ok(ENDPOINT, { id: e.id })).webhookEndpoint).toBeNull();
    expect((await rival.gql.ok(LIST)).webhookEndpoints).toEqual([]);
    expect(await rival.gql.errorCode(SEND_TEST, { id: e.id })).toBe('NOT_FOUND');
    expect(await rival.gql.errorCode(ROTATE, { id: e.id })).toBe('NOT_FOUND');
    expect(await rival.gql.errorCode(UPDATE, { id: e.id, input: { enabled: false } })).toBe('NOT_FOUND');
    expect(await rival.gql.errorCode(REPLAY, { id: deliveryId })).toBe('NOT_FOUND');
    expect(await rival.gql.errorCode(REPLAY_SINCE, { id: e.id, since: new Date(0).toISOString() })).toBe('NOT_FOUND');
    expect(await rival.gql.errorCode(DELETE, { id: e.id })).toBe('NOT_FOUND');
    expect(await rest('DELETE', `/${e.id}`, { key: rival.key })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect((await log(e.id)).enabled).toBe(true);
    expect(receiver.on('/private')).toHaveLength(1);
  });

  it("a real checkout's events reach the endpoints that subscribe; a disabled endpoint gets nothing", async () => {
    const listening = await endpoint('/checkout', ['checkout.created', 'checkout.updated', 'checkout.canceled']);
    const off = await endpoint('/checkout-off', ['*']);
    await shop.gql.ok(UPDATE, { id: off.id, input: { enabled: false } });
    expect(await shop.gql.errorCode(SEND_TEST, { id: off.id })).toBe('INVALID_STATE_TRANSITION');
    const session = (await shop.gql.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Kettle', unitAmount: { amountMinor: 3000, currency: 'GBP' }, quantity: 1 }] } })).createCheckoutSession;
    await shop.gql.ok(SET_CUSTOMER, { id: session.id, c: { email: 'ada@example.com' } });
    await shop.gql.ok(CANCEL_SESSION, { id: session.id });
    await expect
      .poll(() => receiver.on('/checkout').map((r) => JSON.parse(r.body).type), { timeout: 30_000 })
      .toEqual(expect.arrayContaining(['checkout.created', 'checkout.updated', 'checkout.canceled']));
    for (const r of receiver.on('/checkout')) {
      const event = stripe.webhooks.constructEvent(r.body, signatureOf(r), listening.secret) as unknown as { checkout_id: string; data: { object: { checkout_id: string } } };
      expect(event.checkout_id).toBe(session.id);
      expect(event.data.object.checkout_id).toBe(session.id);
    }
    const bodies = receiver.on('/checkout').map((r) => JSON.parse(r.body));
    const created = bodies.find((b) => b.type === 'checkout.created');
    expect(created.data.object).toMatchObject({ checkout_id: session.id, object: 'checkout', status: 'open' });
    expect(created.data.previous_attributes).toBeUndefined();
    expect(bodies.find((b) => b.type === 'checkout.updated').data.previous_attributes).toBeDefined();
    expect(new Set(bodies.map((b) => b.id)).size).toBe(bodies.length);
    // The events were fanned out while it was disabled: it has no delivery at all.
    expect((await log(off.id)).deliveries.totalCount).toBe(0);
    expect(receiver.on('/checkout-off')).toEqual([]);
  });
});
