// The Stripe path of webhook ingestion with SDK-signed fixtures (Stripe itself cannot be
// reached here), and the inbox sweep that re-adds jobs after Redis lost them.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, outboxJobIdOfRow } from '@handoff/shared';
import { LEDGER_PAYMENT_EVENTS_QUEUE } from '../src/events.js';
import { PAYMENT_SCHEMA } from '../src/payment-intent/payment-intent.changes.js';
import { checkoutIdempotencyKey } from '../src/payment-intent/payment-intent.commands.js';
import { IngestQueue, ingestJobId } from '../src/webhooks/ingest-webhook.job.js';
import { sandboxPaymentId } from '@handoff/psp-sandbox';
import { admin, newId, service, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/stripe/${name}.json`, import.meta.url), 'utf8');
const WHSEC = 'whsec_stripe_fixture_secret_0123456789';

let h: PaymentsHarness;
let stripeMerchant: string;
let shop: { id: string; webhookSecret: string };

beforeAll(async () => {
  h = await startPaymentsHarness({ WEBHOOK_SWEEP_AFTER_MS: '200', WEBHOOK_SWEEP_INTERVAL_MS: '300', OUTBOX_SWEEP_AFTER_MS: '200', OUTBOX_SWEEP_INTERVAL_MS: '300' });
  shop = await h.testMerchant('Sandbox shop');
  const m = await h.callMerchant(admin, `mutation { createMerchant(input: { name: "Stripe shop", country: "GB", defaultCurrency: "GBP", commissionTerms: { type: CPA, cpa: { amountMinor: 1, currency: "GBP" } } }) { id } }`);
  stripeMerchant = m.data!.createMerchant.id;
  await h.callMerchant(admin, `mutation($id: ID!, $wh: String!) { connectPaymentProcessor(merchantId: $id, input: { provider: STRIPE, secretKey: "sk_test_fixture000000000", webhookSecret: $wh }) { provider } }`, {
    id: stripeMerchant,
    wh: WHSEC,
  });
});
afterAll(async () => h?.close());

const inbox = async (eventId: string) =>
  (await h.payments.dataSource.query(`SELECT processed_at, outcome FROM payment.webhook_inbox WHERE event_id = $1`, [eventId])) as Array<{ processed_at: Date | null; outcome: string | null }>;

describe('Stripe webhooks', () => {
  it('accepts an SDK-signed event and records it', async () => {
    const payload = fixture('customer.created');
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WHSEC });
    const res = await h.postWebhook(stripeMerchant, payload, { 'stripe-signature': header }, 'stripe');
    expect(res).toEqual({ status: 200, json: { received: true, status: 'queued' } });
    await waitFor(async () => (await inbox('evt_1PqLwE2eZvKYlo2Cx1y2z3a4'))[0]?.processed_at, 10_000, 'processed');
  });

  it('refuses future, stale, tampered, wrong-secret and test-scheme deliveries', async () => {
    const payload = fixture('charge.refunded');
    const now = Math.floor(Date.now() / 1000);
    const sign = (t: number, secret = WHSEC) => Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t });
    const cases: Array<[string, Record<string, string>]> = [
      [payload, { 'stripe-signature': sign(now + 400) }],
      [payload, { 'stripe-signature': sign(now - 400) }],
      [payload.replace('"amount_refunded": 300', '"amount_refunded": 1000'), { 'stripe-signature': sign(now) }],
      [payload, { 'stripe-signature': sign(now, shop.webhookSecret) }],
      [payload, { 'handoff-signature': sign(now) }],
    ];
    for (const [body, headers] of cases) expect((await h.postWebhook(stripeMerchant, body, headers, 'stripe')).status).toBe(400);
    // A TEST merchant's URL under /stripe has no Stripe secret.
    expect((await h.postWebhook(shop.id, payload, { 'stripe-signature': sign(now, shop.webhookSecret) }, 'stripe')).status).toBe(400);
    expect(await inbox('evt_3PqLtB2eZvKYlo2C1r9Q8p7o')).toHaveLength(0);
  });
});

describe('the inbox is the truth', () => {
  it('after a Redis flush, the sweep re-adds the job of an unprocessed event', async () => {
    const session = newId('cs');
    const pspId = sandboxPaymentId(shop.id, checkoutIdempotencyKey(session));
    const e = { id: newId('evt'), object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), data: { object: { id: pspId, object: 'payment_intent', amount: 800, amount_received: 800, currency: 'gbp', status: 'succeeded', metadata: { handoff_checkout_session_id: session } } } };
    expect((await h.signedWebhook(shop.id, shop.webhookSecret, e)).json.status).toBe('queued');
    // Redis loses everything of this Handoff's queues.
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const keys = await redis.keys(`${h.queuePrefix}:webhook-ingest:*`);
      if (keys.length) await redis.del(...keys);
      await waitFor(async () => (await redis.keys(`${h.queuePrefix}:webhook-ingest:webhook-inbox-*`)).length > 0, 10_000, 'job re-added by the sweep');
    } finally {
      redis.disconnect();
    }
    const created = await h.call(service, `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { id } }`, {
      input: { checkoutSessionId: session, merchantId: shop.id, amountMinor: 800, currency: 'GBP' },
    });
    const id = created.data!.createPaymentIntentForCheckout.id;
    await waitFor(async () => (await h.call(admin, `query($id: ID!) { paymentIntent(id: $id) { status } }`, { id })).data!.paymentIntent.status === 'SUCCEEDED', 15_000, 'applied after the flush');
  });

  it('after a flush, the outbox sweep re-adds the ledger\'s job for a payment that succeeded (nothing marks it delivered before its job ran)', async () => {
    // No ledger worker runs in this harness: the job stays waiting, and its outbox row must stay
    // undelivered, so that a job Redis loses is added again. (The relay once read its routes before
    // the subgraph handed them over, marked every row delivered at its claim, and a Redis restart
    // in the webhook storm lost a conversion.)
    const session = newId('cs');
    const created = await h.call(service, `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { id } }`, {
      input: { checkoutSessionId: session, merchantId: shop.id, amountMinor: 900, currency: 'GBP' },
    });
    const id = created.data!.createPaymentIntentForCheckout.id as string;
    const pspId = sandboxPaymentId(shop.id, checkoutIdempotencyKey(session));
    const e = { id: newId('evt'), object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), data: { object: { id: pspId, object: 'payment_intent', amount: 900, amount_received: 900, currency: 'gbp', status: 'succeeded', metadata: { handoff_checkout_session_id: session } } } };
    expect((await h.signedWebhook(shop.id, shop.webhookSecret, e)).json.status).toBe('queued');
    const row = async () =>
      ((await h.payments.dataSource.query(`SELECT id::text AS id, job_key::text AS "jobKey", published_at, delivered_at FROM payment.outbox WHERE topic = 'psp_event.succeeded' AND aggregate_id = $1`, [id])) as Array<{ id: string; jobKey: string | null; published_at: Date | null; delivered_at: Date | null }>)[0];
    const published = await waitFor(async () => ((await row())?.published_at ? row() : null), 10_000, 'psp_event.succeeded published');
    expect(published!.delivered_at).toBeNull();
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const jobKey = `${h.queuePrefix}:${LEDGER_PAYMENT_EVENTS_QUEUE}:${outboxJobIdOfRow(PAYMENT_SCHEMA, published!)}`;
      expect(await redis.exists(jobKey)).toBe(1);
      const keys = await redis.keys(`${h.queuePrefix}:${LEDGER_PAYMENT_EVENTS_QUEUE}:*`);
      await redis.del(...keys);
      await waitFor(async () => (await redis.exists(jobKey)) === 1, 10_000, 'the ledger job re-added by the outbox sweep');
      expect((await row())!.delivered_at).toBeNull();
    } finally {
      redis.disconnect();
    }
  });

  it('after a flush during a backlog, one sweep re-adds the job of every unprocessed event, not a page of them', async () => {
    // 1,200 stored events whose jobs Redis lost, swept by an IngestQueue of its own (no worker
    // consumes its queue, so what it added stays there to count). Received "in an hour", so the
    // harness's own sweep leaves them alone; this one is told to look that far.
    const marker = newId('evt_sweep');
    await h.payments.dataSource.query(
      `INSERT INTO payment.webhook_inbox (provider, event_id, merchant_id, event_type, provider_payment_id, body, received_at)
       SELECT 'stripe', $1 || '_' || n, $2, 'payment_intent.processing', 'pi_unknown_' || n, '{}'::jsonb, now() + interval '1 hour'
         FROM generate_series(1, 1200) AS n`,
      [marker, shop.id],
    );
    const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new IngestQueue(redis, `${h.queuePrefix}-sweep`, h.payments.dataSource, createLogger('test', 'silent'));
    try {
      const ids: Array<{ id: string }> = await h.payments.dataSource.query(`SELECT id::text AS id FROM payment.webhook_inbox WHERE event_id LIKE $1 || '%'`, [marker]);
      // Two rows still have their job: they are left alone.
      await queue.enqueue(ids[0]!.id);
      await queue.enqueue(ids[1]!.id);
      expect(await queue.sweep(-2 * 3_600_000)).toBe(1198);
      for (const { id } of [ids[0]!, ids[600]!, ids[1199]!]) expect(await queue.queue.getJob(ingestJobId(id))).toBeTruthy();
      expect(await queue.sweep(-2 * 3_600_000)).toBe(0);
    } finally {
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await h.payments.dataSource.query(`DELETE FROM payment.webhook_inbox WHERE event_id LIKE $1 || '%'`, [marker]);
      await queue.close();
      redis.disconnect();
    }
  });
});
