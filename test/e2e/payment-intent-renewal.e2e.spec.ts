// Paying a checkout session again after its payment intent was canceled (issue 20), through the
// gateway: the merchant's REST create (concurrent creates → one fresh intent, one live intent per
// session in the database), GraphQL renewCheckoutPaymentIntent (another merchant's session not
// found, a canceled session refused with nothing created), and the hosted page paying with a
// fresh intent after the merchant canceled its first; each paid session completes.
import { Client } from 'pg';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { webhookSecret } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const RENEW = `mutation($id: ID!) { renewCheckoutPaymentIntent(checkoutSessionId: $id) { id status checkoutSession { id } } }`;
const CANCEL = `mutation($id: ID!) { cancelPaymentIntent(id: $id) { id status } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status paymentIntent { id status } } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let db: Client;
let shop: { id: string; key: string };
let rival: { id: string; key: string };

async function newShop(name: string) {
  const id = (
    await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } } })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  return { id, key: (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string };
}

async function rest(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const post = (path: string, body: unknown = {}, key = shop.key) => rest('POST', path, key, body);

/** A session of 1500 pence with its intent (as the merchant creates it), and the intent canceled. */
async function sessionWithCanceledIntent() {
  const s = await post('/v1/checkout/sessions', { currency: 'GBP', line_items: [{ name: 'Plan', amount: 1500, quantity: 1 }] });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const first = await post(`/v1/checkout/sessions/${s.body.checkout_id}/payment-intents`, { amount: 1500, currency: 'GBP' });
  expect(first.status, JSON.stringify(first.body)).toBe(201);
  const canceled = await post(`/v1/checkout/payment-intents/${first.body.payment_intent_id}/cancel`);
  expect(canceled.body.status).toBe('canceled');
  return { id: s.body.checkout_id as string, canceledId: first.body.payment_intent_id as string, secret: first.body.client_secret as string };
}

async function liveIntents(sessionId: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT id FROM payment.payment_intents WHERE checkout_session_id = $1 AND status <> 'CANCELED'`, [sessionId]);
  return rows.map((r) => r.id as string);
}
async function allIntents(sessionId: string): Promise<number> {
  return (await db.query(`SELECT count(*)::int AS n FROM payment.payment_intents WHERE checkout_session_id = $1`, [sessionId])).rows[0].n;
}

/** Waits (on the condition, not a clock) for the session's status. */
async function sessionStatus(id: string, want: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await admin.ok(SESSION, { id })).checkoutSession.status === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await admin.ok(SESSION, { id })).checkoutSession.status).toBe(want);
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  db = new Client({ connectionString: handoff.env.DATABASE_URL });
  await db.connect();
  [shop, rival] = await Promise.all([newShop('Renewal Shop'), newShop('Rival Shop')]);
}, 120_000);
afterAll(async () => {
  await db?.end();
  await handoff?.stop();
});

describe('a session whose payment intent was canceled', () => {
  it('REST: concurrent creates make one fresh intent, which pays the session', async () => {
    const s = await sessionWithCanceledIntent();
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post(`/v1/checkout/sessions/${s.id}/payment-intents`, { amount: 1500, currency: 'GBP' })));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(201);
    const ids = new Set(answers.map((a) => a.body.payment_intent_id as string));
    expect(ids.size).toBe(1);
    const [fresh] = [...ids];
    expect(fresh).not.toBe(s.canceledId);
    expect(answers[0]!.body).toMatchObject({ status: 'requires_payment_method', checkout_id: s.id, amount: 1500 });
    expect(await liveIntents(s.id)).toEqual([fresh]);
    expect(await allIntents(s.id)).toBe(2);
    expect((await admin.ok(SESSION, { id: s.id })).checkoutSession.paymentIntent).toEqual({ id: fresh, status: 'REQUIRES_PAYMENT_METHOD' });
    // The canceled one stays canceled; the fresh one pays.
    expect((await post(`/v1/checkout/payment-intents/${s.canceledId}/confirm`, { payment_method_id: 'pm_card_visa' })).body.code).toBe('INVALID_STATE_TRANSITION');
    const pm = (await post('/v1/checkout/payment-methods/tokenize', { card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } })).body.payment_method_id;
    const paid = await post(`/v1/checkout/payment-intents/${fresh}/confirm`, { payment_method_id: pm });
    expect(paid.body, JSON.stringify(paid.body)).toMatchObject({ status: 'succeeded', payment_intent_id: fresh });
    await sessionStatus(s.id, 'COMPLETE');
    // A paid session's live intent is answered as it is: no other is made.
    const again = await post(`/v1/checkout/sessions/${s.id}/payment-intents`, { amount: 1500, currency: 'GBP' });
    expect(again.body.payment_intent_id).toBe(fresh);
    expect(await allIntents(s.id)).toBe(2);
  }, 120_000);

  it('GraphQL: renewCheckoutPaymentIntent racing the REST create gives one; another merchant and a closed session are refused, nothing made', async () => {
    const s = await sessionWithCanceledIntent();
    const merchant = new GqlClient(handoff.graphqlUrl, shop.key);
    expect(await new GqlClient(handoff.graphqlUrl, rival.key).errorCode(RENEW, { id: s.id })).toBe('CHECKOUT_SESSION_NOT_FOUND');
    expect(await allIntents(s.id)).toBe(1);
    const [a, b, c] = await Promise.all([
      merchant.ok(RENEW, { id: s.id }),
      merchant.ok(RENEW, { id: s.id }),
      post(`/v1/checkout/sessions/${s.id}/payment-intents`, { amount: 1500, currency: 'GBP' }),
    ]);
    expect(a.renewCheckoutPaymentIntent.id).toBe(b.renewCheckoutPaymentIntent.id);
    expect(c.body.payment_intent_id).toBe(a.renewCheckoutPaymentIntent.id);
    expect(a.renewCheckoutPaymentIntent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', checkoutSession: { id: s.id } });
    expect(await liveIntents(s.id)).toEqual([a.renewCheckoutPaymentIntent.id]);
    // A wrong amount is refused before anything is renewed.
    const closed = await sessionWithCanceledIntent();
    expect((await post(`/v1/checkout/sessions/${closed.id}/payment-intents`, { amount: 1499, currency: 'GBP' })).body.code).toBe('BAD_USER_INPUT');
    expect(await allIntents(closed.id)).toBe(1);
    // A canceled session takes no new intent.
    expect((await rest('DELETE', `/v1/checkout/sessions/${closed.id}`, shop.key)).status).toBe(200);
    expect(await merchant.errorCode(RENEW, { id: closed.id })).toBe('INVALID_STATE_TRANSITION');
    expect(await liveIntents(closed.id)).toEqual([]);
    expect(await allIntents(closed.id)).toBe(1);
    // Canceling the fresh one again: a third is made, never two live at once.
    await merchant.ok(CANCEL, { id: a.renewCheckoutPaymentIntent.id });
    const third = (await merchant.ok(RENEW, { id: s.id })).renewCheckoutPaymentIntent.id;
    expect(third).not.toBe(a.renewCheckoutPaymentIntent.id);
    expect(await liveIntents(s.id)).toEqual([third]);
  }, 120_000);

  it('the hosted page pays with a fresh intent after the merchant canceled the first', async () => {
    const s = await sessionWithCanceledIntent();
    const view = await rest('GET', `/api/checkout/${s.id}`, s.secret);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    const paid = await rest('POST', `/api/checkout/${s.id}/pay`, s.secret, { testCard: '4242424242424242' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.payment.status).toBe('succeeded');
    const [live] = await liveIntents(s.id);
    expect(live).toBeTruthy();
    expect(live).not.toBe(s.canceledId);
    await sessionStatus(s.id, 'COMPLETE');
    expect((await admin.ok(SESSION, { id: s.id })).checkoutSession.paymentIntent.id).toBe(live);
  }, 120_000);
});
