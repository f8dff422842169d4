// The Stripe connector through the real `stripe` SDK against a stand-in for Stripe's HTTP API
// (fake-stripe-api.ts; Stripe cannot be reached here): idempotency keys on create and refund, a
// refund Stripe answers `pending` recorded PENDING (not counted, but reserved against the
// captured amount) until its SDK-signed webhook says it succeeded or failed; and every Stripe
// call bounded in time, since it runs under the intent's row lock.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutIdempotencyKey } from '../src/payment-intent/payment-intent.commands.js';
import { StripeConnector, STRIPE_MAX_NETWORK_RETRIES, STRIPE_TIMEOUT_MS } from '../src/psp/stripe/stripe-connector.js';
import { pspRefundKey } from '../src/refund/refund.service.js';
import { loadConfig } from '../src/index.js';
import { startFakeStripeApi, type FakeStripeApi } from './fake-stripe-api.js';
import { admin, asMerchant, newId, service, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const WHSEC = 'whsec_stripe_refunds_secret_0123456789';
const PI = `id status provider providerPaymentId amountCaptured { amountMinor } amountRefunded { amountMinor } refunds { id status amount { amountMinor } providerRefundId } events { type }`;
const REFUND = `mutation($id: ID!, $amount: SafeInt, $key: String) { refundPaymentIntent(id: $id, amountMinor: $amount, idempotencyKey: $key) { id status amount { amountMinor } providerRefundId } }`;

let fake: FakeStripeApi;
let h: PaymentsHarness;
let merchantId: string;

beforeAll(async () => {
  fake = await startFakeStripeApi();
  h = await startPaymentsHarness({ STRIPE_API_URL: fake.url });
  const m = await h.callMerchant(admin, `mutation { createMerchant(input: { name: "Stripe refunds shop", country: "GB", defaultCurrency: "GBP", commissionTerms: { type: CPA, cpa: { amountMinor: 1, currency: "GBP" } } }) { id } }`);
  merchantId = m.data!.createMerchant.id;
  await h.callMerchant(admin, `mutation($id: ID!, $wh: String!) { connectPaymentProcessor(merchantId: $id, input: { provider: STRIPE, secretKey: "sk_test_refunds000000000", webhookSecret: $wh }) { provider } }`, { id: merchantId, wh: WHSEC });
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const read = async (id: string) => (await h.call(admin, `query($id: ID!) { paymentIntent(id: $id) { ${PI} } }`, { id })).data!.paymentIntent;
const refundEvent = (type: string, pspId: string, refund: { id: string; amount: number; status: string }) => {
  const payload = JSON.stringify({
    id: newId('evt'),
    object: 'event',
    api_version: '2024-06-20',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object: { id: refund.id, object: 'refund', amount: refund.amount, currency: 'gbp', payment_intent: pspId, status: refund.status, metadata: {} } },
  });
  return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret: WHSEC }), id: JSON.parse(payload).id as string };
};
const processed = (eventId: string) =>
  waitFor(async () => (await h.payments.dataSource.query(`SELECT outcome FROM payment.webhook_inbox WHERE event_id = $1 AND processed_at IS NOT NULL`, [eventId]))[0]?.outcome as string | undefined, 15_000, `event ${eventId}`);

describe('Stripe refunds', () => {
  it('a pending refund is recorded PENDING, reserved, and completed by its webhook; a failed one is released', async () => {
    const session = newId('cs');
    const created = await h.call(service, `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { id provider providerPaymentId } }`, {
      input: { checkoutSessionId: session, merchantId, amountMinor: 1000, currency: 'GBP', metadata: { aap_code: 'aap://x' } },
    });
    const pi = created.data!.createPaymentIntentForCheckout as { id: string; provider: string; providerPaymentId: string };
    expect(pi.provider).toBe('STRIPE');
    const create = fake.requests.find((r) => r.path === '/v1/payment_intents')!;
    expect(create.idempotencyKey).toBe(checkoutIdempotencyKey(session));
    expect(create.form['metadata[handoff_checkout_session_id]']).toBe(session);

    const shop = asMerchant(merchantId);
    const confirmed = await h.call(shop, `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`, { id: pi.id });
    expect(confirmed.data?.confirmPaymentIntent.status).toBe('SUCCEEDED');

    // Stripe answers `pending`: recorded, not counted as refunded.
    const first = (await h.call(shop, REFUND, { id: pi.id, amount: 300, key: 'refund-1' })).data!.refundPaymentIntent;
    expect(first).toMatchObject({ status: 'PENDING', amount: { amountMinor: 300 } });
    expect(fake.requests.filter((r) => r.path === '/v1/refunds').map((r) => r.idempotencyKey)).toEqual([pspRefundKey(pi.id, 'refund-1', first.id)]);
    expect((await h.call(shop, REFUND, { id: pi.id, amount: 300, key: 'refund-1' })).data!.refundPaymentIntent.id).toBe(first.id);
    let now = await read(pi.id);
    expect(now.amountRefunded.amountMinor).toBe(0);
    expect(now.events.map((e: { type: string }) => e.type)).toContain('refund.pending');
    // …but reserved: 1000 captured − 300 pending leaves 700.
    expect((await h.call(shop, REFUND, { id: pi.id, amount: 701 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // The webhook says it succeeded: SUCCEEDED, counted once (a redelivery changes nothing).
    const done = refundEvent('refund.updated', pi.providerPaymentId, { id: first.providerRefundId, amount: 300, status: 'succeeded' });
    expect((await h.postWebhook(merchantId, done.payload, { 'stripe-signature': done.header }, 'stripe')).status).toBe(200);
    expect(await processed(done.id)).toBe('applied');
    now = await read(pi.id);
    expect(now.amountRefunded.amountMinor).toBe(300);
    expect(now.refunds).toEqual([expect.objectContaining({ id: first.id, status: 'SUCCEEDED' })]);
    const again = refundEvent('charge.refund.updated', pi.providerPaymentId, { id: first.providerRefundId, amount: 300, status: 'succeeded' });
    await h.postWebhook(merchantId, again.payload, { 'stripe-signature': again.header }, 'stripe');
    expect(await processed(again.id)).toBe('no_effect:already_there');
    expect((await read(pi.id)).amountRefunded.amountMinor).toBe(300);

    // A second pending refund that fails at Stripe: FAILED, never counted, its amount refundable again.
    const second = (await h.call(shop, REFUND, { id: pi.id, amount: 700, key: 'refund-2' })).data!.refundPaymentIntent;
    expect(second.status).toBe('PENDING');
    expect((await h.call(shop, REFUND, { id: pi.id, amount: 1 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const failed = refundEvent('refund.failed', pi.providerPaymentId, { id: second.providerRefundId, amount: 700, status: 'failed' });
    await h.postWebhook(merchantId, failed.payload, { 'stripe-signature': failed.header }, 'stripe');
    await processed(failed.id);
    now = await read(pi.id);
    expect(now.amountRefunded.amountMinor).toBe(300);
    expect(now.refunds.map((r: { status: string }) => r.status)).toEqual(['SUCCEEDED', 'FAILED']);
    expect((await h.call(shop, REFUND, { id: pi.id, amount: 700, key: 'refund-3' })).data!.refundPaymentIntent.status).toBe('PENDING');
  });
});

describe('Stripe calls are bounded in time (they hold the intent row lock)', () => {
  it('defaults: a short per-attempt timeout and at most one retry', () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    expect(config.stripe).toMatchObject({ timeoutMs: STRIPE_TIMEOUT_MS, maxNetworkRetries: STRIPE_MAX_NETWORK_RETRIES });
    expect(STRIPE_TIMEOUT_MS * (STRIPE_MAX_NETWORK_RETRIES + 1)).toBeLessThanOrEqual(20_000);
  });

  it('a Stripe that never answers fails the call after (1 + retries) timed-out attempts', async () => {
    const hanging = await startFakeStripeApi();
    hanging.hang = true;
    try {
      const connector = new StripeConnector('sk_test_hanging0000000000', { apiUrl: hanging.url, timeoutMs: 300, maxNetworkRetries: 1 });
      const started = Date.now();
      await expect(connector.refundPayment({} as never, 'pi_hanging', { amountMinor: 100, reason: null, idempotencyKey: 'k' })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(hanging.requests.filter((r) => r.path === '/v1/refunds')).toHaveLength(2);
      expect(new Set(hanging.requests.map((r) => r.idempotencyKey))).toEqual(new Set(['k'])); // a retry is the same request
    } finally {
      await hanging.close();
    }
  });
});
