// The ACP order events of a session that came through ACP (issue 21 item 3) against real
// PostgreSQL: createAgentCheckoutSession marks it (origin acp); its payment's success writes one
// order_create; each refund (payment-intent's payment_intent.refunded) one order_update with a
// refund adjustment per refund so far and amount_refunded — exactly once per refunded total,
// whatever 8 concurrent deliveries of the same event do, and each of two different refunds at once
// told; a refund seen before the session completed is retried (thrown), not dropped.
import { randomBytes } from 'node:crypto';
import type { PaymentIntentEventPayload, Principal, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { RefundBeforeCompletion } from '../src/acp-order/acp-order-refunds.js';
import { createServices } from '../src/app.js';
import { createApp, loadConfig } from '../src/index.js';
import { FakeMerchants, FakePayments } from './fakes.js';
import { pricingConfig } from './pricing-fixtures.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_aor_${suffix}`;
const offerId = `off_aor_${suffix}`;
const agent = { kind: 'AGENT', keyId: `key_${suffix}`, agentId: `agt_aor_${suffix}` } as Principal & { kind: 'AGENT' };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
merchants.addOffer(offerId, merchantId, 1000, 'GBP');
const payments = new FakePayments();
const pricing = {
  pricingConfig: async (id: string) =>
    pricingConfig({ merchantId: id, shipping: { zones: [], pickupLocations: [] }, tax: { pricesIncludeTax: false, defaultCategory: 'standard', rates: [] } }),
};

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;

const orderEvents = async (sessionId: string, type: string) =>
  ((await app.dataSource.query(`SELECT payload FROM checkout.outbox WHERE topic = $1 AND payload->>'checkoutId' = $2 ORDER BY id`, [`webhook_event.${type}`, sessionId])) as Array<{
    payload: { agentId: string; audience: string; object: { status: string; adjustments: Array<{ id: string; amount: number; reason: string }>; totals: Array<{ type: string; amount: number }> } };
  }>).map((r) => r.payload);

async function acpSession() {
  const cs = await services.acpCheckouts.create(agent, { merchantId, lineItems: [{ offerId, quantity: 2 }] }, undefined);
  const [row] = await app.dataSource.query(`SELECT origin, total_minor FROM checkout.checkout_sessions WHERE id = $1`, [cs.id]);
  return { id: cs.id, origin: row.origin as string | null, totalMinor: Number(row.total_minor) };
}

const intentOf = (sessionId: string, totalMinor: number, refundedMinor: number) => ({
  id: `pi_${sessionId}`, status: 'SUCCEEDED', amountMinor: totalMinor, currency: 'GBP', amountCapturedMinor: totalMinor, amountRefundedMinor: refundedMinor,
  merchantId, checkoutSessionId: sessionId, checkoutTotal: { amountMinor: totalMinor, currency: 'GBP' }, provider: 'TEST', providerPaymentId: null, metadata: {},
});
const refunded = (sessionId: string, totalMinor: number, refundedMinor: number, refundId: string): PaymentIntentEventPayload => ({
  paymentIntent: intentOf(sessionId, totalMinor, refundedMinor),
  refund: { id: refundId, amountMinor: null, reason: null },
  occurredAt: new Date().toISOString(),
});

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-aor-${suffix}`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing });
});

afterAll(async () => {
  await app?.close();
});

describe('ACP order events', () => {
  it('order_create once on completion; each refunded total one order_update, whatever 8 concurrent deliveries of it do', async () => {
    const s = await acpSession();
    expect(s.origin).toBe('acp');
    // A refund seen before the session completed is retried by the queue, not dropped.
    await expect(services.acpOrderRefunds.paymentRefunded(refunded(s.id, s.totalMinor, 300, 're_early'))).rejects.toBeInstanceOf(RefundBeforeCompletion);

    const paid = { paymentIntent: intentOf(s.id, s.totalMinor, 0), occurredAt: new Date().toISOString() };
    expect(await services.lifecycle.completeFromPayment(paid)).toBe('completed');
    expect(await services.lifecycle.completeFromPayment(paid)).toBe('unchanged');
    const created = await orderEvents(s.id, 'order_create');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ agentId: agent.agentId, audience: 'agent', object: { status: 'confirmed' } });

    const first = refunded(s.id, s.totalMinor, 300, 're_1');
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => services.acpOrderRefunds.paymentRefunded(first)));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    let updates = await orderEvents(s.id, 'order_update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.object.adjustments).toEqual([expect.objectContaining({ id: 'adj_re_1', type: 'refund', status: 'completed', amount: 300, currency: 'gbp', reason: 'partial_refund' })]);
    expect(updates[0]!.object.totals.find((t) => t.type === 'amount_refunded')?.amount).toBe(300);

    // Two more refunds at once (700, then the rest): each told once; the later row carries all three.
    const rest = await Promise.all([
      services.acpOrderRefunds.paymentRefunded(refunded(s.id, s.totalMinor, 1000, 're_2')),
      services.acpOrderRefunds.paymentRefunded(refunded(s.id, s.totalMinor, s.totalMinor, 're_3')),
    ]);
    expect(rest).toEqual(['recorded', 'recorded']);
    updates = await orderEvents(s.id, 'order_update');
    expect(updates).toHaveLength(3);
    const last = updates.reduce((a, b) => (b.object.adjustments.length > a.object.adjustments.length ? b : a));
    expect(last.object.adjustments.map((a) => [a.id, a.amount])).toEqual([['adj_re_1', 300], ['adj_re_2', 700], ['adj_re_3', s.totalMinor - 1000]]);
    expect(last.object.totals.find((t) => t.type === 'amount_refunded')?.amount).toBe(s.totalMinor);
    expect(await services.acpOrderRefunds.paymentRefunded(refunded(s.id, s.totalMinor, 1000, 're_2'))).toBe('unchanged');
  });

  it('a session that did not come through ACP gets no order events', async () => {
    const cs = await services.checkoutSessions.create(
      { kind: 'MERCHANT', keyId: `key_m_${suffix}`, merchantId } as Principal,
      { lineItems: [{ name: 'Lamp', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1, offerId }] },
      undefined,
    );
    const [row] = await app.dataSource.query(`SELECT origin, total_minor FROM checkout.checkout_sessions WHERE id = $1`, [cs.id]);
    expect(row.origin).toBeNull();
    expect(await services.lifecycle.completeFromPayment({ paymentIntent: intentOf(cs.id, Number(row.total_minor), 0) })).toBe('completed');
    expect(await services.acpOrderRefunds.paymentRefunded(refunded(cs.id, Number(row.total_minor), 500, 're_x'))).toBe('unchanged');
    expect(await orderEvents(cs.id, 'order_create')).toEqual([]);
    expect(await orderEvents(cs.id, 'order_update')).toEqual([]);
  });
});
