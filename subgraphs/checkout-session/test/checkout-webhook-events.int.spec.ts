// The merchant's webhook events of a checkout session's changes (issue 18, item 4), against real
// PostgreSQL: every buyer mutation, calculateCheckout, refreshCheckoutSession (when it
// recalculates) and updateCheckoutSession write exactly one `webhook_event.checkout.updated`
// outbox row, cancelCheckoutSession one `webhook_event.checkout.canceled`, each in the change's own
// transaction (the row and the session's new version have the same xmin) with the object after
// and the changed fields before; a refused change (bad input, a stale version, an option not
// offered, an unknown code, a canceled session), the loser of two concurrent changes and an
// idempotent replay write none.
import { randomBytes } from 'node:crypto';
import { LEDGER_BI_FACTS_QUEUE, OUTBOUND_WEBHOOK_EVENTS_QUEUE, routedQueues, type CheckoutPricingConfig, type Principal, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import type { CheckoutSessionEntity } from '../src/checkout-session/checkout-session.entity.js';
import { outboxRoutes } from '../src/events.js';
import { createApp, loadConfig } from '../src/index.js';
import type { MerchantPricingPort } from '../src/ports/merchant-pricing.port.js';
import { FakeMerchants, FakePayments } from './fakes.js';
import { pricingConfig, promotion } from './pricing-fixtures.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_wh_${suffix}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
const payments = new FakePayments();

/** GB shipping (std £3.99), 20 % tax, and SAVE5 (£5 off). */
class ShopPricing implements MerchantPricingPort {
  async pricingConfig(id: string): Promise<CheckoutPricingConfig> {
    return pricingConfig({ merchantId: id, promotions: [promotion({ id: `promo_${suffix}`, code: 'SAVE5', amountOff: { amountMinor: 500, currency: 'GBP' } })] });
  }
}

const ADDRESS = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' };
const LINES = [{ name: 'Kettle', unitAmount: { amountMinor: 3000, currency: 'GBP' }, quantity: 1 }];

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;
let notified = 0;

interface EventRow {
  id: string;
  topic: string;
  payload: { type: string; merchantId: string; checkoutId: string; object: Record<string, any>; previousAttributes: Record<string, any> | null };
  xmin: string;
}

const webhookEventsOf = (checkoutId: string) =>
  app.dataSource.query(
    `SELECT o.id::text AS id, o.topic, o.payload, o.xmin::text AS xmin FROM checkout.outbox o WHERE o.topic LIKE 'webhook_event.%' AND o.payload->>'checkoutId' = $1 ORDER BY o.id`,
    [checkoutId],
  ) as Promise<EventRow[]>;
const sessionXmin = async (id: string) => ((await app.dataSource.query(`SELECT xmin::text FROM checkout.checkout_sessions WHERE id = $1`, [id])) as Array<{ xmin: string }>)[0]!.xmin;

const newSession = () => services.checkoutSessions.create(merchant as Principal & { kind: 'MERCHANT' }, { lineItems: LINES }, undefined);

/** Runs `change`; exactly one new webhook event of `type`, written with the session's new version (same transaction). */
async function oneEvent(
  checkoutId: string,
  type: string,
  change: () => Promise<CheckoutSessionEntity>,
  /** The version the change left the session at, when the answer is a later one (cancel: its intent's cancelation is recorded after). */
  changedTo?: number,
): Promise<EventRow['payload']> {
  const before = (await webhookEventsOf(checkoutId)).length;
  const notifiedBefore = notified;
  const cs = await change();
  const rows = await webhookEventsOf(checkoutId);
  expect(rows.length, `${type}: one event`).toBe(before + 1);
  const ev = rows.at(-1)!;
  expect(ev.topic).toBe(`webhook_event.${type}`);
  expect(ev.payload).toMatchObject({ type, merchantId, checkoutId });
  const version = changedTo ?? cs.version;
  expect(ev.payload.object.version).toBe(version);
  expect(ev.payload.previousAttributes?.version).toBe(version - 1);
  if (type === 'checkout.updated') expect(ev.xmin, 'written in the change transaction').toBe(await sessionXmin(checkoutId));
  expect(notified).toBeGreaterThan(notifiedBefore);
  return ev.payload;
}

/** Runs `refused`, expects it to fail with `code`, and no webhook event written. */
async function noEvent(checkoutId: string, code: string, refused: () => Promise<unknown>): Promise<void> {
  const before = (await webhookEventsOf(checkoutId)).length;
  await expect((async () => refused())()).rejects.toMatchObject({ extensions: { code } });
  expect((await webhookEventsOf(checkoutId)).length).toBe(before);
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-wh`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const pricing = new ShopPricing();
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => void notified++ }, merchants, payments, pricing });
});

afterAll(async () => {
  await app?.close();
});

describe("a checkout session's webhook events", () => {
  it('are routed to the merchant subgraph’s webhook intake', () => {
    expect(routedQueues(outboxRoutes, 'webhook_event.checkout.updated')).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    expect(routedQueues(outboxRoutes, 'webhook_event.checkout.canceled')).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    // An open session is a BI fact (the funnel's checkouts), not a merchant webhook.
    expect(routedQueues(outboxRoutes, 'checkout_session.open')).toEqual([LEDGER_BI_FACTS_QUEUE]);
  });

  it('each buyer mutation, the calculation and the update write exactly one checkout.updated in their transaction; cancel one checkout.canceled', async () => {
    const s = await newSession();
    // Its creation wrote checkout.created (checkout-status-webhook-events.int.spec.ts); nothing else yet.
    expect((await webhookEventsOf(s.id)).map((r) => r.payload.type)).toEqual(['checkout.created']);
    const id = s.id;

    let e = await oneEvent(id, 'checkout.updated', () => services.customers.setCustomer(merchant, id, { email: 'ada@example.com' }));
    expect(e.object.customer).toMatchObject({ email: 'ada@example.com' });
    expect(e.previousAttributes).toMatchObject({ customer: { email: null } });

    e = await oneEvent(id, 'checkout.updated', () => services.addresses.setShippingAddress(merchant, id, ADDRESS));
    expect(e.object.shipping_address).toMatchObject({ country: 'GB', postal_code: 'SW1A 2AA' });
    expect(e.previousAttributes).toMatchObject({ shipping_address: null });

    e = await oneEvent(id, 'checkout.updated', () => services.addresses.setBillingAddress(merchant, id, ADDRESS));
    expect(e.previousAttributes).toMatchObject({ billing_address: null });

    e = await oneEvent(id, 'checkout.updated', () => services.sessionShipping.select(merchant, id, { shippingOptionId: 'std' }));
    expect(e.object.selected_shipping).toEqual({ kind: 'shipping', id: 'std' });

    e = await oneEvent(id, 'checkout.updated', () => services.sessionShipping.selectPlan(merchant, id, 'SINGLE'));
    expect(e).toMatchObject({ object: { shipment_plan: 'single' }, previousAttributes: { shipment_plan: 'split' } });

    e = await oneEvent(id, 'checkout.updated', () => services.sessionPromotions.apply(merchant, id, 'save5'));
    expect(e).toMatchObject({ object: { promotion_codes: ['SAVE5'] }, previousAttributes: { promotion_codes: [] } });

    const calculated = await services.sessionCalculations.calculate(merchant, id, null);
    const calc = (await webhookEventsOf(id)).at(-1)!.payload;
    // (30.00 − 5.00 + 3.99) + 20 % = 34.79 (tax 5.00 + 0.80).
    expect(calc.object).toMatchObject({ calculation_id: calculated.calculationId, calculation_stale: false, totals: { grand_total: 3479, tax_total: 580 } });
    expect(calc.previousAttributes).toMatchObject({ calculation_id: null, calculation_stale: true, totals: { grand_total: 3000 } });
    expect(calc.object.version).toBe(calculated.version);

    e = await oneEvent(id, 'checkout.updated', () => services.sessionPromotions.remove(merchant, id, 'SAVE5'));
    expect(e).toMatchObject({ object: { promotion_codes: [], calculation_stale: true } });

    e = await oneEvent(id, 'checkout.updated', () => services.checkoutUpdates.refresh(merchant, id));
    expect(e.object.totals.grand_total).toBe(4079);

    const current = (await services.checkoutSessions.findVisible(merchant, id))!;
    e = await oneEvent(id, 'checkout.updated', () => services.checkoutUpdates.update(merchant, id, current.version, { metadata: { order: '42' } }));
    expect(e).toMatchObject({ object: { metadata: { order: '42' } }, previousAttributes: { metadata: {} } });

    // Calculated and unchanged: a recalculation to the same totals moves only the calculation id
    // (a new snapshot, a new version, its timeline entry) and announces nothing; refresh changes
    // nothing and writes nothing.
    const count = (await webhookEventsOf(id)).length;
    const auditRows = async () => Number(((await app.dataSource.query(`SELECT count(*) AS n FROM checkout.outbox WHERE topic LIKE 'audit.%' AND aggregate_id = $1`, [id])) as Array<{ n: string }>)[0]!.n);
    const audits = await auditRows();
    const before = (await services.checkoutSessions.findVisible(merchant, id))!;
    const again = await services.sessionCalculations.calculate(merchant, id, null);
    expect(again.calculationId).not.toBe(before.calculationId);
    expect(again.version).toBe(before.version + 1);
    expect(again.totalMinor).toBe(before.totalMinor);
    expect((await webhookEventsOf(id)).length).toBe(count);
    expect(await auditRows()).toBe(audits);
    const fresh = (await services.checkoutSessions.findVisible(merchant, id))!;
    expect((await services.checkoutUpdates.refresh(merchant, id)).version).toBe(fresh.version);
    expect((await webhookEventsOf(id)).length).toBe(count);

    e = await oneEvent(id, 'checkout.canceled', () => services.checkoutUpdates.cancel(merchant, id, fresh.version, true), fresh.version + 1);
    expect(e).toMatchObject({ object: { status: 'canceled' }, previousAttributes: { status: 'open' } });
    // The same transaction as the session's own checkout_session.canceled event.
    const [internal] = (await app.dataSource.query(`SELECT xmin::text FROM checkout.outbox WHERE topic = 'checkout_session.canceled' AND aggregate_id = $1`, [id])) as Array<{ xmin: string }>;
    expect((await webhookEventsOf(id)).at(-1)!.xmin).toBe(internal!.xmin);
    // Nothing of the hosted page's secret.
    expect(JSON.stringify(await webhookEventsOf(id))).not.toMatch(/client_token|"url"|\?cs=/);
  });

  it('a refused change writes none', async () => {
    const s = await newSession();
    const id = s.id;
    await noEvent(id, 'BAD_USER_INPUT', () => services.customers.setCustomer(merchant, id, { email: 'not an email' }));
    await noEvent(id, 'BAD_USER_INPUT', () => services.addresses.setShippingAddress(merchant, id, { ...ADDRESS, country: 'XX' }));
    await noEvent(id, 'VERSION_CONFLICT', () => services.customers.setCustomer(merchant, id, { email: 'ada@example.com' }, s.version + 5));
    await services.addresses.setShippingAddress(merchant, id, ADDRESS);
    await noEvent(id, 'BAD_USER_INPUT', () => services.sessionShipping.select(merchant, id, { shippingOptionId: 'no-such-option' }));
    await noEvent(id, 'PROMOTION_INVALID', () => services.sessionPromotions.apply(merchant, id, 'NOPE'));
    const now = (await services.checkoutSessions.findVisible(merchant, id))!;
    await noEvent(id, 'BAD_USER_INPUT', () => services.checkoutUpdates.update(merchant, id, now.version, { metadata: { aap_code: 'x' } }));
    await noEvent(id, 'VERSION_CONFLICT', () => services.checkoutUpdates.cancel(merchant, id, now.version - 1, true));
    await services.checkoutUpdates.cancel(merchant, id, null, true);
    await noEvent(id, 'INVALID_STATE_TRANSITION', () => services.checkoutUpdates.cancel(merchant, id, null, true));
    await noEvent(id, 'INVALID_STATE_TRANSITION', () => services.customers.setCustomer(merchant, id, { email: 'late@example.com' }));
  });

  it('two changes at one version: one wins and writes the one event; a replayed idempotency key writes none again', async () => {
    const s = await newSession();
    const results = await Promise.allSettled(
      ['a@example.com', 'b@example.com', 'c@example.com'].map((email) => services.customers.setCustomer(merchant, s.id, { email }, s.version)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const events = (await webhookEventsOf(s.id)).filter((e) => e.payload.type === 'checkout.updated');
    expect(events).toHaveLength(1);
    const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<CheckoutSessionEntity>).value;
    expect(events[0]!.payload.object.customer.email).toBe(winner.customerEmail);

    const key = `wh-${suffix}`;
    const first = await services.customers.setCustomer(merchant, s.id, { phone: '+447700900001' }, null, key);
    const again = await services.customers.setCustomer(merchant, s.id, { phone: '+447700900001' }, null, key);
    expect(again.version).toBe(first.version);
    expect((await webhookEventsOf(s.id)).filter((e) => e.payload.type === 'checkout.updated')).toHaveLength(2);
  });
});
