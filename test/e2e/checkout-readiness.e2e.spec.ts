// Blockers stop payment (issue 18, item 3), through the gateway: a session whose current
// calculation has blockers is not paid — confirmPaymentIntent is refused with CHECKOUT_NOT_READY
// (reason checkout:not_ready; the message and the `blockers` extension list them), the intent
// keeps its amount and status, the session is not committed to paying (its version and
// lifecycle status unchanged). A session that needs shipping is refused until a shipping option
// is selected, then paid at the recalculated grand total; a promotion that stopped applying after
// it was applied blocks too. A merchant that ships nothing: its lines need no shipping, so a
// calculated session pays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_SHIPPING = `mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`;
const UPDATE_PROMOTION = `mutation($id: ID!, $input: UpdatePromotionInput!) { updatePromotion(id: $id, input: $input) { id } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id version paymentIntentId } }`;
const READ = `query($id: ID!) { checkoutSession(id: $id) { id version lifecycleStatus status calculationStale totals { total { amountMinor } } } }`;
const SET_ADDRESS = `mutation($id: ID!) { setCheckoutShippingAddress(id: $id, address: { name: "Ada Buyer", line1: "10 Downing Street", city: "London", postalCode: "SW1A 2AA", country: "GB" }) { version } }`;
const SELECT = `mutation($id: ID!, $option: ID!) { setShipping: selectCheckoutShipping(id: $id, selection: { shippingOptionId: $option }) { version } }`;
const APPLY = `mutation($id: ID!, $code: String!) { applyCheckoutPromotion(id: $id, code: $code) { version } }`;
const CALCULATE = `mutation($id: ID!) { calculateCheckout(id: $id) { version calculation { id blockers { code } totals { grandTotal { amountMinor } } } } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status amount { amountMinor } } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { id status amount { amountMinor } } }`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const kettle = { name: 'Kettle', unitAmount: gbp(3000), quantity: 1 };

let handoff: RunningHandoff;
let admin: GqlClient;

async function newShop(name: string) {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, client: admin.as(key) };
}

/** The refusal of a confirmation: its code, reason, message and blockers. */
async function refusalOf(client: GqlClient, intentId: string) {
  const r = await client.request(CONFIRM, { id: intentId });
  expect(r.errors?.length, JSON.stringify(r.data)).toBeGreaterThan(0);
  const e = r.errors![0]!;
  return { code: e.extensions?.code, reason: e.extensions?.reason, message: e.message, blockers: e.extensions?.blockers as Array<Record<string, unknown>> | undefined };
}

/** Nothing moved: the intent as created, the session at its version and not committed to paying. */
async function expectUntouched(client: GqlClient, session: { id: string; version: number }, intentId: string, amountMinor: number) {
  expect((await client.ok(INTENT, { id: intentId })).paymentIntent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: { amountMinor } });
  const now = (await client.ok(READ, { id: session.id })).checkoutSession;
  expect(now.version).toBe(session.version);
  expect(now.lifecycleStatus).not.toBe('PAYMENT_PROCESSING');
  expect(now.status).toBe('OPEN');
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('blockers stop payment', () => {
  let shop: Awaited<ReturnType<typeof newShop>>;
  beforeAll(async () => {
    shop = await newShop('Kettles Ltd');
    await admin.ok(SET_SHIPPING, {
      m: shop.id,
      input: { zones: [{ id: 'gb', name: 'United Kingdom', countries: ['GB'], rates: [{ id: 'standard', label: 'Standard', amount: gbp(399), minDays: 2, maxDays: 4 }] }] },
    });
    await admin.ok(SET_TAX, { m: shop.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
  });

  it('refuses to confirm while no shipping option is selected (CHECKOUT_NOT_READY, nothing written); once selected, pays the recalculated total', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [kettle] } })).createCheckoutSession;
    await shop.client.ok(SET_ADDRESS, { id: s.id });
    const calculated = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout;
    expect(calculated.calculation.blockers).toEqual([{ code: 'shipping_not_selected' }]);

    const refused = await refusalOf(shop.client, s.paymentIntentId);
    expect(refused).toMatchObject({ code: 'CHECKOUT_NOT_READY', reason: 'checkout:not_ready' });
    expect(refused.message).toContain('shipping_not_selected');
    expect(refused.blockers).toEqual([{ code: 'shipping_not_selected', message: 'Choose a shipping option or a pickup location.' }]);
    await expectUntouched(shop.client, { id: s.id, version: calculated.version }, s.paymentIntentId, 3000);

    await shop.client.ok(SELECT, { id: s.id, option: 'standard' });
    const ready = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout;
    // 30.00 + 3.99 shipping, 20 % on both: 6.00 + 0.80 → 40.79.
    expect(ready.calculation).toMatchObject({ blockers: [], totals: { grandTotal: { amountMinor: 4079 } } });
    const paid = (await shop.client.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent;
    expect(paid).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 4079 } });
    await expect.poll(async () => (await shop.client.ok(READ, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
  });

  it('refuses a session without an address to ship to or locate tax (address_invalid and shipping_not_selected listed)', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [kettle] } })).createCheckoutSession;
    const calculated = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout;
    const refused = await refusalOf(shop.client, s.paymentIntentId);
    expect(refused.code).toBe('CHECKOUT_NOT_READY');
    expect(refused.blockers!.map((b) => b.code).sort()).toEqual(['address_invalid', 'shipping_not_selected']);
    await expectUntouched(shop.client, { id: s.id, version: calculated.version }, s.paymentIntentId, 3000);
  });

  it('a promotion that stopped applying after it was applied blocks the payment (promotion_invalid, with its code)', async () => {
    const promotionId = (await admin.ok(CREATE_PROMOTION, { input: { merchantId: shop.id, name: 'Spring', code: 'SPRING5', amountOff: gbp(500) } })).createPromotion.id;
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [kettle] } })).createCheckoutSession;
    await shop.client.ok(SET_ADDRESS, { id: s.id });
    await shop.client.ok(SELECT, { id: s.id, option: 'standard' });
    await shop.client.ok(APPLY, { id: s.id, code: 'SPRING5' });
    await shop.client.ok(UPDATE_PROMOTION, { id: promotionId, input: { active: false } });
    const calculated = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout;
    expect(calculated.calculation.blockers).toEqual([{ code: 'promotion_invalid' }]);
    const refused = await refusalOf(shop.client, s.paymentIntentId);
    expect(refused).toMatchObject({ code: 'CHECKOUT_NOT_READY', blockers: [{ code: 'promotion_invalid', promotionCode: 'SPRING5' }] });
    await expectUntouched(shop.client, { id: s.id, version: calculated.version }, s.paymentIntentId, 3000);
  });
});

describe('a merchant that ships nothing', () => {
  it('a calculated session has no shipping blockers and pays', async () => {
    const shop = await newShop('Downloads Ltd');
    await admin.ok(CREATE_PROMOTION, { input: { merchantId: shop.id, name: '£1 off', automatic: true, amountOff: gbp(100) } });
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [{ name: 'E-book', unitAmount: gbp(1200), quantity: 1 }] } })).createCheckoutSession;
    const calculated = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout;
    expect(calculated.calculation).toMatchObject({ blockers: [], totals: { grandTotal: { amountMinor: 1100 } } });
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 1100 } });
  });
});
