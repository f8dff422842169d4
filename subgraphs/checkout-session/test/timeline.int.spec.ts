// A checkout session's timeline (issue 19), against real PostgreSQL: checkout-session's own
// entries are written in the transaction of each change (creation, buyer changes, calculation,
// cancel), with an audit row beside them; entries other packages contribute through the
// `timeline.*` queue are kept once however often a job is replayed, never for another merchant's
// session, and a malformed one fails for good; the table refuses UPDATE, DELETE and TRUNCATE;
// pages follow the entries' order.
import { randomBytes } from 'node:crypto';
import {
  AUDIT_LOG_QUEUE,
  checkoutTimelineOutboxEvent,
  routedQueues,
  type CheckoutPricingConfig,
  type OutboxJobData,
  type Principal,
  type SubgraphApp,
} from '@handoff/shared';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { outboxRoutes } from '../src/events.js';
import { createApp, loadConfig } from '../src/index.js';
import type { MerchantPricingPort } from '../src/ports/merchant-pricing.port.js';
import { processTimelineJob } from '../src/timeline/timeline.job.js';
import { FakeMerchants, FakePayments } from './fakes.js';
import { pricingConfig, promotion } from './pricing-fixtures.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_tl_${suffix}`;
const otherMerchantId = `mer_tl2_${suffix}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
merchants.addMerchant(otherMerchantId);
const payments = new FakePayments();

class ShopPricing implements MerchantPricingPort {
  async pricingConfig(id: string): Promise<CheckoutPricingConfig> {
    return pricingConfig({ merchantId: id, promotions: [promotion({ id: `promo_${suffix}`, code: 'SAVE5', amountOff: { amountMinor: 500, currency: 'GBP' } })] });
  }
}

const ADDRESS = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' };
const LINES = [{ name: 'Kettle', unitAmount: { amountMinor: 3000, currency: 'GBP' }, quantity: 1 }];

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;

interface Row {
  id: string;
  kind: string;
  summary: string;
  actor_kind: string | null;
  actor_id: string | null;
  data: Record<string, any>;
  source: string;
  xmin: string;
}

const entriesOf = (id: string) =>
  app.dataSource.query(
    `SELECT id, kind, summary, actor_kind, actor_id, data, source, xmin::text AS xmin FROM checkout.timeline_entries WHERE checkout_session_id = $1 ORDER BY id`,
    [id],
  ) as Promise<Row[]>;

const newSession = (principal: Principal = merchant) => services.checkoutSessions.create(principal as Principal & { kind: 'MERCHANT' }, { lineItems: LINES }, undefined);

/** An outbox job as payment-intent's relay would add it. */
const contributed = (outboxId: string, payload: Record<string, unknown>, schema = 'payment'): OutboxJobData => {
  const event = checkoutTimelineOutboxEvent(payload as never);
  return { outboxId, schema, topic: event.topic, aggregateId: event.aggregateId, payload: event.payload, createdAt: new Date().toISOString() };
};
const seq = () => String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000)));

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-tl`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const pricing = new ShopPricing();
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing });
});

afterAll(async () => {
  await app?.close();
});

describe("a checkout session's timeline", () => {
  it('records each change in its own transaction, in order, with its audit row routed to the audit intake', async () => {
    const s = await newSession();
    const id = s.id;
    await services.addresses.setShippingAddress(merchant, id, ADDRESS);
    await services.sessionPromotions.apply(merchant, id, 'save5');
    const calculated = await services.sessionCalculations.calculate(merchant, id, null);
    const [sessionRow] = (await app.dataSource.query(`SELECT xmin::text AS xmin FROM checkout.checkout_sessions WHERE id = $1`, [id])) as Array<{ xmin: string }>;
    const before = await entriesOf(id);
    expect(before.at(-1)!.xmin, 'the calculation entry is written with the session it changed').toBe(sessionRow!.xmin);
    const fresh = (await services.checkoutSessions.findVisible(merchant, id))!;
    await services.checkoutUpdates.cancel(merchant, id, fresh.version, false);

    const rows = await entriesOf(id);
    expect(rows.map((r) => r.kind)).toEqual([
      'checkout.created',
      'checkout.shipping_address_set',
      'checkout.promotion_applied',
      'checkout.calculated',
      'checkout.canceled',
    ]);
    expect(rows.every((r) => r.source === 'checkout')).toBe(true);
    expect(rows[1]!.summary).toBe('Shipping address set (GB, SW1A 2AA)');
    expect(rows[2]!.data).toEqual({ code: 'SAVE5' });
    expect(rows[3]!.data).toMatchObject({ calculation_id: calculated.calculationId, totals: { grand_total: calculated.totalMinor } });
    expect(rows[3]!.summary).toContain(calculated.calculationId!);
    // No request acts here: checkout-session itself is the actor.
    expect(rows.every((r) => r.actor_kind === 'service' && r.actor_id === 'checkout-session')).toBe(true);

    // One audit row per change (created, 3 updates, canceled), routed to the merchant subgraph's audit intake.
    const audit = (await app.dataSource.query(`SELECT topic, payload FROM checkout.outbox WHERE topic LIKE 'audit.%' AND aggregate_id = $1 ORDER BY id`, [id])) as Array<{
      topic: string;
      payload: Record<string, any>;
    }>;
    expect(audit.map((a) => a.topic)).toEqual([
      'audit.checkout_session.created',
      'audit.checkout_session.updated',
      'audit.checkout_session.updated',
      'audit.checkout_session.updated',
      'audit.checkout_session.canceled',
    ]);
    expect(audit[4]!.payload).toMatchObject({ entityType: 'checkout_session', entityId: id, merchantId, action: 'canceled', before: { status: 'open' }, after: { status: 'canceled' } });
    expect(routedQueues(outboxRoutes, 'audit.checkout_session.updated')).toEqual([AUDIT_LOG_QUEUE]);
  });

  it('keeps a contributed entry once, however often its job is replayed', async () => {
    const s = await newSession();
    const job = contributed(seq(), {
      checkoutId: s.id,
      merchantId,
      kind: 'payment.failed',
      at: new Date().toISOString(),
      summary: 'Payment declined: insufficient_funds',
      actor: { kind: 'client', id: s.id },
      data: { decline_code: 'insufficient_funds' },
    });
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => processTimelineJob(services.timeline, job)));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    expect(await processTimelineJob(services.timeline, job)).toBe('duplicate');
    const rows = (await entriesOf(s.id)).filter((r) => r.source === 'payment');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'payment.failed', actor_kind: 'client', actor_id: s.id, data: { decline_code: 'insufficient_funds' } });
    expect(rows[0]!.id).toMatch(/^tle_[0-9A-Z]{10}_payment_[0-9]{19}$/);
  });

  it("never keeps an entry for another merchant's session; a malformed entry fails for good", async () => {
    const s = await newSession();
    const forOther = contributed(seq(), { checkoutId: s.id, merchantId: otherMerchantId, kind: 'payment.created', at: new Date().toISOString(), summary: 'x', data: {} });
    await expect(processTimelineJob(services.timeline, forOther)).rejects.toThrow(/unknown/);
    for (const bad of [
      { checkoutId: s.id, merchantId, kind: 'Payment Failed', at: new Date().toISOString(), summary: 'x', data: {} },
      { checkoutId: s.id, merchantId, kind: 'payment.failed', at: 'yesterday', summary: 'x', data: {} },
      { checkoutId: s.id, merchantId, kind: 'payment.failed', at: new Date().toISOString(), summary: '', data: {} },
      { checkoutId: s.id, merchantId, kind: 'payment.failed', at: new Date().toISOString(), summary: 'x', actor: { kind: 'root', id: 'x' }, data: {} },
      { checkoutId: s.id, merchantId, kind: 'payment.failed', at: new Date().toISOString(), summary: 'x', data: { blob: 'x'.repeat(20_000) } },
    ]) {
      await expect(processTimelineJob(services.timeline, contributed(seq(), bad))).rejects.toBeInstanceOf(UnrecoverableError);
    }
    await expect(processTimelineJob(services.timeline, contributed(seq(), { checkoutId: s.id }, 'Not A Schema'))).rejects.toBeInstanceOf(UnrecoverableError);
    expect((await entriesOf(s.id)).map((r) => r.kind)).toEqual(['checkout.created']);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const s = await newSession();
    const [row] = await entriesOf(s.id);
    await expect(app.dataSource.query(`UPDATE checkout.timeline_entries SET summary = 'edited' WHERE id = $1`, [row!.id])).rejects.toThrow(/append-only/);
    await expect(app.dataSource.query(`DELETE FROM checkout.timeline_entries WHERE id = $1`, [row!.id])).rejects.toThrow(/append-only/);
    await expect(app.dataSource.query(`TRUNCATE checkout.timeline_entries`)).rejects.toThrow(/append-only/);
    expect((await entriesOf(s.id))[0]!.summary).toBe(row!.summary);
  });

  it('pages in order with a cursor; a bad cursor is BAD_USER_INPUT', async () => {
    const s = await newSession();
    await services.addresses.setShippingAddress(merchant, s.id, ADDRESS);
    await services.addresses.setBillingAddress(merchant, s.id, ADDRESS);
    await services.sessionCalculations.calculate(merchant, s.id, null);
    const all = await services.timeline.page(s.id, { first: 100 });
    expect(all.totalCount).toBe(4);
    const first = await services.timeline.page(s.id, { first: 3 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await services.timeline.page(s.id, { first: 3, after: first.pageInfo.endCursor });
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect([...first.edges, ...rest.edges].map((e) => e.node.kind)).toEqual(all.edges.map((e) => e.node.kind));
    await expect(services.timeline.page(s.id, { after: Buffer.from('cs_whatever').toString('base64url') })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });
});
