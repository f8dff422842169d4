// The buyer's return from a redirect (GET /v1/checkout/redirect/return, seed 003 §7) and a
// standalone intent's client secret (seed 003 §6), through the gateway: the return reads the
// intent's state (never the query's `status`), verifies the client secret it carries and sends the
// buyer to the success URL, the hosted page or the cancel URL (or answers JSON); tampered, missing
// or mismatched parameters are 400 REDIRECT_RETURN_INVALID. A standalone intent's client_secret
// (pi_…_secret_…) reads and confirms that intent from a client, and nothing else.
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { webhookSecret } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;
const THREE_DS = `mutation($id: ID!) { completeThreeDSecure(id: $id, approved: true) { id status } }`;
const READ = `query($id: ID!) { paymentIntent(id: $id) { id status clientSecret } }`;
const CAPTURE = `mutation($id: ID!) { cancelPaymentIntent(id: $id) { id status } }`;
const RETURN = '/v1/checkout/redirect/return';

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: { id: string; key: string };

async function rest(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), body: (text.startsWith('{') ? JSON.parse(text) : text) as any };
}
const post = (path: string, body: unknown = {}) => rest('POST', path, shop.key, body);
const back = (query: Record<string, string>, headers: Record<string, string> = {}) => rest('GET', `${RETURN}?${new URLSearchParams(query)}`, null, undefined, headers);
const asJson = { accept: 'application/json' };

async function session(extra: Record<string, unknown> = {}) {
  const s = await post('/v1/checkout/sessions', {
    currency: 'GBP',
    line_items: [{ name: 'Plan', amount: 1500, quantity: 1 }],
    success_url: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://shop.example/cart',
    ...extra,
  });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const intent = await post(`/v1/checkout/sessions/${s.body.checkout_id}/payment-intents`, { amount: 1500, currency: 'GBP' });
  expect(intent.status, JSON.stringify(intent.body)).toBe(201);
  return { id: s.body.checkout_id as string, intentId: intent.body.payment_intent_id as string, secret: intent.body.client_secret as string };
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const id = (
    await admin.ok(CREATE_MERCHANT, { input: { name: 'Return Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } } })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  shop = { id, key };
}, 120_000);
afterAll(async () => handoff?.stop());

describe("a standalone intent's client secret", () => {
  it('is issued on create, reads and confirms that intent only, and answers its return as JSON', async () => {
    const created = await post('/v1/checkout/payment-intents', { amount: 700, currency: 'GBP' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.payment_intent_id as string;
    const secret = created.body.client_secret as string;
    expect(secret).toMatch(new RegExp(`^pi_${id}_secret_`));
    const another = (await post('/v1/checkout/payment-intents', { amount: 800, currency: 'GBP' })).body;
    const client = new GqlClient(handoff.graphqlUrl, secret);
    expect((await client.ok(READ, { id })).paymentIntent).toMatchObject({ id, status: 'REQUIRES_PAYMENT_METHOD', clientSecret: secret });
    // Another intent (even the same merchant's) is not this client's; nor is a merchant's command.
    expect((await client.ok(READ, { id: another.payment_intent_id })).paymentIntent).toBeNull();
    expect(await client.errorCode(CONFIRM, { id: another.payment_intent_id, card: '4242424242424242' })).toBe('PAYMENT_INTENT_NOT_FOUND');
    expect(await client.errorCode(CAPTURE, { id })).toBe('FORBIDDEN');
    // A tampered secret is no credential at all.
    const tampered = new GqlClient(handoff.graphqlUrl, `${secret.slice(0, -2)}xx`);
    expect(await tampered.errorCode(READ, { id })).toBe('UNAUTHENTICATED');
    expect((await client.ok(CONFIRM, { id, card: '4242424242424242' })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    const r = await back({ payment_intent: id, client_secret: secret, status: 'failed' });
    expect(r).toMatchObject({ status: 200, body: { payment_intent_id: id, status: 'succeeded', outcome: 'succeeded', checkout_id: null } });
    const mismatch = await back({ payment_intent: another.payment_intent_id, client_secret: secret });
    expect(mismatch).toMatchObject({ status: 400, body: { code: 'REDIRECT_RETURN_INVALID', field: 'payment_intent' } });
  }, 90_000);
});

describe('GET /v1/checkout/redirect/return', () => {
  it("follows the intent's state through 3-D Secure, never the query's status", async () => {
    const s = await session();
    const client = new GqlClient(handoff.graphqlUrl, s.secret);
    expect((await client.ok(CONFIRM, { id: s.intentId, card: '4000002760003184' })).confirmPaymentIntent.status).toBe('REQUIRES_ACTION');
    // Still in the challenge, whatever the query claims: back to the hosted page.
    const pending = await back({ checkout_id: s.id, client_secret: s.secret, status: 'succeeded' });
    expect(pending.status).toBe(303);
    expect(pending.location).toContain(`/checkout/${s.id}`);
    const pendingJson = await back({ checkout_id: s.id, cs: s.secret }, asJson);
    expect(pendingJson.body).toMatchObject({ checkout_id: s.id, payment_intent_id: s.intentId, status: 'requires_action', outcome: 'requires_action', session_status: 'open' });
    expect((await client.ok(THREE_DS, { id: s.intentId })).completeThreeDSecure.status).toBe('SUCCEEDED');
    const paid = await back({ checkout_id: s.id, payment_token: s.secret, payment_intent: s.intentId, status: 'failed' });
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(`https://shop.example/thanks?session=${s.id}`);
    const paidJson = await back({ checkout_id: s.id, client_secret: s.secret, format: 'json' });
    expect(paidJson.body).toMatchObject({ outcome: 'succeeded', redirect_url: `https://shop.example/thanks?session=${s.id}` });
  }, 90_000);

  it('sends the buyer of a canceled session to its cancel URL', async () => {
    const s = await session();
    expect((await rest('DELETE', `/v1/checkout/sessions/${s.id}`, shop.key)).status).toBe(200);
    const r = await back({ checkout_id: s.id, client_secret: s.secret });
    expect(r.status).toBe(303);
    expect(r.location).toBe('https://shop.example/cart');
  }, 90_000);

  it('refuses missing, tampered, repeated or mismatched parameters with a clear code, never a 500', async () => {
    const s = await session();
    const other = await session();
    const bad = async (query: Record<string, string> | string, field: string) => {
      const r = typeof query === 'string' ? await rest('GET', `${RETURN}?${query}`, null) : await back(query);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body).toMatchObject({ code: 'REDIRECT_RETURN_INVALID', field });
      expect(typeof r.body.error).toBe('string');
    };
    await bad({ checkout_id: s.id }, 'client_secret');
    await bad({ checkout_id: s.id, client_secret: `${s.secret.slice(0, -3)}abc` }, 'client_secret');
    await bad({ checkout_id: s.id, client_secret: 'x'.repeat(301) }, 'client_secret');
    await bad({ checkout_id: s.id, client_secret: other.secret }, 'checkout_id');
    await bad({ checkout_id: "cs'; drop table--", client_secret: s.secret }, 'checkout_id');
    await bad({ checkout_id: s.id, client_secret: s.secret, payment_intent: other.intentId }, 'payment_intent');
    await bad(`checkout_id=${s.id}&client_secret=${encodeURIComponent(s.secret)}&client_secret=x`, 'client_secret');
    // Nothing was changed by any of them.
    const still = await back({ checkout_id: s.id, client_secret: s.secret }, asJson);
    expect(still.body).toMatchObject({ status: 'requires_payment_method', session_status: 'open', outcome: 'requires_payment_method' });
  }, 90_000);
});
