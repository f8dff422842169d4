// The merchant's webhook events of a checkout session's creation and status (issue 19, producer
// side), against real PostgreSQL: createCheckoutSession and an agent's checkout write one
// checkout.created; a completed payment checkout.completed; expiry (the merchant's, the sweep's)
// checkout.expired; a payment for another amount checkout.failed; a session canceled after the PSP
// refused its intent checkout.canceled — each in the INSERT of the session's own
// `checkout_session.*` event (the same xmin), with the session in seed 003's snake_case; a refused,
// repeated or rolled-back change writes none. (checkout.updated and cancelCheckoutSession's
// checkout.canceled: checkout-webhook-events.int.spec.ts.)
import { randomBytes } from 'node:crypto';
import type { CheckoutPricingConfig, Principal, SubgraphApp, WebhookEventPayload } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { CheckoutSessionEntity } from '../src/checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../src/checkout-session/checkout-session.enums.js';
import { transitionCheckoutSession } from '../src/checkout-session/checkout-session.transition.js';
import { createApp, loadConfig } from '../src/index.js';
import type { MerchantPricingPort } from '../src/ports/merchant-pricing.port.js';
import { FakeMerchants, FakePayments, FakeUnpricedMerchants, pspRefused } from './fakes.js';
import { pricingConfig } from './pricing-fixtures.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_whs_${suffix}`;
const merchant = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId } as Principal & { kind: 'MERCHANT' };
const agent = { kind: 'AGENT', keyId: `ka_${suffix}`, agentId: `agt_whs_${suffix}` } as Principal & { kind: 'AGENT' };
/** Prices checkouts (GB shipping and tax): an agent's checkout of its offer is calculated at once. */
const pricedMerchantId = `mer_whp_${suffix}`;
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
merchants.addMerchant(pricedMerchantId, { country: 'GB' });
merchants.addOffer(`off_${suffix}`, merchantId, 1500, 'GBP');
merchants.addOffer(`off_p_${suffix}`, pricedMerchantId, 2000, 'GBP');

class Pricing implements MerchantPricingPort {
  private readonly unpriced = new FakeUnpricedMerchants();
  async pricingConfig(id: string): Promise<CheckoutPricingConfig> {
    return id === pricedMerchantId ? pricingConfig({ merchantId: id }) : this.unpriced.pricingConfig(id);
  }
}
const payments = new FakePayments();
const LINES = [{ name: 'Kettle', unitAmount: { amountMinor: 3000, currency: 'GBP' }, quantity: 2 }];

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;

interface Row {
  topic: string;
  aggregate_id: string;
  payload: WebhookEventPayload;
  xmin: string;
}

/** The session's webhook rows, oldest first, with their writing transaction. */
const webhookRows = (checkoutId: string): Promise<Row[]> =>
  app.dataSource.query(
    `SELECT topic, aggregate_id, payload, xmin::text AS xmin FROM checkout.outbox WHERE topic LIKE 'webhook_event.%' AND payload->>'checkoutId' = $1 ORDER BY id`,
    [checkoutId],
  );
const types = async (checkoutId: string) => (await webhookRows(checkoutId)).map((r) => r.payload.type);
/** The xmin of the session's own `checkout_session.<status>` row (the relay is not running here: rows stay as written). */
const internalXmin = async (checkoutId: string, topic: string) =>
  ((await app.dataSource.query(`SELECT xmin::text AS xmin FROM checkout.outbox WHERE aggregate_id = $1 AND topic = $2`, [checkoutId, topic])) as Array<{ xmin: string }>).map(
    (r) => r.xmin,
  );
const lastOf = async (checkoutId: string, type: string) => {
  const rows = (await webhookRows(checkoutId)).filter((r) => r.payload.type === type);
  expect(rows, type).toHaveLength(1);
  return rows[0]!;
};

const create = () => services.checkoutSessions.create(merchant, { lineItems: LINES, metadata: { order: 'A-1' } }, undefined);

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-whs`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const pricing = new Pricing();
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing });
});

afterAll(async () => {
  await app?.close();
});

describe('checkout.created', () => {
  it('createCheckoutSession: one row to the merchant, in the statement of checkout_session.open, in seed 003’s shape', async () => {
    const cs = await create();
    const row = await lastOf(cs.id, 'checkout.created');
    expect(await types(cs.id)).toEqual(['checkout.created']); // recording its payment intent is no merchant event
    expect(row.topic).toBe('webhook_event.checkout.created');
    expect(row.aggregate_id).toBe(merchantId);
    expect(await internalXmin(cs.id, 'checkout_session.open')).toEqual([row.xmin]);
    expect(row.payload).toMatchObject({ merchantId, checkoutId: cs.id, paymentIntentId: null, previousAttributes: null });
    expect(row.payload.object).toMatchObject({
      checkout_id: cs.id,
      object: 'checkout',
      status: 'open',
      version: 1,
      currency: 'GBP',
      calculation_id: null,
      totals: { currency: 'GBP', sub_total: 6000, discount_total: 0, tax_total: 0, shipping_total: 0, grand_total: 6000 },
      payment_intent_id: null,
      payment_mismatch: null,
      metadata: { order: 'A-1' },
      created_at: cs.createdAt.toISOString(),
      updated_at: cs.createdAt.toISOString(),
      expires_at: cs.expiresAt.toISOString(),
    });
    expect(JSON.stringify(row.payload)).not.toMatch(/client_token|"url"|\?cs=|aap_code/);
  });

  it('an agent’s checkout: one row, with the agent session and recommendation, never the AAP code; a replay writes none', async () => {
    const session = await services.agentSessions.start(agent, null, undefined);
    const rec = await services.recommendations.recommend(agent, { sessionId: session.id, offerId: `off_${suffix}` }, undefined);
    const cs = await services.agentCheckouts.checkout(agent, { sessionId: session.id, recommendationId: rec.id }, undefined);
    const row = await lastOf(cs.id, 'checkout.created');
    expect(row.payload.correlation).toMatchObject({ agent_session_id: session.id, recommendation_id: rec.id });
    expect(row.payload.object).toMatchObject({ checkout_id: cs.id, status: 'open', version: 1, calculation_id: null, totals: { grand_total: 1500 } });
    // In the statement that inserted the session (its own checkout_session.open).
    expect(await internalXmin(cs.id, 'checkout_session.open')).toEqual([row.xmin]);
    const stored = await app.dataSource.getRepository(CheckoutSessionEntity).findOneByOrFail({ id: cs.id });
    expect(stored.aapCode).toBeTruthy();
    expect(JSON.stringify(row.payload)).not.toContain(stored.aapCode!);
    // The same recommendation's open session handed out again writes none.
    await services.agentCheckouts.checkout(agent, { sessionId: session.id, recommendationId: rec.id }, undefined);
    expect(await types(cs.id)).toEqual(['checkout.created']);
  });

  it('an agent’s checkout of a merchant that prices checkouts: one row, after its calculation, with the calculated totals', async () => {
    const session = await services.agentSessions.start(agent, null, undefined);
    const rec = await services.recommendations.recommend(agent, { sessionId: session.id, offerId: `off_p_${suffix}` }, undefined);
    const cs = await services.agentCheckouts.checkout(agent, { sessionId: session.id, recommendationId: rec.id }, undefined);
    const row = await lastOf(cs.id, 'checkout.created');
    expect(await types(cs.id)).toEqual(['checkout.created']);
    const stored = await app.dataSource.getRepository(CheckoutSessionEntity).findOneByOrFail({ id: cs.id });
    expect(stored.calculationId).toEqual(expect.any(String));
    expect(row.payload.object).toMatchObject({
      calculation_id: stored.calculationId,
      calculation_stale: false,
      totals: { sub_total: stored.subtotalMinor, tax_total: stored.taxMinor, shipping_total: stored.shippingMinor, grand_total: stored.totalMinor },
      version: 1, // recording its payment intent afterwards is no merchant event
    });
    expect(stored.taxMinor).toBeGreaterThan(0); // really priced (GB tax), not the offer's price
    // The same transaction as the insert.
    expect(await internalXmin(cs.id, 'checkout_session.open')).toEqual([row.xmin]);
  });
});

describe('checkout.completed and checkout.failed', () => {
  it('a payment for the total: checkout.completed once, with the intent; a redelivery writes none', async () => {
    const cs = await create();
    const event = { paymentIntent: { id: `pi_${suffix}_ok`, status: 'succeeded', checkoutSessionId: cs.id, amountMinor: 6000, currency: 'GBP' } };
    expect(await services.lifecycle.completeFromPayment(event)).toBe('completed');
    expect(await services.lifecycle.completeFromPayment(event)).toBe('unchanged');
    const row = await lastOf(cs.id, 'checkout.completed');
    expect(await internalXmin(cs.id, 'checkout_session.complete')).toEqual([row.xmin]);
    expect(row.payload.object).toMatchObject({ status: 'complete', payment_intent_id: expect.any(String) });
    expect(row.payload.previousAttributes).toMatchObject({ status: 'open' });
    expect(row.payload.previousAttributes!.version).toBe((row.payload.object.version as number) - 1);
  });

  it('a payment for another amount: checkout.failed with the mismatch, the session still open; a redelivery writes none', async () => {
    const cs = await create();
    const event = { paymentIntent: { id: `pi_${suffix}_bad`, status: 'succeeded', checkoutSessionId: cs.id, amountMinor: 5999, currency: 'GBP' } };
    expect(await services.lifecycle.completeFromPayment(event)).toBe('flagged');
    expect(await services.lifecycle.completeFromPayment(event)).toBe('unchanged');
    const row = await lastOf(cs.id, 'checkout.failed');
    expect(await internalXmin(cs.id, 'checkout_session.payment_mismatch')).toEqual([row.xmin]);
    expect(row.payload.object).toMatchObject({
      status: 'open',
      payment_mismatch: { payment_intent_id: `pi_${suffix}_bad`, expected_amount: 6000, expected_currency: 'GBP', received_amount: 5999, received_currency: 'GBP' },
    });
    expect(row.payload.previousAttributes).toMatchObject({ payment_mismatch: null });
    expect(await types(cs.id)).toEqual(['checkout.created', 'checkout.failed']);
  });
});

describe('checkout.expired and checkout.canceled', () => {
  it('expireCheckoutSession: checkout.expired; expiring it again is refused and writes none', async () => {
    const cs = await create();
    await services.lifecycle.expire(merchant, cs.id);
    await expect(services.lifecycle.expire(merchant, cs.id)).rejects.toMatchObject({ extensions: { code: 'INVALID_STATE_TRANSITION' } });
    const row = await lastOf(cs.id, 'checkout.expired');
    expect(await internalXmin(cs.id, 'checkout_session.expired')).toEqual([row.xmin]);
    expect(row.payload).toMatchObject({ object: { status: 'expired' }, previousAttributes: { status: 'open' } });
    expect(await types(cs.id)).toEqual(['checkout.created', 'checkout.expired']);
  });

  it('the expiry sweep: checkout.expired for a session past its expiry', async () => {
    const cs = await create();
    await app.dataSource.query(`UPDATE checkout.checkout_sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [cs.id]);
    await services.lifecycle.expireDue(new Date());
    const row = await lastOf(cs.id, 'checkout.expired');
    expect(row.payload.previousAttributes).toMatchObject({ status: 'open' });
  });

  it('a session whose payment intent the PSP refused is canceled: checkout.created, then checkout.canceled', async () => {
    payments.failNext = pspRefused();
    await expect(create()).rejects.toMatchObject({ extensions: { code: 'CHECKOUT_CREATE_FAILED' } });
    const [latest] = (await app.dataSource.query(`SELECT id FROM checkout.checkout_sessions WHERE merchant_id = $1 ORDER BY created_at DESC LIMIT 1`, [merchantId])) as Array<{ id: string }>;
    expect(await types(latest!.id)).toEqual(['checkout.created', 'checkout.canceled']);
    expect((await lastOf(latest!.id, 'checkout.canceled')).payload.object.status).toBe('canceled');
  });

  it('a move whose transaction rolls back leaves no webhook event', async () => {
    const cs = await create();
    await expect(
      app.dataSource.transaction(async (manager) => {
        const locked = await manager.findOneOrFail(CheckoutSessionEntity, { where: { id: cs.id }, lock: { mode: 'pessimistic_write' } });
        await transitionCheckoutSession(manager, locked, CheckoutSessionStatus.EXPIRED);
        const inside = await manager.query(`SELECT count(*)::int AS n FROM checkout.outbox WHERE topic = 'webhook_event.checkout.expired' AND payload->>'checkoutId' = $1`, [cs.id]);
        expect(inside).toEqual([{ n: 1 }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await types(cs.id)).toEqual(['checkout.created']);
  });
});
