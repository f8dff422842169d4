// Webhook ingestion, case by case (RELIABILITY.md "Webhook ingestion"), through the gateway's
// webhook route into the subgraph: signatures, the inbox, duplicates, order, unknown
// payments, an unavailable database.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, loadConfig } from '../src/index.js';
import { checkoutIdempotencyKey } from '../src/payment-intent/payment-intent.commands.js';
import { sandboxPaymentId } from '@handoff/psp-sandbox';
import { computeSignature, signatureHeader } from '../src/webhooks/signature.js';
import { testEnv } from '../../../test/support/env.js';
import { callInternalTo } from './internal-call.js';
import { admin, asMerchant, newId, service, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let shop: { id: string; webhookSecret: string };
let other: { id: string; webhookSecret: string };

beforeAll(async () => {
  h = await startPaymentsHarness();
  shop = await h.testMerchant('Shop');
  other = await h.testMerchant('Other');
});
afterAll(async () => h?.close());

const CREATE = `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { id providerPaymentId status } }`;
const BY_ID = `query($id: ID!) { paymentIntent(id: $id) { id status amountCaptured { amountMinor } amountRefunded { amountMinor } refunds { amount { amountMinor } } } }`;

async function intent(session = newId('cs')) {
  const res = await h.call(service, CREATE, { input: { checkoutSessionId: session, merchantId: shop.id, amountMinor: 1000, currency: 'GBP', metadata: { aap_code: 'aap://x' } } });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.createPaymentIntentForCheckout as { id: string; providerPaymentId: string };
}

function event(type: string, object: Record<string, unknown>, id = `evt_${randomBytes(8).toString('hex')}`) {
  return { id, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } };
}
const piObject = (pspId: string, status: string, extra: Record<string, unknown> = {}) => ({
  id: pspId,
  object: 'payment_intent',
  amount: 1000,
  amount_received: status === 'succeeded' ? 1000 : 0,
  currency: 'gbp',
  status,
  metadata: { aap_code: 'aap://x', handoff_checkout_session_id: 'cs' },
  ...extra,
});
const chargeRefunded = (pspId: string, refunded: number, refundId: string) => ({
  id: pspId.replace('pi_', 'ch_'),
  object: 'charge',
  payment_intent: pspId,
  amount: 1000,
  amount_captured: 1000,
  amount_refunded: refunded,
  currency: 'gbp',
  status: 'succeeded',
  metadata: {},
  refunds: { object: 'list', data: [{ id: refundId, object: 'refund', amount: refunded, status: 'succeeded' }] },
});

const inboxCount = async (eventId: string) => Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payment.webhook_inbox WHERE event_id = $1`, [eventId]))[0].n);
const processed = (eventId: string) =>
  waitFor(async () => {
    const rows = await h.payments.dataSource.query(`SELECT outcome FROM payment.webhook_inbox WHERE event_id = $1 AND processed_at IS NOT NULL`, [eventId]);
    return rows[0]?.outcome as string | undefined;
  }, 15_000, `inbox ${eventId} processed`);
const pspEvents = async (eventId: string) => Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payment.outbox WHERE topic LIKE 'psp_event.%' AND payload->'pspEvent'->>'id' = $1`, [eventId]))[0].n);
const read = async (id: string) => (await h.call(admin, BY_ID, { id })).data!.paymentIntent;

describe('webhook ingestion', () => {
  it('a valid event is stored, answered 200 queued, applied once', async () => {
    const pi = await intent();
    const e = event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded'));
    const res = await h.signedWebhook(shop.id, shop.webhookSecret, e);
    expect(res).toEqual({ status: 200, json: { received: true, status: 'queued' } });
    expect(await processed(e.id)).toBe('applied');
    expect(await read(pi.id)).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 1000 } });
    expect(await pspEvents(e.id)).toBe(1);
  });

  it('5 concurrent deliveries of one event: one row, one effect, 4 duplicates', async () => {
    const pi = await intent();
    const e = event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded'));
    const body = JSON.stringify(e);
    const header = signatureHeader(shop.webhookSecret, body);
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.postWebhook(shop.id, body, { 'handoff-signature': header })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.json.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'queued']);
    await processed(e.id);
    expect(await inboxCount(e.id)).toBe(1);
    expect(await pspEvents(e.id)).toBe(1);
    const late = await h.postWebhook(shop.id, body, { 'handoff-signature': signatureHeader(shop.webhookSecret, body) });
    expect(late.json.status).toBe('duplicate');
    expect(await pspEvents(e.id)).toBe(1);
  });

  it('refuses bad signatures with 400 and stores nothing', async () => {
    const pi = await intent();
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, (body: string) => { body: string; headers: Record<string, string> }]> = [
      ['stale timestamp', (b) => ({ body: b, headers: { 'handoff-signature': signatureHeader(shop.webhookSecret, b, Math.floor(Date.now() / 1000) - 330) } })],
      ['future timestamp', (b) => ({ body: b, headers: { 'handoff-signature': signatureHeader(shop.webhookSecret, b, Math.floor(Date.now() / 1000) + 330) } })],
      ['tampered body', (b) => ({ body: b.replace('1000', '1'), headers: { 'handoff-signature': signatureHeader(shop.webhookSecret, b) } })],
      ['re-serialised JSON', (b) => ({ body: JSON.stringify(JSON.parse(b), null, 1), headers: { 'handoff-signature': signatureHeader(shop.webhookSecret, b) } })],
      ["another merchant's secret", (b) => ({ body: b, headers: { 'handoff-signature': signatureHeader(other.webhookSecret, b) } })],
      ['missing header', (b) => ({ body: b, headers: {} })],
      ['garbage header', (b) => ({ body: b, headers: { 'handoff-signature': 'garbage' } })],
      ['v0 only', (b) => ({ body: b, headers: { 'handoff-signature': `t=${now},v0=${computeSignature(shop.webhookSecret, now, b)}` } })],
    ];
    for (const [name, make] of cases) {
      const e = event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded'));
      const { body, headers } = make(JSON.stringify(e));
      const res = await h.postWebhook(shop.id, body, headers);
      expect(res.status, name).toBe(400);
      expect(await inboxCount(e.id), name).toBe(0);
    }
    expect((await read(pi.id)).status).toBe('REQUIRES_PAYMENT_METHOD');
  });

  it('accepts a rotated secret among several v1 signatures', async () => {
    const pi = await intent();
    const e = event('payment_intent.processing', piObject(pi.providerPaymentId, 'processing'));
    const body = JSON.stringify(e);
    const t = Math.floor(Date.now() / 1000);
    const header = `t=${t},v1=${computeSignature('whsec_old_secret_xxxxxxxxxxxxxxxx', t, body)},v1=${computeSignature(shop.webhookSecret, t, body)}`;
    expect((await h.postWebhook(shop.id, body, { 'handoff-signature': header })).status).toBe(200);
  });

  it('413 for a body over the limit, before any verification', async () => {
    const big = JSON.stringify({ id: 'evt_big', type: 'x', data: { object: { pad: 'x'.repeat(300 * 1024) } } });
    const res = await h.postWebhook(shop.id, big, { 'handoff-signature': 't=1,v1=' + '0'.repeat(64) });
    expect(res.status).toBe(413);
    expect(await inboxCount('evt_big')).toBe(0);
  });

  it('an unknown event type: 200, recorded, no effect', async () => {
    const e = event('customer.created', { id: 'cus_123', object: 'customer', metadata: {} });
    const res = await h.signedWebhook(shop.id, shop.webhookSecret, e);
    expect(res.status).toBe(200);
    expect(await processed(e.id)).toBe('no_effect:unknown_payment');
  });

  it('out of order: succeeded before processing ends SUCCEEDED; refunded before succeeded ends SUCCEEDED with the refund', async () => {
    const a = await intent();
    const s1 = event('payment_intent.succeeded', piObject(a.providerPaymentId, 'succeeded'));
    await h.signedWebhook(shop.id, shop.webhookSecret, s1);
    await processed(s1.id);
    const p1 = event('payment_intent.processing', piObject(a.providerPaymentId, 'processing'));
    await h.signedWebhook(shop.id, shop.webhookSecret, p1);
    expect(await processed(p1.id)).toBe('no_effect:already_there');
    expect((await read(a.id)).status).toBe('SUCCEEDED');

    const b = await intent();
    const r = event('charge.refunded', chargeRefunded(b.providerPaymentId, 300, `re_${randomBytes(6).toString('hex')}`));
    await h.signedWebhook(shop.id, shop.webhookSecret, r);
    await processed(r.id);
    const s2 = event('payment_intent.succeeded', piObject(b.providerPaymentId, 'succeeded'));
    await h.signedWebhook(shop.id, shop.webhookSecret, s2);
    await processed(s2.id);
    expect(await read(b.id)).toMatchObject({ status: 'SUCCEEDED', amountCaptured: { amountMinor: 1000 }, amountRefunded: { amountMinor: 300 }, refunds: [{ amount: { amountMinor: 300 } }] });
  });

  it('an event for a payment not known yet is kept, retried, and applied when the intent appears', async () => {
    const session = newId('cs');
    const pspId = sandboxPaymentId(shop.id, checkoutIdempotencyKey(session));
    const e = event('payment_intent.succeeded', { ...piObject(pspId, 'succeeded'), metadata: { handoff_checkout_session_id: session } });
    expect((await h.signedWebhook(shop.id, shop.webhookSecret, e)).json.status).toBe('queued');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await inboxCount(e.id)).toBe(1);
    const unprocessed = await h.payments.dataSource.query(`SELECT processed_at FROM payment.webhook_inbox WHERE event_id = $1`, [e.id]);
    expect(unprocessed[0].processed_at).toBeNull();
    const pi = await intent(session);
    expect(pi.providerPaymentId).toBe(pspId);
    expect(await processed(e.id)).toBe('applied');
    expect((await read(pi.id)).status).toBe('SUCCEEDED');
  });

  it('a late event of an attempt that is over moves nothing: no reopened 3-D Secure, no failed retry', async () => {
    const pi = await intent();
    const m = asMerchant(shop.id);
    const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4000002760003184" }) { status } }`;
    const THREE_DS = `mutation($id: ID!, $ok: Boolean!) { completeThreeDSecure(id: $id, approved: $ok) { status } }`;
    const methodOf = async () => (await h.payments.dataSource.query(`SELECT payment_method_id FROM payment.payment_intents WHERE id = $1`, [pi.id]))[0].payment_method_id as string;
    const settled = () =>
      waitFor(async () => Number((await h.payments.dataSource.query(`SELECT count(*) AS n FROM payment.webhook_inbox WHERE provider_payment_id = $1 AND processed_at IS NULL`, [pi.providerPaymentId]))[0].n) === 0, 15_000, 'inbox drained');

    expect((await h.call(m, CONFIRM, { id: pi.id })).data!.confirmPaymentIntent.status).toBe('REQUIRES_ACTION');
    const first = await methodOf();
    expect((await h.call(m, THREE_DS, { id: pi.id, ok: false })).errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    // The first attempt's requires_action, delivered after its failure.
    const late = event('payment_intent.requires_action', piObject(pi.providerPaymentId, 'requires_action', { payment_method: first }));
    await h.signedWebhook(shop.id, shop.webhookSecret, late);
    expect(await processed(late.id)).toBe('no_effect:stale_attempt');
    await settled();
    expect((await read(pi.id)).status).toBe('REQUIRES_PAYMENT_METHOD');

    // A second attempt in flight; the first attempt's failure, delivered late, does not fail it.
    expect((await h.call(m, CONFIRM, { id: pi.id })).data!.confirmPaymentIntent.status).toBe('REQUIRES_ACTION');
    expect(await methodOf()).not.toBe(first);
    const lateFailure = event('payment_intent.payment_failed', piObject(pi.providerPaymentId, 'requires_payment_method', { payment_method: first, last_payment_error: { code: 'card_declined', decline_code: 'authentication_failed', message: 'x' } }));
    await h.signedWebhook(shop.id, shop.webhookSecret, lateFailure);
    expect(await processed(lateFailure.id)).toBe('no_effect:stale_attempt');
    await settled();
    expect((await read(pi.id)).status).toBe('REQUIRES_ACTION');
    expect((await h.call(m, THREE_DS, { id: pi.id, ok: true })).data!.completeThreeDSecure.status).toBe('SUCCEEDED');
  });

  it("an event about another merchant's payment has no effect", async () => {
    const pi = await intent();
    const e = event('payment_intent.succeeded', piObject(pi.providerPaymentId, 'succeeded'));
    await h.signedWebhook(other.id, other.webhookSecret, e);
    expect(await processed(e.id)).toBe('no_effect:merchant_mismatch');
    expect((await read(pi.id)).status).toBe('REQUIRES_PAYMENT_METHOD');
    expect(await pspEvents(e.id)).toBe(0);
  });

  it('PostgreSQL down: 503 and nothing half-written', async () => {
    const env = testEnv();
    // A second payment-intent instance whose database connection is gone.
    const broken = await createApp(
      loadConfig({ DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-broken`, NODE_ENV: 'test', HANDOFF_INTERNAL_SECRET: h.secret, LOG_LEVEL: 'silent', MERCHANT_URL: h.merchantUrl }),
    );
    const server = await broken.listen(0);
    await broken.dataSource.destroy();
    try {
      const e = event('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent', amount: 1, currency: 'gbp', status: 'succeeded', metadata: {} });
      const body = JSON.stringify(e);
      const res = await callInternalTo(server.url, h.secret, `/webhooks/test/${shop.id}`, Buffer.from(body), { 'handoff-signature': signatureHeader(shop.webhookSecret, body) });
      expect(res.status).toBe(503);
      expect(await inboxCount(e.id)).toBe(0);
    } finally {
      await server.close();
      await broken.close();
    }
  });

  it('an admin lists failed jobs and replays one', async () => {
    const list = await h.call(admin, `query { failedPaymentJobs(first: 10) { queue id failedReason attemptsMade } }`);
    expect(list.errors).toBeUndefined();
    expect(Array.isArray(list.data!.failedPaymentJobs)).toBe(true);
    expect((await h.call(asMerchant(shop.id), `query { failedPaymentJobs { id } }`)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const replay = await h.call(admin, `mutation { replayFailedPaymentJob(queue: "webhook-ingest", jobId: "nope") }`);
    expect(replay.data!.replayFailedPaymentJob).toBe(false);

    // A sandbox delivery that cannot succeed (the merchant left the sandbox) fails for good…
    const m = await h.testMerchant('Leaver');
    const res = await h.call(service, CREATE, { input: { checkoutSessionId: newId('cs'), merchantId: m.id, amountMinor: 500, currency: 'GBP' } });
    const pi = res.data!.createPaymentIntentForCheckout;
    await h.call(asMerchant(m.id), `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`, { id: pi.id });
    await waitFor(async () => (await h.payments.dataSource.query(`SELECT 1 FROM payment.webhook_inbox WHERE merchant_id = $1 AND event_type = 'payment_intent.succeeded'`, [m.id])).length > 0, 10_000, 'succeeded webhook');
    await h.callMerchant(admin, `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: STRIPE, secretKey: "sk_test_aaaaaaaaaaaaaaaa" }) { provider } }`, { id: m.id });
    await h.call(admin, `mutation($id: ID!) { sandboxTriggerRefund(paymentIntentId: $id, amountMinor: 100) { refundId } }`, { id: pi.id });
    const failed = await waitFor(async () => {
      const jobs = (await h.call(admin, `query { failedPaymentJobs(queue: "sandbox-webhook-delivery") { queue id failedReason data } }`)).data!.failedPaymentJobs as Array<{ id: string; failedReason: string; data: any }>;
      return jobs.find((j) => j.data.payload?.merchantId === m.id);
    }, 10_000, 'failed delivery');
    expect(failed.failedReason).toContain('no TEST connector');
    // …until an operator fixes the cause and replays it.
    const back = await h.callMerchant(admin, `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id: m.id });
    expect(back.data!.connectPaymentProcessor.webhookSecret).toMatch(/^whsec_/);
    expect((await h.call(admin, `mutation($id: ID!) { replayFailedPaymentJob(queue: "sandbox-webhook-delivery", jobId: $id) }`, { id: failed.id })).data!.replayFailedPaymentJob).toBe(true);
    await waitFor(async () => (await read(pi.id)).amountRefunded.amountMinor === 100, 10_000, 'replayed refund applied');
  });
});
