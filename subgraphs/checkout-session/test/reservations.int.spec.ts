// Inventory reservations' background side (issue 20 item 1), against real PostgreSQL and Redis:
// the hold expiry scheduler releases a hold past its expiry once (a second sweep, and a hold
// extended meanwhile, change nothing); finalization's convertForSession takes held stock for good
// once (also given the hold read before the lock: racing calls convert once, a stale one converts
// what is active); releaseForSession and a canceled payment intent give it back once, and a canceled intent
// the session has moved on from releases nothing.
import { randomBytes } from 'node:crypto';
import { createRedis, type Principal, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { createApp, loadConfig } from '../src/index.js';
import { startReservationExpiryScheduler } from '../src/reservation/reservation-expiry.job.js';
import type { TimelineEntryDraft } from '../src/timeline/timeline.entries.js';
import { FakeMerchants, FakePayments } from './fakes.js';
import { pricingConfig } from './pricing-fixtures.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_inv_${suffix}`;
const offerId = `off_inv_${suffix}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
merchants.addOffer(offerId, merchantId, 1000, 'GBP');
const payments = new FakePayments();
const pricing = { pricingConfig: async (id: string) => pricingConfig({ merchantId: id }) };
const prefix = `${env.queuePrefix}-inv-${suffix}`;

let app: SubgraphApp;
let config: ReturnType<typeof loadConfig>;
let services: ReturnType<typeof createServices>;

const newSession = async (quantity: number) =>
  (await services.checkoutSessions.create(merchant as Principal & { kind: 'MERCHANT' }, { lineItems: [{ name: 'Lamp', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity, offerId }] }, undefined)).id;
const level = async () => (await services.stock.levels(merchant, offerId))[0]!;
const stateOf = async (id: string) => (await services.reservations.get(merchant, id)).state;
const kinds = async (sessionId: string) =>
  ((await app.dataSource.query(`SELECT kind FROM checkout.timeline_entries WHERE checkout_session_id = $1 AND kind LIKE 'inventory.%' ORDER BY id`, [sessionId])) as Array<{ kind: string }>).map((r) => r.kind);

async function waitFor(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: prefix, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing });
  await services.stock.setStock(merchant, offerId, 10, null);
});

afterAll(async () => {
  await app?.close();
});

describe('inventory reservations in the background', () => {
  it('the expiry scheduler releases a due hold once; an extended hold stays', async () => {
    const due = await newSession(2);
    const kept = await newSession(1);
    const r1 = await services.reservations.reserve(merchant, due, {});
    const r2 = await services.reservations.reserve(merchant, kept, {});
    expect((await level()).reserved).toBe(3);
    // r1's hold ran out; r2's too, but it is extended before the sweep runs.
    await app.dataSource.query(`UPDATE checkout.inventory_reservations SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [[r1.id, r2.id]]);
    await app.dataSource.query(`UPDATE checkout.inventory_reservations SET expires_at = now() + interval '1 hour' WHERE id = $1`, [r2.id]);

    const connection = createRedis(env.redisUrl, { forBullmqWorker: true });
    const scheduler = await startReservationExpiryScheduler({ reservations: services.reservations, connection, prefix, everyMs: 200, logger: config.logger });
    try {
      await waitFor(async () => (await stateOf(r1.id)) === 'expired', 'the due hold to expire');
    } finally {
      await scheduler.worker.close();
      await scheduler.queue.obliterate({ force: true });
      await scheduler.queue.close();
      connection.disconnect();
    }
    expect(await stateOf(r2.id)).toBe('active');
    expect((await level()).reserved).toBe(1);
    expect(await services.reservations.releaseDue(new Date()), 'a second sweep releases nothing').toBe(0);
    expect((await level()).reserved).toBe(1);
    expect(await kinds(due)).toEqual(['inventory.reserved', 'inventory.expired']);
    const session = await services.checkoutSessions.findVisible(merchant, due);
    expect(session).toMatchObject({ reservationId: r1.id, reservationHeldUntil: null });
    await services.reservations.releaseForSession(undefined, kept, 'test done');
  });

  it('convertForSession takes held stock for good once; then nothing is left to release', async () => {
    const id = await newSession(3);
    const r = await services.reservations.reserve(merchant, id, {});
    const before = await level();
    const converted = await app.dataSource.transaction((m) => services.reservations.convertForSession(m, id));
    expect(converted).toMatchObject({ id: r.id, state: 'converted', endReason: 'order created' });
    expect(await level()).toMatchObject({ onHand: before.onHand - 3, reserved: before.reserved - 3 });
    expect(await app.dataSource.transaction((m) => services.reservations.convertForSession(m, id)), 'a second conversion is a no-op').toBeNull();
    expect(await services.reservations.releaseForSession(undefined, id, 'late release')).toBeNull();
    expect(await level()).toMatchObject({ onHand: before.onHand - 3, reserved: before.reserved - 3 });
    expect(await app.dataSource.transaction((m) => services.reservations.convertForSession(m, 'cs_none')), 'an unknown session: nothing').toBeNull();
    expect(await kinds(id)).toEqual(['inventory.reserved', 'inventory.converted']);
  });

  it('convertForSession given the hold read before the lock (finalization): converts it in one statement once, racing calls included; one released and re-made meanwhile: the new one', async () => {
    const lockedConvert = (id: string, held: Awaited<ReturnType<typeof services.reservations.heldBeforeLock>>, timeline: TimelineEntryDraft[] = []) =>
      app.dataSource.transaction(async (m) => {
        await m.query(`SELECT 1 FROM checkout.checkout_sessions WHERE id = $1 FOR UPDATE`, [id]);
        return services.reservations.convertForSession(m, id, { sessionLocked: true, held, timeline });
      });
    const id = await newSession(2);
    const r = await services.reservations.reserve(merchant, id, {});
    const held = await services.reservations.heldBeforeLock(app.dataSource.manager, id);
    expect(held).toMatchObject({ id: r.id, state: 'active', provider: 'BUILT_IN' });
    const before = await level();
    const timelines: TimelineEntryDraft[][] = [[], [], [], []];
    // Four finalizations holding the same hint race: each under the session lock, one converts.
    const results = await Promise.all(timelines.map((t) => lockedConvert(id, held, t)));
    expect(results.filter((x) => x !== null)).toEqual([expect.objectContaining({ id: r.id, state: 'converted', endReason: 'order created' })]);
    expect(timelines.flat().map((e) => e.kind)).toEqual(['inventory.converted']);
    expect(await level()).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved - 2 });
    expect(await services.checkoutSessions.findVisible(merchant, id)).toMatchObject({ reservationId: r.id, reservationHeldUntil: null });

    // Read, then released and reserved again before the lock: the hint is stale; the active one is converted.
    const id2 = await newSession(1);
    const old = await services.reservations.reserve(merchant, id2, {});
    const stale = await services.reservations.heldBeforeLock(app.dataSource.manager, id2);
    await services.reservations.releaseForSession(undefined, id2, 'buyer changed the cart');
    const fresh = await services.reservations.reserve(merchant, id2, {});
    expect(fresh.id).not.toBe(old.id);
    const before2 = await level();
    const timeline: TimelineEntryDraft[] = [];
    expect(await lockedConvert(id2, stale, timeline)).toMatchObject({ id: fresh.id, state: 'converted' });
    expect(await stateOf(old.id)).toBe('released');
    expect(timeline.map((e) => e.kind)).toEqual(['inventory.converted']);
    expect(await level()).toMatchObject({ onHand: before2.onHand - 1, reserved: before2.reserved - 1 });
    expect(await services.checkoutSessions.findVisible(merchant, id2)).toMatchObject({ reservationId: fresh.id, reservationHeldUntil: null });
  });

  it("a canceled payment intent releases its session's hold once; an intent the session moved on from releases nothing", async () => {
    const id = await newSession(1);
    await services.reservations.reserve(merchant, id, {});
    const cs = (await services.checkoutSessions.findVisible(merchant, id))!;
    const event = (paymentIntentId: string) => ({
      paymentIntent: { id: paymentIntentId, status: 'canceled', amountMinor: 1000, currency: 'GBP', amountCapturedMinor: 0, amountRefundedMinor: 0, merchantId, checkoutSessionId: id, checkoutTotal: null, provider: 'TEST', providerPaymentId: null, metadata: {} },
      occurredAt: new Date().toISOString(),
    });
    const held = (await level()).reserved;
    if (cs.paymentIntentId) expect(await services.reservations.paymentCanceled(event('pi_older'), 'payment:1')).toBe('unchanged');
    expect((await level()).reserved).toBe(held);
    expect(await services.reservations.paymentCanceled(event(cs.paymentIntentId ?? 'pi_any'), 'payment:2')).toBe('released');
    expect(await services.reservations.paymentCanceled(event(cs.paymentIntentId ?? 'pi_any'), 'payment:2')).toBe('unchanged');
    expect((await level()).reserved).toBe(held - 1);
  });
});
