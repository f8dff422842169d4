// Payments through the gateway, as clients and PSPs use them: intents created by the internal
// signed call (as checkout-session makes it), confirmed with every sandbox test card, 3-D
// Secure, capture and refunds over /graphql with a merchant key; the sandbox's own signed
// webhooks come back through POST /webhooks/test/{merchantId}; every webhook case of
// RELIABILITY.md against the gateway's port.
import { randomBytes } from 'node:crypto';
import { InternalClient } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutIdempotencyKey } from '../../subgraphs/payment-intent/src/payment-intent/payment-intent.commands.js';
import { sandboxPaymentId } from '@handoff/psp-sandbox';
import { computeSignature, signatureHeader } from '../../subgraphs/payment-intent/src/webhooks/signature.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const PI = `id status providerPaymentId amount { amountMinor currency } amountCaptured { amountMinor } amountRefunded { amountMinor }
  nextAction { type } lastPaymentError { code declineCode } events { type } refunds { amount { amountMinor } }`;
const CREATE = `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { id providerPaymentId } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { ${PI} } }`;
const THREE_DS = `mutation($id: ID!, $ok: Boolean!) { completeThreeDSecure(id: $id, approved: $ok) { ${PI} } }`;
const CAPTURE = `mutation($id: ID!, $amount: SafeInt) { capturePaymentIntent(id: $id, amountMinor: $amount) { ${PI} } }`;
const REFUND = `mutation($id: ID!, $amount: SafeInt) { refundPaymentIntent(id: $id, amountMinor: $amount) { id amount { amountMinor } status } }`;
const BY_ID = `query($id: ID!) { paymentIntent(id: $id) { ${PI} } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let merchant: GqlClient;
let shop: { id: string; secret: string };
let other: { id: string; secret: string };
let internal: InternalClient;

async function testMerchant(name: string) {
  const m = (
    await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 100, currency: 'GBP' } } },
    })
  ).createMerchant;
  const c = (await admin.ok(`mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id: m.id }))
    .connectPaymentProcessor;
  return { id: m.id as string, secret: c.webhookSecret as string };
}

async function intent(opts: { captureMode?: 'AUTOMATIC' | 'MANUAL'; session?: string } = {}) {
  const checkoutSessionId = opts.session ?? `cs_${randomBytes(8).toString('hex')}`;
  const data = await internal.request<{ createPaymentIntentForCheckout: { id: string; providerPaymentId: string } }>(CREATE, {
    input: { checkoutSessionId, merchantId: shop.id, amountMinor: 1000, currency: 'GBP', captureMode: opts.captureMode ?? 'AUTOMATIC', metadata: { aap_code: 'aap://e2e' } },
  });
  return data.createPaymentIntentForCheckout;
}

const read = async (id: string) => (await merchant.ok(BY_ID, { id })).paymentIntent;
async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function post(merchantId: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${handoff.gatewayUrl}/webhooks/test/${merchantId}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}
const signed = (merchantId: string, secret: string, e: object, t?: number) => {
  const body = JSON.stringify(e);
  return post(merchantId, body, { 'handoff-signature': signatureHeader(secret, body, t) });
};
const event = (type: string, object: Record<string, unknown>) => ({ id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
const piObject = (id: string, status: string, metadata: Record<string, string> = { handoff_checkout_session_id: 'x' }) => ({
  id,
  object: 'payment_intent',
  amount: 1000,
  amount_received: status === 'succeeded' ? 1000 : 0,
  currency: 'gbp',
  status,
  metadata,
});
const inbox = async (eventId: string) => {
  const ds = handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app.dataSource;
  return (await ds.query(`SELECT processed_at, outcome FROM payment.webhook_inbox WHERE event_id = $1`, [eventId])) as Array<{ processed_at: Date | null; outcome: string | null }>;
};

beforeAll(async () => {
  handoff = await startTestHandoff({ extraEnv: { SANDBOX_PROCESSING_DELAY_MS: '300', PSP_CREDENTIALS_CACHE_MS: '0' } });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await testMerchant('Shop');
  other = await testMerchant('Other');
  const key = (await admin.ok(`mutation($id: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $id }) { key } }`, { id: shop.id })).createApiKey.key;
  merchant = admin.as(key);
  const url = handoff.subgraphs.find((s) => s.name === 'payment-intent')!.url;
  internal = new InternalClient({ url, secret: handoff.env.HANDOFF_INTERNAL_SECRET!, service: 'checkout-session' });
});
afterAll(async () => handoff?.stop());

describe('payments through the gateway', () => {
  it('4242 succeeds, and the sandbox’s signed webhook comes back through the gateway', async () => {
    const pi = await intent();
    expect((await merchant.ok(CONFIRM, { id: pi.id, card: '4242424242424242' })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    const done = await eventually(async () => {
      const p = await read(pi.id);
      return p.events.some((e: { type: string }) => e.type === 'psp.payment_intent.succeeded') && p;
    }, 'sandbox webhook through the gateway');
    expect(done).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 1000 } });
  });

  it.each([
    ['4000000000000002', 'generic_decline'],
    ['4000000000009995', 'insufficient_funds'],
  ])('%s → PAYMENT_DECLINED (%s), recorded on the intent', async (card, declineCode) => {
    const pi = await intent();
    const res = await merchant.request(CONFIRM, { id: pi.id, card });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', reason: `payment_declined:${declineCode}` });
    expect(await read(pi.id)).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', lastPaymentError: { code: 'card_declined', declineCode } });
  });

  it('4000002760003184: 3-D Secure approved, and failed', async () => {
    const a = await intent();
    expect((await merchant.ok(CONFIRM, { id: a.id, card: '4000002760003184' })).confirmPaymentIntent).toMatchObject({ status: 'REQUIRES_ACTION', nextAction: { type: 'three_d_secure' } });
    expect((await merchant.ok(THREE_DS, { id: a.id, ok: true })).completeThreeDSecure.status).toBe('SUCCEEDED');
    const b = await intent();
    await merchant.ok(CONFIRM, { id: b.id, card: '4000002760003184' });
    expect((await merchant.request(THREE_DS, { id: b.id, ok: false })).errors?.[0]?.extensions?.reason).toBe('payment_declined:authentication_failed');
    expect((await read(b.id)).status).toBe('REQUIRES_PAYMENT_METHOD');
  });

  it('4000000000000077: PROCESSING, then SUCCEEDED by webhook', async () => {
    const pi = await intent();
    expect((await merchant.ok(CONFIRM, { id: pi.id, card: '4000000000000077' })).confirmPaymentIntent.status).toBe('PROCESSING');
    await eventually(async () => (await read(pi.id)).status === 'SUCCEEDED', 'settled by webhook');
  });

  it('manual capture (partial), refunds partial and full, never above captured', async () => {
    const pi = await intent({ captureMode: 'MANUAL' });
    expect((await merchant.ok(CONFIRM, { id: pi.id, card: '4242424242424242' })).confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    expect((await merchant.ok(CAPTURE, { id: pi.id, amount: 700 })).capturePaymentIntent).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 700 } });
    expect(await merchant.errorCode(REFUND, { id: pi.id, amount: 701 })).toBe('BAD_USER_INPUT');
    expect((await merchant.ok(REFUND, { id: pi.id, amount: 200 })).refundPaymentIntent).toMatchObject({ amount: { amountMinor: 200 }, status: 'SUCCEEDED' });
    expect((await merchant.ok(REFUND, { id: pi.id })).refundPaymentIntent.amount.amountMinor).toBe(500);
    expect(await merchant.errorCode(REFUND, { id: pi.id, amount: 1 })).toBe('BAD_USER_INPUT');
    expect((await read(pi.id)).amountRefunded.amountMinor).toBe(700);
    const full = await intent();
    await merchant.ok(CONFIRM, { id: full.id, card: '4242424242424242' });
    expect((await merchant.ok(REFUND, { id: full.id })).refundPaymentIntent.amount.amountMinor).toBe(1000);
  });

  it("another merchant's key sees nothing", async () => {
    const pi = await intent();
    const key = (await admin.ok(`mutation($id: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $id }) { key } }`, { id: other.id })).createApiKey.key;
    const them = admin.as(key);
    expect((await them.ok(BY_ID, { id: pi.id })).paymentIntent).toBeNull();
    expect(await them.errorCode(CONFIRM, { id: pi.id, card: '4242424242424242' })).toBe('PAYMENT_INTENT_NOT_FOUND');
  });
});

describe('webhooks in, on the gateway port', () => {
  it('5 concurrent duplicates → one queued, four duplicates, one effect', async () => {
    const pi = await intent();
    const e = event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded'));
    const body = JSON.stringify(e);
    const header = signatureHeader(shop.secret, body);
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(shop.id, body, { 'handoff-signature': header })));
    expect(answers.map((a) => a.json.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'queued']);
    await eventually(async () => (await read(pi.id)).status === 'SUCCEEDED', 'applied');
    expect(await inbox(e.id)).toHaveLength(1);
  });

  it('400 and nothing stored: stale, future, tampered, re-serialised, wrong merchant’s secret, missing or garbage header, v0 only', async () => {
    const pi = await intent();
    const now = Math.floor(Date.now() / 1000);
    const variants: Array<(b: string) => [string, Record<string, string>]> = [
      // Well past the 300 s tolerance on either side, from the clock at signing (a slow run must not drift into it).
      (b) => [b, { 'handoff-signature': signatureHeader(shop.secret, b, Math.floor(Date.now() / 1000) - 330) }],
      (b) => [b, { 'handoff-signature': signatureHeader(shop.secret, b, Math.floor(Date.now() / 1000) + 330) }],
      (b) => [b.replace('"amount":1000', '"amount":1'), { 'handoff-signature': signatureHeader(shop.secret, b) }],
      (b) => [JSON.stringify(JSON.parse(b), null, 2), { 'handoff-signature': signatureHeader(shop.secret, b) }],
      (b) => [b, { 'handoff-signature': signatureHeader(other.secret, b) }],
      (b) => [b, {}],
      (b) => [b, { 'handoff-signature': 'garbage' }],
      (b) => [b, { 'handoff-signature': `t=${now},v0=${computeSignature(shop.secret, now, b)}` }],
    ];
    for (const make of variants) {
      const e = event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded'));
      const [body, headers] = make(JSON.stringify(e));
      expect((await post(shop.id, body, headers)).status).toBe(400);
      expect(await inbox(e.id)).toHaveLength(0);
    }
  });

  it('several v1 during a secret rotation: accepted when one matches the current secret', async () => {
    const pi = await intent();
    const e = event('payment_intent.processing', piObject(pi.providerPaymentId, 'processing'));
    const body = JSON.stringify(e);
    const t = Math.floor(Date.now() / 1000);
    const rotated = `t=${t},v1=${computeSignature('whsec_retired_secret_0000000000000', t, body)},v1=${computeSignature(shop.secret, t, body)}`;
    expect(await post(shop.id, body, { 'handoff-signature': rotated })).toEqual({ status: 200, json: { received: true, status: 'queued' } });
    await eventually(async () => (await read(pi.id)).status === 'PROCESSING', 'applied');
    // Only retired or foreign secrets: refused.
    const stale = event('payment_intent.processing', piObject(pi.providerPaymentId, 'processing'));
    const staleBody = JSON.stringify(stale);
    const none = `t=${t},v1=${computeSignature('whsec_retired_secret_0000000000000', t, staleBody)},v1=${computeSignature(other.secret, t, staleBody)}`;
    expect((await post(shop.id, staleBody, { 'handoff-signature': none })).status).toBe(400);
    expect(await inbox(stale.id)).toHaveLength(0);
  });

  it('413 when too large; unknown type → 200, recorded, no effect', async () => {
    expect((await post(shop.id, JSON.stringify({ pad: 'x'.repeat(400_000) }), { 'handoff-signature': 't=1,v1=' + 'a'.repeat(64) })).status).toBe(413);
    const e = event('invoice.paid', { id: 'in_1', object: 'invoice', metadata: {} });
    expect(await signed(shop.id, shop.secret, e)).toEqual({ status: 200, json: { received: true, status: 'queued' } });
    await eventually(async () => (await inbox(e.id))[0]?.processed_at, 'recorded');
    expect((await inbox(e.id))[0]?.outcome).toMatch(/^no_effect:/);
  });

  it('out of order converges; an unknown intent is kept and reconciled', async () => {
    const pi = await intent();
    await signed(shop.id, shop.secret, event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded')));
    await eventually(async () => (await read(pi.id)).status === 'SUCCEEDED', 'succeeded');
    const late = event('payment_intent.processing', piObject(pi.providerPaymentId, 'processing'));
    await signed(shop.id, shop.secret, late);
    await eventually(async () => (await inbox(late.id))[0]?.processed_at, 'late processed');
    expect((await read(pi.id)).status).toBe('SUCCEEDED');

    const session = `cs_${randomBytes(8).toString('hex')}`;
    const pspId = sandboxPaymentId(shop.id, checkoutIdempotencyKey(session));
    const early = event('payment_intent.succeeded', piObject(pspId, 'succeeded', { handoff_checkout_session_id: session }));
    expect((await signed(shop.id, shop.secret, early)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await inbox(early.id))[0]?.processed_at).toBeNull();
    const created = await intent({ session });
    await eventually(async () => (await read(created.id)).status === 'SUCCEEDED', 'reconciled');
  });

  it('PostgreSQL down → 5xx, nothing stored (last: it breaks this Handoff)', async () => {
    const app = handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app;
    const e = event('payment_intent.succeeded', piObject('pi_sbx_down', 'succeeded'));
    await app.dataSource.destroy();
    const res = await signed(shop.id, shop.secret, e);
    expect(res.status).toBe(503);
    await app.dataSource.initialize();
    expect(await inbox(e.id)).toHaveLength(0);
  });
});
