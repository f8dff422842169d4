// Seed 003's checkout session lifecycle in GraphQL (issue 18, part B2), through the gateway:
// create with its terms and read them back; PATCH at a version (a stale one refused, nothing
// written; two at once, one wins); cancel (payment intent canceled, promotion uses given back);
// the lifecycle status through a whole flow; a payment against a missing or stale calculation
// refused with CALCULATION_STALE, one whose calculation has blockers (no address to locate tax)
// refused with CHECKOUT_NOT_READY, and a recalculated one charged the new grand total; 50
// sessions paying at once for a promotion limited to 10 uses (exactly 10 discounted, the ledger
// at 10); an agent checkout of a taxed offer charges the calculated total and its conversion verifies.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import {
  CancelCheckoutSessionDocument as CANCEL,
  CreateLifecycleSessionDocument as CREATE,
  LifecycleSessionDocument as READ,
  RefreshCheckoutSessionDocument as REFRESH,
  UpdateCheckoutSessionDocument as UPDATE,
} from '../generated/graphql.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REGISTER_AGENT = `mutation { registerAgent(input: { name: "Lifecycle agent" }) { id } }`;
const START = `mutation { startAgentSession { id } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { transactionId paymentId amount { amountMinor currency } checkoutSession { id calculation { id totals { taxTotal { amountMinor } grandTotal { amountMinor } } } } } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status amount { amountMinor } } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { id status amount { amountMinor currency } } }`;
const SET_CUSTOMER = `mutation($id: ID!, $email: String!) { setCheckoutCustomer(id: $id, customer: { email: $email }) { version } }`;
const SET_ADDRESS = `mutation($id: ID!) { setCheckoutShippingAddress(id: $id, address: { name: "Ada Buyer", line1: "10 Downing Street", city: "London", postalCode: "SW1A 2AA", country: "GB" }) { version } }`;
const EXPIRE = `mutation($id: ID!) { expireCheckoutSession(id: $id) { status } }`;
const CONVERSIONS = `query($m: ID!) { conversions(filter: { merchantId: $m }, first: 10) { totalCount edges { node { verification transactionValue { amount currency } } } } }`;

const GOOD = '4242424242424242';
const DECLINED = '4000000000000002';
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const line = (name: string, amountMinor: number, quantity = 1) => ({ name, unitAmount: gbp(amountMinor), quantity });

let handoff: RunningHandoff;
let admin: GqlClient;
let db: pg.Pool;

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

const errorOf = async (client: GqlClient, doc: any, vars: any) => {
  const r = await client.request(doc, vars);
  expect(r.errors?.length, JSON.stringify(r.data)).toBeGreaterThan(0);
  const e = r.errors![0]!;
  return { code: e.extensions?.code as string, field: e.extensions?.field as string | undefined, reason: e.extensions?.reason as string | undefined };
};

const promotionUses = async (promotionId: string): Promise<number> => {
  const { rows } = await db.query(`SELECT COALESCE((SELECT used FROM checkout.promotion_usage WHERE promotion_id = $1), 0)::int AS used`, [promotionId]);
  return rows[0].used;
};

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  db = new pg.Pool({ connectionString: handoff.env.DATABASE_URL, max: 2 });
});

afterAll(async () => {
  await db?.end();
  await handoff?.stop();
});

describe('create, PATCH and cancel', () => {
  let shop: Awaited<ReturnType<typeof newShop>>;
  beforeAll(async () => {
    shop = await newShop('Lifecycle Ltd');
  });

  it('creates a session with seed 003 fields and reads them back', async () => {
    const input = {
      currency: 'gbp',
      owner: { type: 'USER', id: 'user_1' },
      channel: 'Web',
      cartId: 'cart_123',
      captureMode: 'MANUAL',
      requireBillingAddress: true,
      metadata: { source: 'campaign_x' },
      lineItems: [line('Premium plan', 2500, 2)],
    } as const;
    const created = (await shop.client.ok(CREATE, { input: input as any })).createCheckoutSession;
    expect(created).toMatchObject({
      status: 'OPEN', lifecycleStatus: 'CREATED', currency: 'GBP', version: expect.any(Number), owner: { type: 'USER', id: 'user_1' }, channel: 'web',
      cartId: 'cart_123', captureMode: 'MANUAL', requireBillingAddress: true, metadata: { source: 'campaign_x' }, totals: { total: { amountMinor: 5000, currency: 'GBP' } },
    });
    const read = (await shop.client.ok(READ, { id: created.id })).checkoutSession!;
    expect(read).toMatchObject({ owner: { type: 'USER', id: 'user_1' }, channel: 'web', cartId: 'cart_123', captureMode: 'MANUAL', requireBillingAddress: true });
    // The session's capture mode is its intent's.
    const intent = (await shop.client.request(`query($id: ID!) { paymentIntent(id: $id) { captureMode } }`, { id: read.paymentIntentId })).data?.paymentIntent;
    expect(intent).toEqual({ captureMode: 'MANUAL' });
  });

  it('refuses bad terms with their field and writes nothing', async () => {
    const before = (await db.query(`SELECT count(*)::int AS n FROM checkout.checkout_sessions WHERE merchant_id = $1`, [shop.id])).rows[0].n;
    const bad = async (extra: Record<string, unknown>) => errorOf(shop.client, CREATE, { input: { lineItems: [line('A', 100)], ...extra } });
    expect(await bad({ currency: 'EUR' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currency' });
    expect(await bad({ currency: 'XX1' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.currency' });
    expect(await bad({ owner: { type: 'USER' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.owner.id' });
    expect(await bad({ channel: 'web shop!' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.channel' });
    expect((await db.query(`SELECT count(*)::int AS n FROM checkout.checkout_sessions WHERE merchant_id = $1`, [shop.id])).rows[0].n).toBe(before);
  });

  it('PATCH at a stale version → VERSION_CONFLICT and nothing written; at the current one every field changes', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [line('A', 1000)], metadata: { k: 'v1' } } })).createCheckoutSession;
    const stale = await errorOf(shop.client, UPDATE, { id: s.id, expectedVersion: s.version - 1 < 1 ? s.version + 5 : s.version - 1, input: { metadata: { k: 'v2' } } });
    expect(stale.code).toBe('VERSION_CONFLICT');
    const unchanged = (await shop.client.ok(READ, { id: s.id })).checkoutSession!;
    expect(unchanged).toMatchObject({ version: s.version, metadata: { k: 'v1' }, channel: null });

    // Bad input at the right version: refused with its field, nothing written either.
    expect(await errorOf(shop.client, UPDATE, { id: s.id, expectedVersion: s.version, input: { lineItems: [line('B', 100)].map((l) => ({ ...l, unitAmount: { amountMinor: 100, currency: 'EUR' } })) } }))
      .toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lineItems' });
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession!.version).toBe(s.version);

    const out = (
      await shop.client.ok(UPDATE, {
        id: s.id,
        expectedVersion: s.version,
        input: { metadata: { k: 'v2' }, owner: { type: 'GUEST' }, channel: 'app', cartId: 'cart_9', requireBillingAddress: true, lineItems: [line('B', 700, 3)] },
      })
    ).updateCheckoutSession;
    expect(out).toMatchObject({
      version: s.version + 1, metadata: { k: 'v2' }, owner: { type: 'GUEST', id: null }, channel: 'app', cartId: 'cart_9', requireBillingAddress: true,
      calculationStale: true, lineItems: [{ name: 'B', quantity: 3, total: { amountMinor: 2100 } }], totals: { total: { amountMinor: 2100 } },
    });
  });

  it('two PATCHes at the same version at once: one wins, the other is VERSION_CONFLICT', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [line('A', 1000)] } })).createCheckoutSession;
    const results = await Promise.all(
      ['one', 'two', 'three', 'four'].map((k) => shop.client.request(UPDATE, { id: s.id, expectedVersion: s.version, input: { metadata: { winner: k } } })),
    );
    const won = results.filter((r) => !r.errors?.length);
    const lost = results.filter((r) => r.errors?.length);
    expect(won).toHaveLength(1);
    expect(lost.map((r) => r.errors![0]!.extensions?.code)).toEqual(['VERSION_CONFLICT', 'VERSION_CONFLICT', 'VERSION_CONFLICT']);
    const read = (await shop.client.ok(READ, { id: s.id })).checkoutSession!;
    expect(read).toMatchObject({ version: s.version + 1, metadata: won[0]!.data!.updateCheckoutSession.metadata });
  });

  it('another merchant can neither read, PATCH nor cancel the session', async () => {
    const rival = await newShop('Rival Lifecycle Ltd');
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [line('A', 1000)] } })).createCheckoutSession;
    expect((await errorOf(rival.client, UPDATE, { id: s.id, expectedVersion: s.version, input: { channel: 'pos' } })).code).toBe('CHECKOUT_SESSION_NOT_FOUND');
    expect((await errorOf(rival.client, CANCEL, { id: s.id })).code).toBe('CHECKOUT_SESSION_NOT_FOUND');
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession).toMatchObject({ version: s.version, status: 'OPEN' });
  });
});

describe('payments bound to the calculation', () => {
  let shop: Awaited<ReturnType<typeof newShop>>;
  let promotionId: string;
  beforeAll(async () => {
    shop = await newShop('Priced Ltd');
    await admin.ok(SET_TAX, { m: shop.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
    promotionId = (await admin.ok(CREATE_PROMOTION, { input: { merchantId: shop.id, name: '£5 off', automatic: true, amountOff: gbp(500) } })).createPromotion.id;
  });

  it('refuses a payment against a missing or stale calculation (CALCULATION_STALE, nothing charged) and charges the recalculated total', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [line('Kettle', 3000)] } })).createCheckoutSession;
    const intentId = s.paymentIntentId!;
    // Never calculated: refused; the intent is untouched.
    expect(await errorOf(shop.client, CONFIRM, { id: intentId, card: GOOD })).toMatchObject({ code: 'CALCULATION_STALE', reason: 'calculation:missing' });
    expect((await shop.client.ok(INTENT, { id: intentId })).paymentIntent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: { amountMinor: 3000 } });
    // Calculated without an address: tax cannot be located (address_invalid), so it is not paid.
    const blocked = (await shop.client.ok(REFRESH, { id: s.id })).refreshCheckoutSession;
    expect(blocked).toMatchObject({ calculationStale: false, calculation: { totals: { grandTotal: { amountMinor: 2500 } } } });
    expect(await errorOf(shop.client, CONFIRM, { id: intentId, card: GOOD })).toMatchObject({ code: 'CHECKOUT_NOT_READY', reason: 'checkout:not_ready' });
    expect((await shop.client.ok(INTENT, { id: intentId })).paymentIntent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: { amountMinor: 3000 } });
    // With the address: (30.00 − 5.00) + 20 % = 30.00; then the lines change: stale again.
    await shop.client.ok(SET_ADDRESS, { id: s.id });
    const calculated = (await shop.client.ok(REFRESH, { id: s.id })).refreshCheckoutSession;
    expect(calculated).toMatchObject({ calculationStale: false, calculation: { totals: { grandTotal: { amountMinor: 3000 } } } });
    const changed = (await shop.client.ok(UPDATE, { id: s.id, expectedVersion: calculated.version, input: { lineItems: [line('Kettle', 3000), line('Mug', 800)] } })).updateCheckoutSession;
    expect(changed.calculationStale).toBe(true);
    expect(await errorOf(shop.client, CONFIRM, { id: intentId, card: GOOD })).toMatchObject({ code: 'CALCULATION_STALE', reason: 'calculation:stale' });
    expect((await shop.client.ok(INTENT, { id: intentId })).paymentIntent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: { amountMinor: 3000 } });
    expect(await promotionUses(promotionId)).toBe(0);
    // Recalculated: (38.00 − 5.00) + 20 % = 39.60; the intent's amount is updated to it before it is confirmed.
    const again = (await shop.client.ok(REFRESH, { id: s.id })).refreshCheckoutSession;
    expect(again.calculation!.totals.grandTotal.amountMinor).toBe(3960);
    const paid = (await shop.client.ok(CONFIRM, { id: intentId, card: GOOD })).confirmPaymentIntent;
    expect(paid).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 3960 } });
    await expect.poll(async () => (await shop.client.ok(READ, { id: s.id })).checkoutSession!.lifecycleStatus, { timeout: 15_000 }).toBe('COMPLETED');
    // Completed, not flagged: the payment was exactly the session's total.
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession).toMatchObject({ status: 'COMPLETE', totals: { total: { amountMinor: 3960 } } });
    expect(await promotionUses(promotionId)).toBe(1);
    // A finished session cannot be changed.
    const done = (await shop.client.ok(READ, { id: s.id })).checkoutSession!;
    expect((await errorOf(shop.client, UPDATE, { id: s.id, expectedVersion: done.version, input: { channel: 'pos' } })).code).toBe('INVALID_STATE_TRANSITION');
  });

  it('lifecycle status through a whole flow: CREATED → COLLECTING → PAYMENT_PROCESSING (a declined attempt) → COMPLETED; expired → FAILED', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [line('Lamp', 4000)] } })).createCheckoutSession;
    expect(s.lifecycleStatus).toBe('CREATED');
    await shop.client.ok(SET_CUSTOMER, { id: s.id, email: 'ada@example.com' });
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession!.lifecycleStatus).toBe('COLLECTING');
    await shop.client.ok(SET_ADDRESS, { id: s.id });
    await shop.client.ok(REFRESH, { id: s.id });
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession!.lifecycleStatus).toBe('COLLECTING');
    expect((await errorOf(shop.client, CONFIRM, { id: s.paymentIntentId, card: DECLINED })).code).toBe('PAYMENT_DECLINED');
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession!.lifecycleStatus).toBe('PAYMENT_PROCESSING');
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 4200 } });
    await expect.poll(async () => (await shop.client.ok(READ, { id: s.id })).checkoutSession!.lifecycleStatus, { timeout: 15_000 }).toBe('COMPLETED');

    const e = (await shop.client.ok(CREATE, { input: { lineItems: [line('Lamp', 4000)] } })).createCheckoutSession;
    await shop.client.ok(EXPIRE, { id: e.id });
    expect((await shop.client.ok(READ, { id: e.id })).checkoutSession).toMatchObject({ status: 'EXPIRED', lifecycleStatus: 'FAILED' });
  });

  it('cancel: the session is CANCELED, its payment intent canceled and its promotion use given back', async () => {
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [line('Chair', 6000)] } })).createCheckoutSession;
    await shop.client.ok(SET_ADDRESS, { id: s.id });
    await shop.client.ok(REFRESH, { id: s.id });
    const uses = await promotionUses(promotionId);
    // A payment method refused as bad input commits nothing: no use taken, no commitment.
    expect((await errorOf(shop.client, CONFIRM, { id: s.paymentIntentId, card: '4242' })).code).toBe('BAD_USER_INPUT');
    expect(await promotionUses(promotionId)).toBe(uses);
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession!.lifecycleStatus).toBe('COLLECTING');
    // A declined attempt commits the session to paying: its promotion use is taken.
    expect((await errorOf(shop.client, CONFIRM, { id: s.paymentIntentId, card: DECLINED })).code).toBe('PAYMENT_DECLINED');
    expect(await promotionUses(promotionId)).toBe(uses + 1);
    const current = (await shop.client.ok(READ, { id: s.id })).checkoutSession!;
    expect((await errorOf(shop.client, CANCEL, { id: s.id, expectedVersion: current.version - 1 })).code).toBe('VERSION_CONFLICT');
    const canceled = (await shop.client.ok(CANCEL, { id: s.id, expectedVersion: current.version, releaseInventory: true })).cancelCheckoutSession;
    expect(canceled).toMatchObject({ status: 'CANCELED', lifecycleStatus: 'CANCELED' });
    expect((await shop.client.ok(INTENT, { id: s.paymentIntentId })).paymentIntent.status).toBe('CANCELED');
    expect(await promotionUses(promotionId)).toBe(uses);
    expect((await errorOf(shop.client, CANCEL, { id: s.id })).code).toBe('INVALID_STATE_TRANSITION');
    expect((await errorOf(shop.client, CONFIRM, { id: s.paymentIntentId, card: GOOD })).code).toBe('INVALID_STATE_TRANSITION');
  });
});

describe('a promotion limited to 10 uses, 50 sessions paying at once', () => {
  it('exactly 10 payments carry the discount; the others are refused, recalculate without it and pay in full; the ledger shows 10 uses', async () => {
    const shop = await newShop('Race Ltd');
    const promotionId = (await admin.ok(CREATE_PROMOTION, { input: { merchantId: shop.id, name: 'First ten', automatic: true, amountOff: gbp(500), usageLimit: 10 } })).createPromotion.id;
    const sessions = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const s = (await shop.client.ok(CREATE, { input: { lineItems: [line(`Ticket ${i}`, 2000)] } })).createCheckoutSession;
        const calc = (await shop.client.ok(REFRESH, { id: s.id })).refreshCheckoutSession;
        expect(calc.calculation!.totals.grandTotal.amountMinor).toBe(1500);
        return { id: s.id as string, intentId: s.paymentIntentId as string };
      }),
    );
    const first = await Promise.all(sessions.map((s) => shop.client.request(CONFIRM, { id: s.intentId, card: GOOD })));
    const paid = first.filter((r) => !r.errors?.length).map((r) => r.data!.confirmPaymentIntent);
    const refused = first.filter((r) => r.errors?.length).map((r) => r.errors![0]!.extensions);
    expect(paid).toHaveLength(10);
    expect(paid.every((p) => p.status === 'SUCCEEDED' && p.amount.amountMinor === 1500)).toBe(true);
    expect(refused).toHaveLength(40);
    for (const e of refused) expect(e).toMatchObject({ code: 'PROMOTION_INVALID', reason: 'promotion:exhausted' });
    expect(await promotionUses(promotionId)).toBe(10);

    // The refused ones must recalculate (their calculation is stale now), then pay without the discount.
    const losers = sessions.filter((_, i) => first[i]!.errors?.length);
    for (const s of losers) expect((await errorOf(shop.client, CONFIRM, { id: s.intentId, card: GOOD })).code).toBe('CALCULATION_STALE');
    const second = await Promise.all(
      losers.map(async (s) => {
        const calc = (await shop.client.ok(REFRESH, { id: s.id })).refreshCheckoutSession;
        expect(calc.calculation!.totals.grandTotal.amountMinor).toBe(2000);
        return (await shop.client.ok(CONFIRM, { id: s.intentId, card: GOOD })).confirmPaymentIntent;
      }),
    );
    expect(second.every((p) => p.status === 'SUCCEEDED' && p.amount.amountMinor === 2000)).toBe(true);
    const amounts = await Promise.all(sessions.map(async (s) => (await shop.client.ok(INTENT, { id: s.intentId })).paymentIntent.amount.amountMinor as number));
    expect(amounts.filter((a) => a === 1500)).toHaveLength(10);
    expect(amounts.filter((a) => a === 2000)).toHaveLength(40);
    expect(await promotionUses(promotionId)).toBe(10);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM checkout.promotion_redemptions WHERE promotion_id = $1 AND released_at IS NULL`, [promotionId]);
    expect(rows[0].n).toBe(10);
  }, 120_000);
});

describe('an agent checkout of a taxed offer', () => {
  it('charges the calculated total, binds it in the AAP code, and its conversion verifies', async () => {
    const shop = await newShop('Taxed Offers Ltd');
    await admin.ok(SET_TAX, { m: shop.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }, { country: 'GB', category: 'zero', basisPoints: 0 }] } });
    const offerId = (await admin.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Annual plan', price: gbp(1999) } })).createOffer.id;
    const zeroOfferId = (await admin.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Book', price: gbp(1000), taxCategory: 'zero' } })).createOffer.id;
    const agentId = (await admin.ok(REGISTER_AGENT)).registerAgent.id;
    const agent = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);

    const sessionId = (await agent.ok(START)).startAgentSession.id;
    const recommendationId = (await agent.ok(RECOMMEND, { input: { sessionId, offerId } })).recommend.id;
    const out = (await agent.ok(CHECKOUT, { input: { sessionId, recommendationId, userDetails: { country: 'gb' } } })).checkout;
    // 1999 + 20 % (399.8 → 400).
    expect(out.amount).toEqual(gbp(2399));
    expect(out.checkoutSession.calculation).toMatchObject({ totals: { taxTotal: { amountMinor: 400 }, grandTotal: { amountMinor: 2399 } } });
    const code = (await shop.client.ok(`query($id: ID!) { checkoutSession(id: $id) { attribution { aapCode } } }`, { id: out.transactionId })).checkoutSession.attribution.aapCode as string;
    // The signed claims (wire field n: the amount in minor units) bind the calculated total.
    const claims = JSON.parse(Buffer.from(code.split('/v1/')[1]!.split('.')[0]!, 'base64url').toString());
    expect(claims.n).toBe(2399);

    const paid = (await shop.client.ok(CONFIRM, { id: out.paymentId, card: GOOD })).confirmPaymentIntent;
    expect(paid).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 2399 } });
    await expect.poll(async () => (await shop.client.ok(CONVERSIONS, { m: shop.id })).conversions.totalCount, { timeout: 20_000 }).toBe(1);
    expect((await shop.client.ok(CONVERSIONS, { m: shop.id })).conversions.edges[0].node).toMatchObject({ verification: 'verified', transactionValue: { amount: '23.99', currency: 'GBP' } });

    // A zero-rated offer is priced with its own tax category.
    const session2 = (await agent.ok(START)).startAgentSession.id;
    const rec2 = (await agent.ok(RECOMMEND, { input: { sessionId: session2, offerId: zeroOfferId } })).recommend.id;
    const out2 = (await agent.ok(CHECKOUT, { input: { sessionId: session2, recommendationId: rec2, userDetails: { address: { country: 'GB' } } } })).checkout;
    expect(out2.amount).toEqual(gbp(1000));
    expect(out2.checkoutSession.calculation.totals.taxTotal.amountMinor).toBe(0);
  }, 60_000);
});
