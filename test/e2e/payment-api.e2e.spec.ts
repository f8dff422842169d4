// The merchant's payment API through the gateway's REST routes (issue 20 items 2 and 7, seed 003
// §6-7): a standalone intent authorized then captured in part (more than authorized refused,
// nothing written), concurrent captures with one Idempotency-Key → one capture, a capture racing a
// cancel → exactly one wins, refunds never above what was captured, 3-D Secure with next_action
// and its signed callback (unsigned and stale refused), tokenize then pay with no PAN anywhere in
// Handoff's tables, a session's intent for its total only.
import { Client } from 'pg';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../subgraphs/payment-intent/src/webhooks/signature.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { webhookSecret } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const PAN = '4000056655665556';

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: { id: string; key: string; secret: string };
let other: { id: string; key: string; secret: string };

async function newShop(name: string) {
  const id = (
    await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } } })
  ).createMerchant.id as string;
  const secret = (await admin.ok(CONNECT, { m: id })).connectPaymentProcessor.webhookSecret as string;
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, secret };
}

async function rest(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const post = (path: string, body: unknown = {}, headers: Record<string, string> = {}) => rest('POST', path, shop.key, body, headers);
const intentPath = (id: string, action = '') => `/v1/checkout/payment-intents/${id}${action ? `/${action}` : ''}`;

async function tokenize(number: string): Promise<string> {
  const r = await post('/v1/checkout/payment-methods/tokenize', { card: { number, exp_month: 12, exp_year: new Date().getUTCFullYear() + 2, cvc: '123' } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.payment_method_id as string;
}

/** A standalone intent of `amount` pence, authorized (manual capture) with a good card. */
async function authorized(amount = 5000) {
  const created = await post('/v1/checkout/payment-intents', { amount, currency: 'GBP', capture_mode: 'manual', payment_methods: ['card'] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.status).toBe('requires_payment_method');
  const pm = await tokenize('4242424242424242');
  const attached = await post(intentPath(created.body.payment_intent_id, 'attach-method'), { payment_method_id: pm });
  expect(attached.body.status).toBe('requires_confirmation');
  const confirmed = await post(intentPath(created.body.payment_intent_id, 'confirm'));
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  expect(confirmed.body.status).toBe('requires_capture');
  return created.body.payment_intent_id as string;
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  [shop, other] = await Promise.all([newShop('Payments Shop'), newShop('Other Shop')]);
}, 120_000);
afterAll(async () => handoff?.stop());

describe('authorize then capture', () => {
  it('captures part of an authorization; more than authorized is refused with nothing written', async () => {
    const id = await authorized(5000);
    const over = await post(intentPath(id, 'capture'), { amount: 5001 });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect((await rest('GET', intentPath(id), shop.key)).body).toMatchObject({ status: 'requires_capture', amount_captured: 0 });
    const done = await post(intentPath(id, 'capture'), { amount: 3000 });
    expect(done.body).toMatchObject({ status: 'succeeded', amount_captured: 3000, capture_mode: 'manual' });
    // Refunds: never above what was captured; the same Idempotency-Key answers the same refund.
    const tooMuch = await post(intentPath(id, 'refund'), { amount: 3001 });
    expect(tooMuch.status).toBe(400);
    const [a, b] = await Promise.all([post(intentPath(id, 'refund'), { amount: 1000 }, { 'idempotency-key': 'refund-1' }), post(intentPath(id, 'refund'), { amount: 1000 }, { 'idempotency-key': 'refund-1' })]);
    expect(a.body.refund_id).toBe(b.body.refund_id);
    expect((await rest('GET', intentPath(id), shop.key)).body.amount_refunded).toBe(1000);
    const reused = await post(intentPath(id, 'refund'), { amount: 500 }, { 'idempotency-key': 'refund-1' });
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  }, 60_000);

  it('concurrent captures with one Idempotency-Key capture once and answer the same', async () => {
    const id = await authorized(4000);
    const answers = await Promise.all([1, 2, 3].map(() => post(intentPath(id, 'capture'), { amount: 1500 }, { 'idempotency-key': `cap-${id}` })));
    for (const r of answers) expect(r.body).toMatchObject({ status: 'succeeded', amount_captured: 1500 });
    const reused = await post(intentPath(id, 'capture'), { amount: 1600 }, { 'idempotency-key': `cap-${id}` });
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  }, 60_000);

  it('a capture racing a cancel: exactly one wins, the other is refused with a stable code', async () => {
    const id = await authorized(2000);
    const [capture, cancel] = await Promise.all([post(intentPath(id, 'capture')), post(intentPath(id, 'cancel'))]);
    const wins = [capture, cancel].filter((r) => r.status === 200);
    expect(wins).toHaveLength(1);
    const lost = [capture, cancel].find((r) => r.status !== 200)!;
    expect(lost.body.code).toBe('INVALID_STATE_TRANSITION');
    const final = (await rest('GET', intentPath(id), shop.key)).body;
    expect(final.status).toBe(wins[0]!.body.status);
    expect(final.amount_captured).toBe(final.status === 'succeeded' ? 2000 : 0);
  }, 60_000);

  it("another merchant's intent is not found", async () => {
    const id = await authorized(1000);
    const r = await rest('POST', intentPath(id, 'capture'), other.key, {});
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('PAYMENT_INTENT_NOT_FOUND');
  }, 60_000);
});

describe('3-D Secure', () => {
  it('confirm answers requires_action with next_action; 3ds/complete pays it', async () => {
    const created = (await post('/v1/checkout/payment-intents', { amount: 1200, currency: 'GBP' })).body;
    const pm = await tokenize('4000002760003184');
    const confirmed = await post(intentPath(created.payment_intent_id, 'confirm'), { payment_method_id: pm });
    expect(confirmed.body.status).toBe('requires_action');
    expect(confirmed.body.next_action).toMatchObject({ type: 'three_d_secure' });
    const done = await post(intentPath(created.payment_intent_id, '3ds/complete'), { approved: true });
    expect(done.body).toMatchObject({ status: 'succeeded', next_action: null, amount_captured: 1200 });
  }, 60_000);

  it('the signed callback completes it; unsigned, tampered or stale callbacks are refused and change nothing', async () => {
    const created = (await post('/v1/checkout/payment-intents', { amount: 1300, currency: 'GBP' })).body;
    const id = created.payment_intent_id as string;
    await post(intentPath(id, 'confirm'), { payment_method_id: await tokenize('4000002760003184') });
    const body = JSON.stringify({ payment_intent_id: id, result: 'approved' });
    const unsigned = await rest('POST', '/v1/checkout/3ds/callback', null, body);
    expect(unsigned).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    const tampered = await rest('POST', '/v1/checkout/3ds/callback', null, body.replace('approved', 'failed'), { 'handoff-signature': signatureHeader(shop.secret, body) });
    expect(tampered.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const stale = await rest('POST', '/v1/checkout/3ds/callback', null, body, { 'handoff-signature': signatureHeader(shop.secret, body, Math.floor(Date.now() / 1000) - 3600) });
    expect(stale.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const otherSecret = await rest('POST', '/v1/checkout/3ds/callback', null, body, { 'handoff-signature': signatureHeader(other.secret, body) });
    expect(otherSecret.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    expect((await rest('GET', intentPath(id), shop.key)).body.status).toBe('requires_action');
    const signed = await rest('POST', '/v1/checkout/3ds/callback', null, body, { 'handoff-signature': signatureHeader(shop.secret, body) });
    expect(signed).toMatchObject({ status: 200, body: { received: true, status: 'succeeded' } });
  }, 60_000);
});

describe('payment methods', () => {
  it('tokenize then pay: the card number is nowhere in the database', async () => {
    const pm = await tokenize(PAN);
    const created = (await post('/v1/checkout/payment-intents', { amount: 900, currency: 'GBP' })).body;
    const paid = await post(intentPath(created.payment_intent_id, 'confirm'), { payment_method_id: pm });
    expect(paid.body.status).toBe('succeeded');
    const db = new Client({ connectionString: handoff.env.DATABASE_URL });
    await db.connect();
    try {
      const tables: Array<{ schema: string; name: string }> = (
        await db.query(`SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`)
      ).rows;
      for (const t of tables) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${t.schema}"."${t.name}" AS r WHERE r::text LIKE $1`, [`%${PAN}%`]);
        expect(rows[0].n, `${t.schema}.${t.name}`).toBe(0);
      }
    } finally {
      await db.end();
    }
  }, 120_000);

  it('bad cards are refused naming the field, and the list follows the merchant rules', async () => {
    const bad = await post('/v1/checkout/payment-methods/tokenize', { card: { number: '4242424242424241', exp_month: 1, exp_year: 2099, cvc: '123' } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'card.number' } });
    expect(JSON.stringify(bad.body)).not.toContain('4242424242424241');
    const list = await rest('GET', '/v1/checkout/payment-methods?country=GB', shop.key);
    expect(list.body.data).toEqual([{ type: 'card' }]);
  }, 60_000);
});

describe("a checkout session's intent", () => {
  it('takes the session total only, and the capture mode the merchant chose', async () => {
    const session = await post('/v1/checkout/sessions', { currency: 'GBP', line_items: [{ name: 'Plan', amount: 2500, quantity: 2 }] });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const path = `/v1/checkout/sessions/${session.body.checkout_id}/payment-intents`;
    const wrong = await post(path, { amount: 4999, currency: 'GBP' });
    expect(wrong).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'amount' } });
    const intent = await post(path, { amount: 5000, currency: 'GBP', capture_mode: 'manual' });
    expect(intent.status, JSON.stringify(intent.body)).toBe(201);
    expect(intent.body).toMatchObject({ checkout_id: session.body.checkout_id, capture_mode: 'manual', status: 'requires_payment_method' });
    expect(intent.body.client_secret).toBeTruthy();
    const paid = await post(intentPath(intent.body.payment_intent_id, 'confirm'), { payment_method_id: await tokenize('4242424242424242') });
    expect(paid.body).toMatchObject({ status: 'requires_capture', amount: 5000 });
    const na = await rest('GET', `/v1/checkout/sessions/${session.body.checkout_id}/next-action`, shop.key);
    expect(na.body).toMatchObject({ payment_intent_id: intent.body.payment_intent_id, status: 'requires_capture', next_action: null });
    const foreign = await rest('POST', path, other.key, { amount: 5000, currency: 'GBP' });
    expect(foreign.status).toBe(404);
  }, 90_000);
});
