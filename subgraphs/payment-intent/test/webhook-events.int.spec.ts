// The merchant's webhook events of payment intents (issue 19, producer side): each change a merchant
// subscribes to writes exactly one `webhook_event.payment.*` outbox row, in the transaction of
// the change (the same statement as its `payment_intent.*` row: the same now()), with the intent in
// snake_case and what changed; a refused or rolled-back change writes none; the PSP's webhooks
// that confirm what a command already did write none more; the relay queues them for the merchant
// subgraph's intake (OUTBOUND_WEBHOOK_EVENTS_QUEUE).
import { OUTBOUND_WEBHOOK_EVENTS_QUEUE, outboxJobIdOfRow, type OutboxJobData, type WebhookEventPayload } from '@handoff/shared';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '@handoff/shared';
import { transition } from '../src/payment-intent/payment-intent.changes.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { PaymentIntentStatus } from '../src/payment-intent/payment-intent.enums.js';
import { admin, asMerchant, newId, service, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const CREATE = `mutation($input: CreatePaymentIntentForCheckoutInput!) { createPaymentIntentForCheckout(input: $input) { id providerPaymentId } }`;
const CONFIRM = `mutation($id: ID!, $pm: PaymentMethodInput!) { confirmPaymentIntent(id: $id, paymentMethod: $pm) { id status } }`;
const THREE_DS = `mutation($id: ID!, $ok: Boolean!) { completeThreeDSecure(id: $id, approved: $ok) { id status } }`;
const CAPTURE = `mutation($id: ID!, $amount: SafeInt) { capturePaymentIntent(id: $id, amountMinor: $amount) { id status } }`;
const CANCEL = `mutation($id: ID!) { cancelPaymentIntent(id: $id) { id status } }`;
const REFUND = `mutation($id: ID!, $amount: SafeInt, $key: String) { refundPaymentIntent(id: $id, amountMinor: $amount, reason: "customer", idempotencyKey: $key) { id status } }`;

interface Row {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: WebhookEventPayload;
  request_id: string | null;
}

let h: PaymentsHarness;
let shop: { id: string; webhookSecret: string };

beforeAll(async () => {
  h = await startPaymentsHarness();
  shop = await h.testMerchant('Webhook shop');
});
afterAll(async () => h?.close());

async function createIntent(opts: { captureMode?: string; amountMinor?: number } = {}) {
  const checkoutSessionId = newId('cs');
  const res = await h.call(service, CREATE, {
    input: {
      checkoutSessionId,
      merchantId: shop.id,
      amountMinor: opts.amountMinor ?? 1000,
      currency: 'GBP',
      captureMode: opts.captureMode ?? 'AUTOMATIC',
      metadata: { aap_code: 'aap://test/secret-ish-code', aap_recommendation_id: 'rec_1', aap_session_id: 'ses_1', order: 'A-1' },
    },
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return { ...(res.data!.createPaymentIntentForCheckout as { id: string; providerPaymentId: string }), checkoutSessionId };
}

const webhookRows = async (intentId: string): Promise<Row[]> =>
  h.payments.dataSource.query(
    `SELECT id::text AS id, topic, aggregate_id, payload, request_id FROM payment.outbox
      WHERE topic LIKE 'webhook_event.%' AND payload->>'paymentIntentId' = $1 ORDER BY id`,
    [intentId],
  );
const types = async (intentId: string) => (await webhookRows(intentId)).map((r) => r.payload.type);

/** The `payment_intent.*` row written by the same statement (so the same transaction) as a webhook row. */
async function internalTwin(row: Row): Promise<{ topic: string } | undefined> {
  const rows: Array<{ topic: string }> = await h.payments.dataSource.query(
    `SELECT o.topic FROM payment.outbox o JOIN payment.outbox w ON w.id = $2::bigint
      WHERE o.aggregate_id = $1 AND o.topic LIKE 'payment_intent.%' AND o.created_at = w.created_at`,
    [row.payload.paymentIntentId, row.id],
  );
  return rows.length === 1 ? rows[0] : undefined;
}

const confirm = (id: string, card: string) => h.call(asMerchant(shop.id), CONFIRM, { id, pm: { testCard: card } });

describe('payment.succeeded', () => {
  it('one row, to the intent’s merchant, in the transaction of the change; the PSP webhook confirming it writes none more', async () => {
    const pi = await createIntent();
    expect(await types(pi.id)).toEqual([]); // a creation is not a merchant event
    expect((await confirm(pi.id, '4242424242424242')).data!.confirmPaymentIntent.status).toBe('SUCCEEDED');
    // The sandbox's own webhook for the same payment arrives and is applied: nothing moves.
    await waitFor(async () => (await h.payments.dataSource.query(`SELECT 1 FROM payment.outbox WHERE topic = 'psp_event.succeeded' AND aggregate_id = $1`, [pi.id])).length > 0, 15_000, 'psp_event.succeeded');
    const rows = await webhookRows(pi.id);
    expect(rows.map((r) => r.topic)).toEqual(['webhook_event.payment.succeeded']);
    const [row] = rows as [Row];
    expect(row.aggregate_id).toBe(shop.id);
    expect(await internalTwin(row)).toEqual({ topic: 'payment_intent.succeeded' });
    expect(row.payload).toMatchObject({
      type: 'payment.succeeded',
      merchantId: shop.id,
      checkoutId: pi.checkoutSessionId,
      paymentIntentId: pi.id,
      correlation: { request_id: row.request_id, agent_session_id: 'ses_1', recommendation_id: 'rec_1' },
      previousAttributes: { status: 'requires_payment_method', amount_captured: 0 },
    });
    expect(row.request_id).toMatch(/^test-/);
    expect(row.payload.object).toEqual({
      id: pi.id,
      object: 'payment_intent',
      status: 'succeeded',
      amount: 1000,
      amount_captured: 1000,
      amount_refunded: 0,
      currency: 'GBP',
      capture_mode: 'auto',
      checkout_id: pi.checkoutSessionId,
      metadata: { aap_recommendation_id: 'rec_1', aap_session_id: 'ses_1', order: 'A-1', handoff_checkout_session_id: pi.checkoutSessionId },
      last_payment_error: null,
      created: expect.any(Number),
    });
    expect(new Date(row.payload.occurredAt).getTime()).not.toBeNaN();
    // Never the AAP code, never the card.
    expect(JSON.stringify(row.payload)).not.toMatch(/aap_code|secret-ish|4242424242424242/);
  });

  it('is queued for the merchant subgraph’s webhook intake (outbound-webhook-events)', async () => {
    const pi = await createIntent();
    await confirm(pi.id, '4242424242424242');
    const [row] = (await webhookRows(pi.id)) as [Row];
    const connection = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new Queue(OUTBOUND_WEBHOOK_EVENTS_QUEUE, { connection, prefix: h.queuePrefix });
    try {
      // The job of the relay's claim that published the row (job_key, set by the claim), with the row among its events.
      const jobOfRow = async () => {
        const [{ jobKey }] = await h.payments.dataSource.query(`SELECT job_key::text AS "jobKey" FROM payment.outbox WHERE id = $1`, [row.id]);
        return jobKey ? queue.getJob(outboxJobIdOfRow('payment', { id: row.id, jobKey })) : undefined;
      };
      const job = await waitFor(async () => (await jobOfRow()) ?? undefined, 15_000, 'the webhook job');
      const item = (job.data.batch as OutboxJobData[]).find((i) => i.outboxId === row.id);
      expect(item).toMatchObject({ outboxId: row.id, schema: 'payment', topic: 'webhook_event.payment.succeeded', aggregateId: shop.id });
      expect(item!.payload).toEqual(row.payload);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});

describe('payment.failed, payment.requires_action', () => {
  it('a declined card: payment.failed with the error, the status unchanged', async () => {
    const pi = await createIntent();
    expect((await confirm(pi.id, '4000000000000002')).errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    const [row, ...more] = await webhookRows(pi.id);
    expect(more).toEqual([]);
    expect(await internalTwin(row!)).toEqual({ topic: 'payment_intent.payment_failed' });
    expect(row!.payload.object).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'card_declined', decline_code: 'generic_decline' } });
    expect(row!.payload.previousAttributes).toEqual({ last_payment_error: null });
  });

  it('3-D Secure: payment.requires_action, then payment.succeeded once approved; a failed challenge is payment.failed', async () => {
    const ok = await createIntent();
    await confirm(ok.id, '4000002760003184');
    await h.call(asMerchant(shop.id), THREE_DS, { id: ok.id, ok: true });
    const rows = await webhookRows(ok.id);
    expect(rows.map((r) => r.payload.type)).toEqual(['payment.requires_action', 'payment.succeeded']);
    expect(rows.map((r) => r.payload.previousAttributes?.status)).toEqual(['requires_payment_method', 'requires_action']);

    const ko = await createIntent();
    await confirm(ko.id, '4000002760003184');
    await h.call(asMerchant(shop.id), THREE_DS, { id: ko.id, ok: false });
    const failed = (await webhookRows(ko.id)).map((r) => r.payload);
    expect(failed.map((p) => p.type)).toEqual(['payment.requires_action', 'payment.failed']);
    expect(failed[1]!.previousAttributes).toMatchObject({ status: 'requires_action', last_payment_error: null });
  });
});

describe('manual capture, cancel, refunds, disputes', () => {
  it('an authorization is payment.amount_capturable_updated; its capture payment.succeeded with the captured amount', async () => {
    const pi = await createIntent({ captureMode: 'MANUAL' });
    await confirm(pi.id, '4242424242424242');
    await h.call(asMerchant(shop.id), CAPTURE, { id: pi.id, amount: 600 });
    const rows = (await webhookRows(pi.id)).map((r) => r.payload);
    expect(rows.map((p) => p.type)).toEqual(['payment.amount_capturable_updated', 'payment.succeeded']);
    expect(rows[0]!.object).toMatchObject({ status: 'requires_capture', capture_mode: 'manual', amount_captured: 0 });
    expect(rows[1]!.object).toMatchObject({ status: 'succeeded', amount_captured: 600 });
    expect(rows[1]!.previousAttributes).toEqual({ status: 'requires_capture', amount_captured: 0 });
  });

  it('payment.canceled', async () => {
    const pi = await createIntent();
    await h.call(asMerchant(shop.id), CANCEL, { id: pi.id });
    const [row] = (await webhookRows(pi.id)) as [Row];
    expect(row.payload).toMatchObject({ type: 'payment.canceled', object: { status: 'canceled' }, previousAttributes: { status: 'requires_payment_method' } });
  });

  it('one payment.refunded per refund with amount_refunded; a retried key, a refused refund and the PSP’s own refund webhooks write none', async () => {
    const pi = await createIntent();
    const m = asMerchant(shop.id);
    await confirm(pi.id, '4242424242424242');
    await h.call(m, REFUND, { id: pi.id, amount: 200, key: 'wh-refund-1' });
    await h.call(m, REFUND, { id: pi.id, amount: 200, key: 'wh-refund-1' }); // the same refund, answered again
    await h.call(m, REFUND, { id: pi.id, amount: 400, key: 'wh-refund-2' });
    expect((await h.call(m, REFUND, { id: pi.id, amount: 401 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await waitFor(async () => (await h.payments.dataSource.query(`SELECT 1 FROM payment.outbox WHERE topic = 'psp_event.refunded' AND aggregate_id = $1`, [pi.id])).length === 2, 15_000, 'the PSP refund webhooks');
    const refunds = (await webhookRows(pi.id)).filter((r) => r.payload.type === 'payment.refunded');
    expect(refunds.map((r) => [r.payload.object.amount_refunded, r.payload.previousAttributes])).toEqual([
      [200, { amount_refunded: 0 }],
      [600, { amount_refunded: 200 }],
    ]);
    for (const r of refunds) expect(await internalTwin(r)).toEqual({ topic: 'payment_intent.refunded' });
  });

  it('a dispute opened at the PSP is payment.disputed (once), with the dispute', async () => {
    const pi = await createIntent();
    await confirm(pi.id, '4242424242424242');
    await h.call(admin, `mutation($id: ID!) { sandboxTriggerDispute(paymentIntentId: $id, outcome: WON) { eventIds } }`, { id: pi.id });
    await waitFor(async () => (await h.payments.dataSource.query(`SELECT 1 FROM payment.outbox WHERE topic = 'psp_event.dispute_closed' AND aggregate_id = $1`, [pi.id])).length > 0, 15_000, 'dispute closed');
    const disputed = (await webhookRows(pi.id)).filter((r) => r.payload.type === 'payment.disputed');
    expect(disputed).toHaveLength(1);
    expect(disputed[0]!.payload).toMatchObject({
      merchantId: shop.id,
      object: { id: pi.id, status: 'succeeded', dispute: { id: expect.any(String), amount: 1000, currency: 'GBP' } },
      previousAttributes: null,
    });
  });
});

describe('refused and rolled-back changes write no webhook event', () => {
  it('commands refused by the state table or as bad input', async () => {
    const pi = await createIntent();
    await confirm(pi.id, '4242424242424242');
    const before = await types(pi.id);
    const m = asMerchant(shop.id);
    expect((await h.call(m, CANCEL, { id: pi.id })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect((await h.call(m, CAPTURE, { id: pi.id, amount: 100 })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect((await confirm(pi.id, '4242424242424242')).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect((await h.call(m, REFUND, { id: pi.id, amount: 1001 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await types(pi.id)).toEqual(before);
  });

  it('a change whose transaction rolls back after it was announced', async () => {
    const pi = await createIntent();
    await expect(
      h.payments.dataSource.transaction(async (manager) => {
        const intent = await manager.findOneOrFail(PaymentIntentEntity, { where: { id: pi.id }, lock: { mode: 'pessimistic_write' } });
        await transition(manager, intent, PaymentIntentStatus.CANCELED);
        // Written in this transaction…
        const inside = await manager.query(`SELECT count(*)::int AS n FROM payment.outbox WHERE topic = 'webhook_event.payment.canceled' AND payload->>'paymentIntentId' = $1`, [pi.id]);
        expect(inside).toEqual([{ n: 1 }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // …and gone with it.
    expect(await types(pi.id)).toEqual([]);
  });
});
