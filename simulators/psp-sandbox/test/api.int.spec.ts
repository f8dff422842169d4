// The sandbox PSP's API on its own, as Handoff sees it from outside: Stripe's authentication
// (a merchant's secret key, 401 otherwise, as Stripe answers), the operator's key for account
// set-up and the dashboard, tenancy between accounts, idempotent creates, and its races
// (concurrent creates with one key, concurrent set-ups of one account).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { Accounts } from '../src/accounts/accounts.service.js';
import { createSandbox, type SandboxApp } from '../src/app.js';
import { loadSandboxConfig } from '../src/config.js';

const ADMIN = randomBytes(32).toString('base64url');
let sandbox: SandboxApp;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const env = testEnv();
  sandbox = createSandbox(
    loadSandboxConfig({
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUEUE_PREFIX: `${env.queuePrefix}-sbx-${randomBytes(3).toString('hex')}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      PSP_SANDBOX_ADMIN_KEY: ADMIN,
    }),
  );
  await sandbox.migrate();
  const server = await sandbox.listen(0);
  url = server.url;
  close = async () => {
    await server.close();
    await sandbox.close();
  };
});
afterAll(async () => close?.());

async function call(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as any };
}

const merchantId = () => `mer_${randomBytes(6).toString('hex')}`;
const setUp = (id: string, secret = `whsec_${randomBytes(24).toString('base64url')}`, key: string | null = ADMIN) =>
  call('POST', `/v1/accounts/${id}`, key, { webhook_url: `http://127.0.0.1:1/webhooks/test/${id}`, webhook_secret: secret, enabled_events: ['payment_intent.succeeded'] });
const create = (key: string, amount = 500, idempotencyKey = randomBytes(8).toString('hex')) =>
  call('POST', '/v1/payment_intents', key, { amount, currency: 'GBP', metadata: {} }, { 'idempotency-key': idempotencyKey });

describe('authentication, as Stripe answers it', () => {
  it('a payment call without a key, or with a wrong one, is a 401 and does nothing', async () => {
    const amount = 4_000_000 + Math.floor(Math.random() * 1_000_000);
    const missing = await create('', amount);
    expect(missing.status).toBe(401);
    expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', code: 'api_key_missing' });
    for (const wrong of ['sk_test_sbx_' + 'x'.repeat(43), 'sk_live_nope', ADMIN, 'whsec_abc']) {
      const res = await create(wrong, amount);
      expect(res.status, wrong).toBe(401);
      expect(res.json.error).toMatchObject({ type: 'invalid_request_error', code: 'api_key_invalid' });
      // The message names the key as Stripe does, never whole.
      expect(res.json.error.message).not.toContain(wrong);
    }
    expect((await sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.payments WHERE amount_minor = $1`, [amount]))[0].n).toBe(0);
  });

  it("the operator's routes refuse a merchant's key and no key; the merchant's key works on its own routes", async () => {
    const id = merchantId();
    const { json } = await setUp(id);
    const key = json.secret_key as string;
    expect(key).toMatch(/^sk_test_sbx_/);
    expect((await setUp(merchantId(), undefined, key)).status).toBe(401);
    expect((await setUp(merchantId(), undefined, null)).status).toBe(401);
    expect((await call('GET', '/v1/dashboard/failed_jobs', key)).status).toBe(401);
    expect((await call('POST', '/v1/dashboard/payment_intents/pi_x/refund', key, { amount: 1 })).status).toBe(401);
    expect((await create(key)).status).toBe(200);
  });

  it('a new webhook secret (a reconnected merchant) rotates the key: the old one is refused', async () => {
    const id = merchantId();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const first = (await setUp(id, secret)).json.secret_key as string;
    expect((await setUp(id, secret)).json.secret_key).toBe(first);
    const rotated = (await setUp(id)).json.secret_key as string;
    expect(rotated).not.toBe(first);
    expect((await create(first)).status).toBe(401);
    expect((await create(rotated)).status).toBe(200);
  });

  it('concurrent set-ups of one account agree on its key and keep one account', async () => {
    // New accounts, each set up 10 times at once: the first inserts of one row race on both of
    // its unique indexes (merchant_id, which ON CONFLICT arbitrates, and secret_key_hash, which it
    // does not). Without the upsert's retry, about 1 in 100 set-ups failed with a unique violation
    // (a 500 seen in CI). Over HTTP (a few rounds) and straight at the service (many rounds, where
    // the race is likelier: the HTTP layer spreads the calls out).
    const accounts = new Accounts(sandbox.dataSource, 'sbx_admin_race_test_key_0123456789');
    for (let round = 0; round < 100; round++) {
      const id = merchantId();
      const setup = { webhookUrl: 'https://example.com/hooks', webhookSecret: `whsec_${randomBytes(24).toString('base64url')}`, enabledEvents: ['*'] };
      const keys = await Promise.all(Array.from({ length: 10 }, () => accounts.setUp(id, setup)));
      expect(new Set(keys).size).toBe(1);
    }
    for (let round = 0; round < 5; round++) {
      const id = merchantId();
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const answers = await Promise.all(Array.from({ length: 10 }, () => setUp(id, secret)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(new Set(answers.map((a) => a.json.secret_key)).size).toBe(1);
      expect((await sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.accounts WHERE merchant_id = $1`, [id]))[0].n).toBe(1);
    }
  });
});

describe('payments at the sandbox', () => {
  it("a merchant sees and moves only its own payments (another's is resource_missing, 404)", async () => {
    const a = (await setUp(merchantId())).json.secret_key as string;
    const b = (await setUp(merchantId())).json.secret_key as string;
    const pi = (await create(a)).json;
    expect(pi).toMatchObject({ object: 'payment_intent', status: 'requires_payment_method', amount: 500, currency: 'gbp' });
    const other = await call('POST', `/v1/payment_intents/${pi.id}/cancel`, b);
    expect(other.status).toBe(404);
    expect(other.json.error).toMatchObject({ code: 'resource_missing' });
    expect((await call('GET', `/v1/payment_intents/${pi.id}`, b)).status).toBe(404);
    expect((await call('GET', `/v1/payment_intents/${pi.id}`, a)).json.status).toBe('requires_payment_method');
  });

  it('creates once per idempotency key, even concurrently; the key with another amount is refused', async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    const idem = randomBytes(8).toString('hex');
    const all = await Promise.all(Array.from({ length: 10 }, () => create(key, 700, idem)));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(all.map((r) => r.json.id)).size).toBe(1);
    expect((await sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.payments WHERE id = $1`, [all[0]!.json.id]))[0].n).toBe(1);
    const changed = await create(key, 701, idem);
    expect(changed.status).toBe(400);
    expect(changed.json.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_error' });
  });

  it('a declined card answers 402 card_error with the payment intent; a bad number is refused without being quoted', async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    const pi = (await create(key)).json;
    const pm = await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number: '4000000000000002' } });
    expect(pm.json).toMatchObject({ object: 'payment_method', card: { brand: 'visa', last4: '0002' } });
    const declined = await call('POST', `/v1/payment_intents/${pi.id}/confirm`, key, { payment_method: pm.json.id });
    expect(declined.status).toBe(402);
    expect(declined.json.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', payment_intent: { id: pi.id, status: 'requires_payment_method' } });
    const bad = await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number: '4242424242424241' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ param: 'card[number]', code: 'incorrect_number' });
    expect(JSON.stringify(bad.json)).not.toContain('4242424242424241');
  });

  it('the off-session-declining card (0341) succeeds with the buyer there and is declined off_session, as a renewal is', async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    const pm = (await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number: '4000000000000341' } })).json;
    expect(pm).toMatchObject({ card: { brand: 'visa', last4: '0341' } });
    const onSession = (await create(key)).json;
    const paid = await call('POST', `/v1/payment_intents/${onSession.id}/confirm`, key, { payment_method: pm.id, setup_future_usage: 'off_session' });
    expect(paid.status).toBe(200);
    expect(paid.json.status).toBe('succeeded');
    // The same saved card, the buyer absent: declined, the payment waits for another method.
    const renewal = (await create(key)).json;
    const declined = await call('POST', `/v1/payment_intents/${renewal.id}/confirm`, key, { payment_method: pm.id, off_session: true });
    expect(declined.status).toBe(402);
    expect(declined.json.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', payment_intent: { id: renewal.id, status: 'requires_payment_method' } });
    // off_session: false is the buyer there.
    const explicit = (await create(key)).json;
    expect((await call('POST', `/v1/payment_intents/${explicit.id}/confirm`, key, { payment_method: pm.id, off_session: false })).json.status).toBe('succeeded');
  });

  it('refuses malformed bodies in its own words, never a 500', async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    for (const body of [{ currency: 'GBP' }, { amount: '5', currency: 'GBP' }, { amount: 1.5, currency: 'GBP' }, { amount: 5, currency: 'GBP', metadata: { a: 1 } }, { amount: 5, currency: 'GBP', capture_method: 'later' }]) {
      const res = await call('POST', '/v1/payment_intents', key, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.type).toBe('invalid_request_error');
    }
    const raw = await fetch(`${url}/v1/payment_intents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{nope' });
    expect(raw.status).toBe(400);
  });
});

describe("Idempotency-Key on every change, as Stripe's", () => {
  const outboxOf = async (paymentId: string, type: string) =>
    (await sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.outbox WHERE aggregate_id = $1 AND payload::text LIKE $2`, [paymentId, `%"${type}"%`]))[0].n as number;

  it('concurrent confirms with one key charge once and all get the one answer; a retry replays it; another request with the key is idempotency_error', async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    const pi = (await create(key, 1200)).json;
    const pm = (await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number: '4242424242424242' } })).json;
    const idem = `confirm-${randomBytes(8).toString('hex')}`;
    const confirm = (body: unknown = { payment_method: pm.id }) => call('POST', `/v1/payment_intents/${pi.id}/confirm`, key, body, { 'idempotency-key': idem });
    const all = await Promise.all(Array.from({ length: 8 }, () => confirm()));
    expect(all.map((r) => r.status)).toEqual(Array(8).fill(200));
    for (const r of all) expect(r.json).toEqual(all[0]!.json);
    expect(all[0]!.json).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 1200 });
    const [row] = await sandbox.dataSource.query(`SELECT status, amount_received_minor FROM sandbox.payments WHERE id = $1`, [pi.id]);
    expect(row).toMatchObject({ status: 'succeeded' });
    const again = await confirm();
    expect(again).toEqual(all[0]);
    // Without the key, the same confirmation is a new request: the payment is already paid.
    const unkeyed = await call('POST', `/v1/payment_intents/${pi.id}/confirm`, key, { payment_method: pm.id });
    expect(unkeyed.status).toBe(400);
    expect(unkeyed.json.error).toMatchObject({ code: 'payment_intent_unexpected_state' });
    const other = await confirm({ payment_method: pm.id, capture_method: 'manual' });
    expect(other.status).toBe(400);
    expect(other.json.error).toMatchObject({ type: 'idempotency_error' });
    const elsewhere = await call('POST', `/v1/payment_intents/${pi.id}/cancel`, key, {}, { 'idempotency-key': idem });
    expect(elsewhere.json.error).toMatchObject({ type: 'idempotency_error' });
    // Keys are the account's: another merchant's same key is its own request.
    const key2 = (await setUp(merchantId())).json.secret_key as string;
    expect((await call('POST', `/v1/payment_intents/${pi.id}/confirm`, key2, { payment_method: pm.id }, { 'idempotency-key': idem })).status).toBe(404);
  });

  it("create with confirm: true (Stripe's one call): concurrent requests with one key charge once; an off-session decline is a stored 402; confirm must be a boolean", async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    const card = async (number: string) => (await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number } })).json.id as string;
    const good = await card('4242424242424242');
    const idem = `renewal-${randomBytes(8).toString('hex')}`;
    const charge = (pm: string, k = idem) => call('POST', '/v1/payment_intents', key, { amount: 1500, currency: 'GBP', metadata: {}, confirm: true, payment_method: pm, off_session: true }, { 'idempotency-key': k });
    const all = await Promise.all(Array.from({ length: 6 }, () => charge(good)));
    expect(all.map((r) => r.status)).toEqual(Array(6).fill(200));
    for (const r of all) expect(r.json).toEqual(all[0]!.json);
    expect(all[0]!.json).toMatchObject({ status: 'succeeded', amount_received: 1500 });
    const [row] = await sandbox.dataSource.query(`SELECT status, amount_received_minor::int AS amount_received_minor FROM sandbox.payments WHERE id = $1`, [all[0]!.json.id]);
    expect(row).toMatchObject({ status: 'succeeded', amount_received_minor: 1500 });
    // One succeeded webhook for the one charge.
    const webhooks = await sandbox.dataSource.query(`SELECT count(*)::int AS n FROM sandbox.outbox WHERE aggregate_id = $1 AND topic LIKE '%payment_intent.succeeded'`, [all[0]!.json.id]);
    expect(webhooks[0].n).toBe(1);
    // The off-session-declining card: 402 with the payment, stored under the key and replayed; the payment waits for another method.
    const offKey = `renewal-${randomBytes(8).toString('hex')}`;
    const saved = await card('4000000000000341');
    const declined = await charge(saved, offKey);
    expect(declined.status).toBe(402);
    expect(declined.json.error).toMatchObject({ type: 'card_error', decline_code: 'generic_decline', payment_intent: { status: 'requires_payment_method', amount_received: 0 } });
    expect(await charge(saved, offKey)).toEqual(declined);
    const bad = await call('POST', '/v1/payment_intents', key, { amount: 1500, currency: 'GBP', confirm: 'yes', payment_method: good });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ param: 'confirm' });
    const noMethod = await call('POST', '/v1/payment_intents', key, { amount: 1500, currency: 'GBP', confirm: true });
    expect(noMethod.status).toBe(400);
    expect(noMethod.json.error).toMatchObject({ param: 'payment_method' });
  });

  it('a declined confirmation (402) is stored and replayed; a refused request (400) stores nothing; capture and cancel replay', async () => {
    const key = (await setUp(merchantId())).json.secret_key as string;
    const pi = (await create(key, 900)).json;
    const declining = (await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number: '4000000000000002' } })).json;
    const idem = randomBytes(8).toString('hex');
    const first = await call('POST', `/v1/payment_intents/${pi.id}/confirm`, key, { payment_method: declining.id }, { 'idempotency-key': idem });
    expect(first.status).toBe(402);
    const replay = await call('POST', `/v1/payment_intents/${pi.id}/confirm`, key, { payment_method: declining.id }, { 'idempotency-key': idem });
    expect(replay).toEqual(first);
    expect(await outboxOf(pi.id, 'payment_intent.payment_failed')).toBeLessThanOrEqual(1);

    const manual = (await create(key, 900)).json;
    const pm = (await call('POST', '/v1/payment_methods', key, { type: 'card', card: { number: '4242424242424242' } })).json;
    const captureKey = randomBytes(8).toString('hex');
    // Not capturable yet: refused, and the key is free for the same request once it can run.
    const early = await call('POST', `/v1/payment_intents/${manual.id}/capture`, key, { amount_to_capture: 900 }, { 'idempotency-key': captureKey });
    expect(early.status).toBe(400);
    expect((await call('POST', `/v1/payment_intents/${manual.id}/confirm`, key, { payment_method: pm.id, capture_method: 'manual' })).json.status).toBe('requires_capture');
    const captures = await Promise.all(Array.from({ length: 4 }, () => call('POST', `/v1/payment_intents/${manual.id}/capture`, key, { amount_to_capture: 900 }, { 'idempotency-key': captureKey })));
    expect(captures.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(captures[0]!.json).toMatchObject({ status: 'succeeded', amount_received: 900 });

    const open = (await create(key, 300)).json;
    const cancelKey = randomBytes(8).toString('hex');
    const cancels = await Promise.all([0, 1, 2].map(() => call('POST', `/v1/payment_intents/${open.id}/cancel`, key, {}, { 'idempotency-key': cancelKey })));
    expect(cancels.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(cancels.every((r) => r.json.status === 'canceled')).toBe(true);
  });
});
