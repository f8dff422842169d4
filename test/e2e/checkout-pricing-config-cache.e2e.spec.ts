// checkout-session keeps a merchant's pricing configuration between calculations (issue 18's
// calculation bench: ports/merchant-pricing.cache.ts), so every change must still be priced by the
// very next calculation: tax rates, shipping rates, promotions created and deactivated, a pricing
// provider switched to an HTTP endpoint (that fails) and back, each answered change followed at once
// by calculateCheckout, through the gateway, many times over. And the version key lost in Redis
// (a flush) costs only a fetch.
import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { pricingConfigVersionKey } from '@handoff/shared';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const M = '{ amountMinor currency }';
const CALCULATE = `mutation($id: ID!) {
  calculateCheckout(id: $id) {
    version
    calculation {
      taxLines { target basisPoints amount ${M} }
      shipping { id amount ${M} }
      promotions { promotionId code automatic amount ${M} }
      totals { subTotal ${M} discountTotal ${M} taxTotal ${M} shippingTotal ${M} grandTotal ${M} }
    }
  }
}`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const SET_SHIPPING = `mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`;
const UPDATE_PROMOTION = `mutation($id: ID!, $input: UpdatePromotionInput!) { updatePromotion(id: $id, input: $input) { active } }`;
const SET_PROVIDER = `mutation($m: ID!, $c: PricingConcern!, $input: PricingProviderInput!) { setPricingProvider(merchantId: $m, concern: $c, input: $input) { kind } }`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const shipping = (amountMinor: number) => ({ zones: [{ id: 'gb', name: 'UK', countries: ['GB'], rates: [{ id: 'standard', label: 'Standard', amount: gbp(amountMinor) }] }] });

let handoff: RunningHandoff;
let shop: GqlClient;
let merchantId: string;
let sessionId: string;
let redis: Redis;
/** A port nothing listens on: an HTTP provider there fails at once. */
let deadUrl: string;

beforeAll(async () => {
  handoff = await startTestHandoff();
  const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  merchantId = (
    await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name: 'Cache Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
    })
  ).createMerchant.id;
  await admin.ok(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantId });
  shop = admin.as((await admin.ok(`mutation($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantId })).createApiKey.key);
  await shop.ok(SET_SHIPPING, { m: merchantId, input: shipping(500) });
  await shop.ok(SET_TAX, { m: merchantId, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
  sessionId = (await shop.ok(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id } }`, {
    input: { lineItems: [{ name: 'Lamp', unitAmount: gbp(10_000), quantity: 1 }] },
  })).createCheckoutSession.id;
  await shop.ok(`mutation($id: ID!, $a: CheckoutAddressInput!) { setCheckoutShippingAddress(id: $id, address: $a) { id } }`, {
    id: sessionId,
    a: { line1: '1 High Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
  });
  await shop.ok(`mutation($id: ID!) { selectCheckoutShipping(id: $id, selection: { shippingOptionId: "standard" }) { id } }`, { id: sessionId });
  redis = new Redis(handoff.env.REDIS_URL!);
  const probe: Server = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}/tax`;
  await new Promise<void>((r) => probe.close(() => r()));
}, 120_000);

afterAll(async () => {
  redis?.disconnect();
  await handoff?.stop();
});

const calculate = async () => (await shop.ok(CALCULATE, { id: sessionId })).calculateCheckout.calculation;
const lineRate = (c: any) => c.taxLines.find((t: any) => t.target === 'LINE').basisPoints as number;

describe('a kept pricing configuration', () => {
  it('prices every answered tax and shipping change in the very next calculation', async () => {
    expect(lineRate(await calculate())).toBe(2000);
    let shippingMinor = 500;
    for (let i = 1; i <= 15; i++) {
      const bps = 2000 - i * 100;
      await shop.ok(SET_TAX, { m: merchantId, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: bps }] } });
      const c = await calculate();
      expect(lineRate(c)).toBe(bps);
      expect(c.totals.taxTotal.amountMinor).toBe((10_000 * bps) / 10_000 + Math.round((shippingMinor * bps) / 10_000));
      shippingMinor = 500 + i;
      await shop.ok(SET_SHIPPING, { m: merchantId, input: shipping(shippingMinor) });
      expect((await calculate()).shipping.amount.amountMinor).toBe(shippingMinor);
    }
  });

  it('applies a promotion from the calculation after its creation and drops it from the one after its deactivation', async () => {
    for (let i = 0; i < 5; i++) {
      const id = (await shop.ok(CREATE_PROMOTION, { input: { merchantId, automatic: true, amountOff: gbp(100 + i), name: `Auto ${i}` } })).createPromotion.id;
      expect((await calculate()).promotions).toEqual([expect.objectContaining({ promotionId: id, automatic: true, amount: gbp(100 + i) })]);
      await shop.ok(UPDATE_PROMOTION, { id, input: { active: false } });
      expect((await calculate()).promotions).toEqual([]);
    }
  });

  it('asks an HTTP provider from the calculation after it is set, and stops after it is set back to BUILT_IN', async () => {
    await shop.ok(SET_PROVIDER, { m: merchantId, c: 'TAX', input: { kind: 'HTTP', endpointUrl: deadUrl, timeoutMs: 500, fallback: 'FAIL' } });
    const refused = await shop.request(CALCULATE, { id: sessionId });
    expect(refused.errors?.[0]?.extensions?.code).toBe('PROVIDER_UNAVAILABLE');
    await shop.ok(SET_PROVIDER, { m: merchantId, c: 'TAX', input: { kind: 'BUILT_IN' } });
    expect(lineRate(await calculate())).toBeGreaterThan(0);
  });

  it('costs only a fetch when Redis loses the version key: the next calculation sets a new one and prices the current configuration', async () => {
    const key = pricingConfigVersionKey(handoff.env.QUEUE_PREFIX!, merchantId);
    expect(await redis.get(key)).not.toBeNull();
    await redis.del(key);
    const c = await calculate();
    expect(lineRate(c)).toBe(500);
    expect(await redis.get(key)).not.toBeNull();
    await shop.ok(SET_TAX, { m: merchantId, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 1750 }] } });
    expect(lineRate(await calculate())).toBe(1750);
  });
});
