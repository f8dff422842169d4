// Finalization's exactly-once under the session lock against real PostgreSQL (issue 20 item 4):
// finalizations that all read "no order yet" before the lock, then wait for it while another
// holds it, make ONE order. The order's INSERT is the check under the lock (ON CONFLICT on its
// unique session, finalization.service.ts): each one that comes second inserts nothing, rolls back
// what its steps did (tender captured, units converted, timeline entries, outbox rows) and answers
// the first one's order. And the payment's succeeded event, arriving after pay's own call
// completed the session, neither waits for nor takes the session's lock that finalization wants.
import { randomBytes } from 'node:crypto';
import type { SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { processPaymentEvent, type PaymentIntentEventJob } from '../src/checkout-session/payment-events.job.js';
import { createApp, loadConfig } from '../src/index.js';
import { FinalizationService } from '../src/order/finalization.service.js';
import { finalizationSteps } from '../src/order/finalization.steps.js';
import type { PaymentCompensations } from '../src/ports/payment-intent.port.js';
import { reservationFinalizationStep } from '../src/reservation/reservation.finalization-step.js';
import { giftCardMerchant } from './gift-card-merchant.js';

const env = testEnv();
const { suffix, merchantId, offerId, merchant, merchants, payments, pricing } = giftCardMerchant('fr');
const totals = new Map<string, number>();
const compensations: PaymentCompensations = {
  paymentState: async (id) => ({ id, status: 'SUCCEEDED', captureMode: 'AUTOMATIC', amountMinor: totals.get(id) ?? 0, currency: 'GBP' }),
  voidPayment: async () => undefined,
  refundPayment: async () => undefined,
};

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;
let finalization: FinalizationService;

const db = () => app.dataSource;
const level = async () => (await services.stock.levels(merchant, offerId))[0]!;
const kinds = async (sessionId: string) =>
  ((await db().query(`SELECT kind FROM checkout.timeline_entries WHERE checkout_session_id = $1 ORDER BY id`, [sessionId])) as Array<{ kind: string }>).map((r) => r.kind);
const outboxTopics = async (sessionId: string) =>
  ((await db().query(`SELECT topic FROM checkout.outbox WHERE payload->>'checkoutSessionId' = $1 OR payload->>'checkoutId' = $1 ORDER BY id`, [sessionId])) as Array<{ topic: string }>).map(
    (r) => r.topic,
  );
/** Backends of this database waiting for a row lock. */
const lockWaiters = async () =>
  Number((await db().query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0].n);

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-fr-${suffix}`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DB_POOL_SIZE: '12',
  });
  app = await createApp(config, { merchants, payments, pricing, compensations });
  await app.migrate();
  const outbox = { notify: () => undefined };
  services = createServices({ dataSource: app.dataSource, config, outbox, merchants, payments, pricing, compensations });
  finalization = new FinalizationService(app.dataSource, compensations, finalizationSteps([reservationFinalizationStep(services.reservations)]), outbox);
  await services.stock.setStock(merchant, offerId, 10, null);
});

afterAll(async () => {
  await app?.close();
});

describe('finalization races', () => {
  it('five finalizations that read no order, then wait for the lock another holds, make one order: the others roll back their steps and answer it', async () => {
    const customerId = `cust-r-${suffix}`;
    const cs = await services.checkoutSessions.create(merchant, { lineItems: [{ name: 'Lamp', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 2, offerId }] }, undefined);
    await services.reservations.reserve(merchant, cs.id, {});
    await services.customers.setCustomer(merchant, cs.id, { customerId });
    const card = await services.giftCards.issue(merchant, { merchantId, balance: { amountMinor: 500, currency: 'GBP' } });
    await services.tender.applyGiftCard(merchant, cs.id, card.code);
    const seen = (await services.checkoutSessions.findVisible(merchant, cs.id))!;
    totals.set(seen.paymentIntentId!, seen.totalMinor);
    const before = await level();

    // Another transaction holds the session's row: every finalization reads "no order" first, then waits.
    const holder = db().createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await holder.query(`SELECT id FROM checkout.checkout_sessions WHERE id = $1 FOR UPDATE`, [cs.id]);
    const waitersBefore = await lockWaiters();
    const runs = Array.from({ length: 5 }, () => finalization.finalize(merchant, cs.id));
    try {
      await until(async () => (await lockWaiters()) >= waitersBefore + 5, 'five finalizations waiting for the session lock');
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    const orders = await Promise.all(runs);

    expect(new Set(orders.map((o) => o.id)).size).toBe(1);
    expect(orders.every((o) => o.status === 'COMPLETED' && o.checkoutSessionId === cs.id)).toBe(true);
    const rows = await db().query(`SELECT id FROM checkout.orders WHERE checkout_session_id = $1`, [cs.id]);
    expect(rows).toEqual([{ id: orders[0]!.id }]);
    // What the steps did, once: 2 units taken off the stock, the hold captured, one ledger event.
    expect(await level()).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved - 2 });
    expect((await db().query(`SELECT status FROM checkout.tender_holds WHERE checkout_session_id = $1`, [cs.id]))).toEqual([{ status: 'captured' }]);
    const topics = await outboxTopics(cs.id);
    expect(topics.filter((t) => t === 'tender.gift_card.redeemed')).toHaveLength(1);
    expect(topics.filter((t) => t.endsWith('order.created'))).toHaveLength(1);
    const created = await db().query(`SELECT payload->'object'->>'order_id' AS id FROM checkout.outbox WHERE payload->>'checkoutId' = $1 AND topic LIKE '%order.created'`, [cs.id]);
    expect(created).toEqual([{ id: orders[0]!.id }]);
    const k = await kinds(cs.id);
    expect(k.filter((x) => x === 'order.created')).toHaveLength(1);
    expect(k.filter((x) => x === 'inventory.converted')).toHaveLength(1);
    expect(k.filter((x) => x === 'order.step_finalized')).toHaveLength(2); // tender and inventory
    // And again, after the fact: the same order, nothing more written.
    expect((await finalization.finalize(merchant, cs.id)).id).toBe(orders[0]!.id);
    expect((await kinds(cs.id)).filter((x) => x === 'order.created')).toHaveLength(1);
  });

  it("the payment's succeeded event for a session already COMPLETE answers 'unchanged' without waiting for the session's row lock", async () => {
    const cs = await services.checkoutSessions.create(merchant, { lineItems: [{ name: 'Lamp', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1, offerId }] }, undefined);
    const seen = (await services.checkoutSessions.findVisible(merchant, cs.id))!;
    const paymentIntent = { id: seen.paymentIntentId!, status: 'SUCCEEDED', checkoutSessionId: cs.id, amountMinor: seen.totalMinor, currency: 'GBP' };
    // Pay's own call completes it (payment-succeeded.route.ts runs this).
    expect(await services.lifecycle.completeFromPayment({ paymentIntent })).toBe('completed');
    const job = { topic: 'payment_intent.succeeded', schema: 'payment', outboxId: '1', aggregateId: paymentIntent.id, payload: { paymentIntent } } as unknown as PaymentIntentEventJob;

    // A finalization holds the session's row: the event's redelivery does not wait for it.
    const holder = db().createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT id FROM checkout.checkout_sessions WHERE id = $1 FOR UPDATE`, [cs.id]);
      expect(await processPaymentEvent(services.lifecycle, job)).toBe('unchanged');
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    const [row] = await db().query(`SELECT status, version FROM checkout.checkout_sessions WHERE id = $1`, [cs.id]);
    expect(row.status).toBe('COMPLETE');
    // Still OPEN (pay's call did not get through): the event completes it, under the lock.
    const open = await services.checkoutSessions.create(merchant, { lineItems: [{ name: 'Lamp', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1, offerId }] }, undefined);
    const openSeen = (await services.checkoutSessions.findVisible(merchant, open.id))!;
    const openJob = { ...job, payload: { paymentIntent: { ...paymentIntent, id: openSeen.paymentIntentId!, checkoutSessionId: open.id, amountMinor: openSeen.totalMinor } } } as PaymentIntentEventJob;
    expect(await processPaymentEvent(services.lifecycle, openJob)).toBe('completed');
    expect(await processPaymentEvent(services.lifecycle, openJob)).toBe('unchanged');
  });
});
