// Delegated payments through the gateway (issue 21 item 2): an agent platform delegates a card
// for a merchant's checkout session at POST /acp/{merchantId}/agentic_commerce/delegate_payment
// (the spec's headers, 201 shape, replay, errors), then pays the session with the vt_ token
// (payCheckoutWithDelegatedPayment): 10 concurrent pays charge once, the intent SUCCEEDED and the
// session COMPLETE; a retry under the same idempotency key answers the same; allowance exceeded,
// expired, reused, another merchant's, another checkout's and another agent's tokens are refused
// with their codes and nothing charged; a decline leaves the token usable. A STRIPE-connected
// merchant (Stripe is a local stand-in, test/support/fake-stripe.ts): the card is vaulted as a
// Stripe PaymentMethod made from the card data with the merchant's secret key (an account enabled
// for raw card data) and the session is paid with that pm_…; an account not enabled is refused.
// `npm start`'s demo token: the curl line the banner prints pays its SMARTY checkout as written.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { scratchDatabase } from '../support/scratch-database.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDemoData } from '@handoff/launcher/demo-data';
import { demoDelegatedPayment } from '../../launcher/src/demo-delegated-payment.js';
import { runFlow } from '../support/readme-shell.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CONNECT_STRIPE = `mutation($m: ID!, $input: ConnectPaymentProcessorInput!) { connectPaymentProcessor(merchantId: $m, input: $input) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const PAY = `mutation($input: PayCheckoutWithDelegatedPaymentInput!) {
  payCheckoutWithDelegatedPayment(input: $input) { paymentIntent { id status amount { amountMinor } } checkoutSession { id } token { id status paymentIntentId } }
}`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { id status amountCaptured { amountMinor } } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let agentKey: string;
let agent: GqlClient;
let otherAgent: GqlClient;
let shop: { id: string; merchant: GqlClient };
let other: { id: string; merchant: GqlClient };
let db: Client;
/** The sandbox PSP's own database: what it charged, whatever Handoff recorded. */
let psp: Client;
let pspDb: { url: string; drop(): Promise<void> };
let stripe: FakeStripe;
const STRIPE_RAW_CARDS_KEY = 'sk_test_51HandoffDelegatedRawCards01';
const STRIPE_PLAIN_KEY = 'sk_test_51HandoffDelegatedPlainAcct01';

async function newShop(name: string, stripeSecretKey?: string) {
  const id = (
    await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } } })
  ).createMerchant.id as string;
  if (stripeSecretKey) await admin.ok(CONNECT_STRIPE, { m: id, input: { provider: 'STRIPE', secretKey: stripeSecretKey, publishableKey: stripeSecretKey.replace(/^sk_/, 'pk_') } });
  else await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, merchant: admin.as(key) };
}

async function newAgentKey(name: string): Promise<string> {
  const agentId = (await admin.ok(REGISTER_AGENT, { input: { name, builderName: `${name} ${randomBytes(3).toString('hex')}` } })).registerAgent.id as string;
  return (await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key as string;
}

/** A merchant's own checkout session of `amountMinor` pence, with its payment intent. */
async function session(of: { merchant: GqlClient }, amountMinor = 1500): Promise<{ id: string; intentId: string }> {
  const cs = (await of.merchant.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Delegated plan', unitAmount: { amountMinor, currency: 'GBP' }, quantity: 1 } ]} })).createCheckoutSession;
  return { id: cs.id, intentId: cs.paymentIntentId };
}

function delegateBody(merchantId: string, checkoutSessionId: string, over: { max?: number; number?: string; currency?: string; expiresAt?: string } = {}) {
  return {
    payment_method: {
      type: 'card', card_number_type: 'fpan', virtual: false, number: over.number ?? '4242424242424242', exp_month: '11', exp_year: String(new Date().getUTCFullYear() + 2),
      name: 'Jane Doe', cvc: '223', checks_performed: ['avs', 'cvv'], iin: '424242', display_card_funding_type: 'credit', display_brand: 'visa', display_last4: '4242', metadata: { issuing_bank: 'temp' },
    },
    allowance: { reason: 'one_time', max_amount: over.max ?? 2000, currency: over.currency ?? 'gbp', checkout_session_id: checkoutSessionId, merchant_id: merchantId, expires_at: over.expiresAt ?? new Date(Date.now() + 3600_000).toISOString() },
    billing_address: { name: 'Ada Lovelace', line_one: '1234 Chat Road', line_two: '', city: 'London', state: 'LND', country: 'GB', postal_code: 'N1 9GU' },
    risk_signals: [{ type: 'card_testing', score: 10, action: 'authorized' }],
    metadata: { campaign: 'q4' },
  };
}

async function delegate(merchantId: string, body: unknown, headers: Record<string, string> = {}, key = agentKey) {
  const res = await fetch(`${handoff.gatewayUrl}/acp/${merchantId}/agentic_commerce/delegate_payment`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'api-version': '2026-04-17', 'idempotency-key': randomUUID(), ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

async function token(merchantId: string, checkoutSessionId: string, over: Parameters<typeof delegateBody>[2] = {}): Promise<string> {
  const r = await delegate(merchantId, delegateBody(merchantId, checkoutSessionId, over));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

/** Nothing was charged on the session's intent. */
async function uncharged(of: { merchant: GqlClient }, intentId: string) {
  const pi = (await of.merchant.ok(INTENT, { id: intentId })).paymentIntent;
  expect(pi.status).toBe('REQUIRES_PAYMENT_METHOD');
  expect(pi.amountCaptured.amountMinor).toBe(0);
}

beforeAll(async () => {
  stripe = await startFakeStripe({ rawCardDataKeys: [STRIPE_RAW_CARDS_KEY] });
  pspDb = await scratchDatabase('sbx');
  handoff = await startTestHandoff({ extraEnv: { STRIPE_API_URL: stripe.url }, sandboxDatabaseUrl: pspDb.url });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  [shop, other] = await Promise.all([newShop('Delegated Shop'), newShop('Other Shop')]);
  agentKey = await newAgentKey('ACP platform');
  agent = admin.as(agentKey);
  otherAgent = admin.as(await newAgentKey('Other platform'));
  db = new Client({ connectionString: handoff.env.DATABASE_URL });
  await db.connect();
  psp = new Client({ connectionString: pspDb.url });
  await psp.connect();
}, 120_000);
afterAll(async () => {
  await db?.end();
  await psp?.end();
  await handoff?.stop();
  await pspDb?.drop();
  await stripe?.close();
});

describe('POST /acp/{merchantId}/agentic_commerce/delegate_payment', () => {
  it("answers the spec's 201, replays a retry, and refuses bad requests in the spec's error shape", async () => {
    const cs = await session(shop);
    const key = randomUUID();
    const body = delegateBody(shop.id, cs.id);
    const first = await delegate(shop.id, body, { 'idempotency-key': key, 'request-id': 'req_delegate_1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({ id: expect.stringMatching(/^vt_/), created: expect.any(String), metadata: { campaign: 'q4', merchant_id: shop.id, idempotency_key: key } });
    expect(first.headers.get('request-id')).toBe('req_delegate_1');
    const replay = await delegate(shop.id, body, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await delegate(shop.id, { ...body, metadata: { campaign: 'q5' } }, { 'idempotency-key': key })).body).toMatchObject({ type: 'invalid_request', code: 'idempotency_conflict' });

    const noKey = await fetch(`${handoff.gatewayUrl}/acp/${shop.id}/agentic_commerce/delegate_payment`, {
      method: 'POST', headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json', 'api-version': '2026-04-17' }, body: JSON.stringify(body),
    });
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ type: 'invalid_request', code: 'idempotency_key_required' });
    const badCard = await delegate(shop.id, { ...body, payment_method: { ...body.payment_method, number: '4242424242424241' } });
    expect(badCard.status).toBe(400);
    expect(badCard.body).toMatchObject({ type: 'invalid_request', code: 'invalid_card', param: '$.payment_method.number' });
    expect(JSON.stringify(badCard.body)).not.toContain('4242424242424241');
    const badMonth = await delegate(shop.id, { ...body, payment_method: { ...body.payment_method, exp_month: '13' } });
    expect(badMonth.body).toMatchObject({ code: 'invalid_card', param: '$.payment_method.exp_month' });
    expect((await delegate(other.id, body)).body).toMatchObject({ code: 'invalid_card', param: '$.allowance.merchant_id' });
    expect((await delegate(shop.id, body, { 'api-version': '1999-01-01' })).body).toMatchObject({ code: 'unsupported_api_version' });
    expect((await delegate(shop.id, body, {}, 'hk_agt_unknown')).status).toBe(401);
    // The card is in none of Handoff's tables: only the PSP's payment method id.
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM payment.delegated_payment_tokens t WHERE t::text LIKE '%4242424242424242%' OR t::text LIKE '%223"%'`);
    expect(rows[0].n).toBe(0);
  });
});

/** A copy of `body` with the value at a dotted path (numeric parts index arrays) set. */
function withValue(body: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, any>;
  const keys = path.split('.');
  let at: any = copy;
  for (const k of keys.slice(0, -1)) at = at[k];
  at[keys.at(-1)!] = value;
  return copy;
}

describe('delegate_payment: bad bodies (the REST edge)', () => {
  it('every field with wrong values: 400 in the spec error shape (or 201 where the value is in fact valid), never a 500 nor GraphQL wording; only a 201 keeps a token', async () => {
    const cs = await session(shop, 1000);
    const base = delegateBody(shop.id, cs.id);
    const fields = [
      ...Object.keys(base.payment_method).map((k) => `payment_method.${k}`),
      ...Object.keys(base.allowance).map((k) => `allowance.${k}`),
      ...Object.keys(base.billing_address).map((k) => `billing_address.${k}`),
      'payment_method', 'allowance', 'billing_address', 'risk_signals', 'risk_signals.0', 'risk_signals.0.score', 'risk_signals.0.action', 'metadata',
    ];
    const OVERFLOW = '__OVERFLOW__';
    const values: unknown[] = [12345, -1, 10.5, true, null, 'NaN', '', [[1, [2]]], { price_data: { unit_amount: 1 } }, 'x'.repeat(20_000), OVERFLOW];
    const before = (await db.query(`SELECT count(*)::int AS n FROM payment.delegated_payment_tokens WHERE merchant_id = $1`, [shop.id])).rows[0].n as number;
    const problems: string[] = [];
    let created = 0;
    const bodies: Array<[string, string]> = [['body: array', '[]'], ['body: string', '"x"'], ['body: number', '1e309'], ['body: not JSON', '{"payment_method":']];
    for (const f of fields) for (const v of values) bodies.push([`${f}=${JSON.stringify(v)?.slice(0, 20)}`, JSON.stringify(withValue(base, f, v)).replaceAll(`"${OVERFLOW}"`, '1e309')]);
    for (const [label, raw] of bodies) {
      const res = await fetch(`${handoff.gatewayUrl}/acp/${shop.id}/agentic_commerce/delegate_payment`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json', 'api-version': '2026-04-17', 'idempotency-key': randomUUID() },
        body: raw,
      });
      const text = await res.text();
      if (res.status === 201) {
        created++;
        continue;
      }
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      if (res.status !== 400 || body?.type !== 'invalid_request' || typeof body.code !== 'string' || typeof body.message !== 'string' || /Variable|\$input|GraphQL|got invalid value/.test(text) || text.includes('4242424242424242')) {
        problems.push(`${label}: ${res.status} ${text.slice(0, 200)}`);
      }
    }
    expect(problems).toEqual([]);
    const after = (await db.query(`SELECT count(*)::int AS n FROM payment.delegated_payment_tokens WHERE merchant_id = $1`, [shop.id])).rows[0].n as number;
    expect(after - before).toBe(created);
    expect(created).toBeLessThan(bodies.length / 4);
  }, 120_000);
});

describe('payCheckoutWithDelegatedPayment', () => {
  it('10 concurrent pays with one token charge once: the intent SUCCEEDED, the session COMPLETE, the token CONSUMED', async () => {
    const cs = await session(shop, 1500);
    const vt = await token(shop.id, cs.id, { max: 1500 });
    const results = await Promise.all(Array.from({ length: 10 }, () => agent.request(PAY, { input: { checkoutSessionId: cs.id, token: vt } })));
    const paid = results.filter((r) => r.data?.payCheckoutWithDelegatedPayment);
    expect(paid, JSON.stringify(results.map((r) => r.errors?.[0] ?? 'paid'))).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => r.errors![0]!.extensions?.code)).toEqual(Array(9).fill('DELEGATED_TOKEN_USED'));
    const out = paid[0]!.data!.payCheckoutWithDelegatedPayment;
    expect(out).toMatchObject({ paymentIntent: { id: cs.intentId, status: 'SUCCEEDED', amount: { amountMinor: 1500 } }, checkoutSession: { id: cs.id }, token: { id: vt, status: 'CONSUMED', paymentIntentId: cs.intentId } });
    await expect.poll(async () => (await shop.merchant.ok(SESSION, { id: cs.id })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
    expect((await shop.merchant.ok(INTENT, { id: cs.intentId })).paymentIntent.amountCaptured.amountMinor).toBe(1500);
    // Reused later: refused, nothing more charged.
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: vt } })).toBe('DELEGATED_TOKEN_USED');
    // At the PSP: the session's payments (one per amount it was confirmed for), exactly one charged, 1500 once.
    const charged = await psp.query(
      `SELECT status, amount_received_minor::int AS received FROM sandbox.payments WHERE metadata->>'handoff_checkout_session_id' = $1 AND amount_received_minor > 0`,
      [cs.id],
    );
    expect(charged.rows).toEqual([{ status: 'succeeded', received: 1500 }]);
  });

  it('a retry under the same idempotency key answers the same payment', async () => {
    const cs = await session(shop, 900);
    const vt = await token(shop.id, cs.id, { max: 1000 });
    const key = `pay-${randomUUID()}`;
    const first = (await agent.ok(PAY, { input: { checkoutSessionId: cs.id, token: vt, idempotencyKey: key } })).payCheckoutWithDelegatedPayment;
    const again = (await agent.ok(PAY, { input: { checkoutSessionId: cs.id, token: vt, idempotencyKey: key } })).payCheckoutWithDelegatedPayment;
    expect(again.paymentIntent).toEqual(first.paymentIntent);
    expect(first.paymentIntent.status).toBe('SUCCEEDED');
  });

  it('refuses exceeded, expired, wrong-merchant, wrong-checkout and foreign tokens with their codes; nothing is charged', async () => {
    const cs = await session(shop, 2500);
    const small = await token(shop.id, cs.id, { max: 2499 });
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: small } })).toBe('ALLOWANCE_EXCEEDED');
    const usd = await token(shop.id, cs.id, { max: 5000, currency: 'usd' });
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: usd } })).toBe('ALLOWANCE_EXCEEDED');

    const expired = await token(shop.id, cs.id, { max: 5000 });
    await db.query(`UPDATE payment.delegated_payment_tokens SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired]);
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: expired } })).toBe('DELEGATED_TOKEN_EXPIRED');

    const otherCs = await session(other, 1000);
    const othersToken = await token(other.id, otherCs.id, { max: 5000 });
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: othersToken } })).toBe('DELEGATED_TOKEN_WRONG_MERCHANT');
    const cs2 = await session(shop, 1000);
    const forCs2 = await token(shop.id, cs2.id, { max: 5000 });
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: forCs2 } })).toBe('DELEGATED_TOKEN_WRONG_CHECKOUT');
    const good = await token(shop.id, cs.id, { max: 5000 });
    expect(await otherAgent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: good } })).toBe('DELEGATED_TOKEN_NOT_FOUND');
    expect(await shop.merchant.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: good } })).toBe('FORBIDDEN');
    await uncharged(shop, cs.intentId);
    await uncharged(shop, cs2.intentId);
    await uncharged(other, otherCs.intentId);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM payment.delegated_payment_tokens WHERE id = ANY($1) AND status <> 'ACTIVE'`, [[small, usd, expired, othersToken, forCs2, good]]);
    expect(rows[0].n).toBe(0);

    // A declined card charged nothing: the token stays usable (ACTIVE), its decline counted.
    const declining = await token(shop.id, cs.id, { max: 5000, number: '4000000000000002' });
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: declining } })).toBe('PAYMENT_DECLINED');
    const after = await db.query(`SELECT status, declined_attempts FROM payment.delegated_payment_tokens WHERE id = $1`, [declining]);
    expect(after.rows[0]).toEqual({ status: 'ACTIVE', declined_attempts: 1 });
    // The good token then pays the same session once.
    const paid = (await agent.ok(PAY, { input: { checkoutSessionId: cs.id, token: good } })).payCheckoutWithDelegatedPayment;
    expect(paid.paymentIntent.status).toBe('SUCCEEDED');
  });
});

describe('a STRIPE-connected merchant', () => {
  it("vaults the card as a Stripe PaymentMethod (secret key, raw card data) and pays the session with it end to end", async () => {
    const stripeShop = await newShop('Stripe Delegated Shop', STRIPE_RAW_CARDS_KEY);
    const cs = await session(stripeShop, 1800);
    const vt = await token(stripeShop.id, cs.id, { max: 2000 });
    // The card went to Stripe with the merchant's secret key, as card data; Handoff kept the pm_ id only.
    const created = stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_methods' && r.key === STRIPE_RAW_CARDS_KEY);
    expect(created).toHaveLength(1);
    expect(created[0]!.form).toMatchObject({ type: 'card', 'card[number]': '4242424242424242', 'card[exp_month]': '11', 'card[cvc]': '223', 'billing_details[name]': 'Jane Doe' });
    const vaulted = (await db.query(`SELECT provider, payment_method_id, card_brand, card_last4, t::text AS row FROM payment.delegated_payment_tokens t WHERE id = $1`, [vt])).rows[0];
    expect(vaulted).toMatchObject({ provider: 'STRIPE', payment_method_id: expect.stringMatching(/^pm_/), card_brand: 'visa', card_last4: '4242' });
    expect(vaulted.row).not.toContain('4242424242424242');

    const paid = (await agent.ok(PAY, { input: { checkoutSessionId: cs.id, token: vt } })).payCheckoutWithDelegatedPayment;
    expect(paid).toMatchObject({ paymentIntent: { id: cs.intentId, status: 'SUCCEEDED', amount: { amountMinor: 1800 } }, token: { id: vt, status: 'CONSUMED', paymentIntentId: cs.intentId } });
    // The session's own Stripe PaymentIntent was confirmed with that payment method, with the secret key.
    const confirm = stripe.requests.filter((r) => r.path.endsWith('/confirm') && r.form.payment_method === vaulted.payment_method_id);
    expect(confirm).toHaveLength(1);
    expect(confirm[0]!.key).toBe(STRIPE_RAW_CARDS_KEY);
    await expect.poll(async () => (await stripeShop.merchant.ok(SESSION, { id: cs.id })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
    expect((await stripeShop.merchant.ok(INTENT, { id: cs.intentId })).paymentIntent.amountCaptured.amountMinor).toBe(1800);
    expect(await agent.errorCode(PAY, { input: { checkoutSessionId: cs.id, token: vt } })).toBe('DELEGATED_TOKEN_USED');
  });

  it('an account not enabled for raw card data: refused with a clear 400, nothing vaulted', async () => {
    const plainShop = await newShop('Stripe Plain Shop', STRIPE_PLAIN_KEY);
    const cs = await session(plainShop, 1000);
    const r = await delegate(plainShop.id, delegateBody(plainShop.id, cs.id));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: 'invalid_request', code: 'invalid_card', param: '$.payment_method.number', message: expect.stringContaining('handle card data directly') });
    expect(JSON.stringify(r.body)).not.toContain('4242424242424242');
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM payment.delegated_payment_tokens WHERE merchant_id = $1`, [plainShop.id]);
    expect(rows[0].n).toBe(0);
    await uncharged(plainShop, cs.intentId);
  });
});

describe("npm start's demo delegated token", () => {
  it('the printed curl line pays its SMARTY checkout (priced: address, shipping and calculation done), once', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'handoff-delegated-demo-'));
    try {
      const demo = await loadDemoData(handoff.graphqlUrl, handoff.adminKey, dataDir);
      const printed = await demoDelegatedPayment(handoff.graphqlUrl, handoff.gatewayUrl, demo);
      expect(printed.acpBaseUrl).toBe(`${handoff.gatewayUrl}/acp/${demo.smartyMerchantId}`);
      const { calls } = await runFlow([printed.payCurl], {});
      expect(calls[0]!.body).toEqual({ data: { payCheckoutWithDelegatedPayment: { paymentIntent: { id: expect.any(String), status: 'SUCCEEDED' }, token: { status: 'CONSUMED' } } } });
      const smarty = admin.as(demo.keys.merchant);
      await expect.poll(async () => (await smarty.ok(SESSION, { id: printed.checkoutSessionId })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
      // Run again: the token paid once; nothing more is charged.
      const again = await fetch(`${handoff.graphqlUrl}`, { method: 'POST', headers: { authorization: `Bearer ${demo.keys.agent}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: PAY, variables: { input: { checkoutSessionId: printed.checkoutSessionId, token: printed.token } } }) });
      expect(((await again.json()) as any).errors[0].extensions.code).toBe('DELEGATED_TOKEN_USED');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
