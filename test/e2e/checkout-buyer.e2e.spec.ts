// What the buyer fills in on a checkout session (issue 18, part B1), through the gateway:
// customer, addresses (country and postal code checked), shipping options with estimated dates,
// the selection, promotion codes and the authoritative calculation, with every amount computed
// by hand below; bad input refused with its code and nothing written (the version unchanged);
// concurrent changes at one expected version (one wins); validation writes nothing; tenancy; the
// hosted page's client secret; an HTTP pricing provider that times out (fallback or failure).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import {
  ApplyCheckoutPromotionDocument as APPLY,
  CalculateCheckoutDocument as CALCULATE,
  CheckoutBuyerSessionDocument as READ,
  CheckoutShipmentPlanDocument as PLAN,
  CheckoutShippingOptionsDocument as OPTIONS,
  CheckoutValidationDocument as VALIDATION,
  RemoveCheckoutPromotionDocument as REMOVE,
  SelectCheckoutShipmentPlanDocument as SELECT_PLAN,
  SelectCheckoutShippingDocument as SELECT,
  SetCheckoutBillingAddressDocument as SET_BILLING,
  SetCheckoutCustomerDocument as SET_CUSTOMER,
  SetCheckoutShippingAddressDocument as SET_ADDRESS,
  type CheckoutAddressInput,
} from '../generated/graphql.js';
import { calculationById } from '../../subgraphs/checkout-session/src/calculation/calculation.store.js';
import { redeemPromotions } from '../../subgraphs/checkout-session/src/promotion/promotion.redemption.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_SHIPPING = `mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`;
const SET_PROVIDER = `mutation($m: ID!, $c: PricingConcern!, $input: PricingProviderInput!) { setPricingProvider(merchantId: $m, concern: $c, input: $input) { kind } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url version } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;

const DAY = 86_400_000;
/** `days` business days (Mon–Fri, UTC) after `from`, as the engine documents it; YYYY-MM-DD. */
function businessDaysAfter(from: Date, days: number): string {
  let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const weekend = (ms: number) => [0, 6].includes(new Date(ms).getUTCDay());
  while (weekend(t)) t += DAY;
  for (let left = days; left > 0; ) {
    t += DAY;
    if (!weekend(t)) left--;
  }
  return new Date(t).toISOString().slice(0, 10);
}

const money = (amountMinor: number, currency = 'GBP') => ({ amountMinor, currency });
const GB_ADDRESS: CheckoutAddressInput = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'sw1a 2aa', country: 'gb' };

let handoff: RunningHandoff;
let admin: GqlClient;
const shops: Record<'gb' | 'inc' | 'yen' | 'rival' | 'http', { id: string; client: GqlClient }> = {} as never;
let agent: GqlClient;

async function newShop(name: string, currency: string, country = 'GB') {
  const id = (await admin.ok(CREATE_MERCHANT, { input: { name, country, defaultCurrency: currency, commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, client: admin.as(key) };
}

const gbShipping = (freeOver = money(5000)) => ({
  zones: [
    {
      id: 'gb',
      name: 'United Kingdom',
      countries: ['GB'],
      rates: [
        { id: 'standard', label: 'Standard delivery', amount: money(399), freeOver, carrier: 'Royal Mail', serviceCode: 'tracked48', minDays: 2, maxDays: 4 },
        { id: 'express', label: 'Next day', amount: money(899), carrier: 'DPD', serviceCode: 'next-day', minDays: 1, maxDays: 1 },
      ],
    },
  ],
  pickupLocations: [{ id: 'soho', name: 'Soho store', address: { line1: '1 Dean Street', city: 'London', postalCode: 'W1D 3RB', country: 'GB' }, openingHours: [] }],
});

const lines3 = [
  { name: 'T-shirt', unitAmount: money(1299), quantity: 2 },
  { name: 'Mug', unitAmount: money(850), quantity: 1 },
  { name: 'Socks', unitAmount: money(333), quantity: 3 },
];

async function newSession(shop: { client: GqlClient }, lineItems: unknown[] = lines3) {
  const s = (await shop.client.ok(CREATE_SESSION, { input: { lineItems } })).createCheckoutSession;
  return { id: s.id as string, secret: new URL(s.url).searchParams.get('cs')!, version: s.version as number };
}

const errorOf = async (client: GqlClient, doc: any, vars: any) => {
  const r = await client.request(doc, vars);
  expect(r.errors?.length, JSON.stringify(r.data)).toBeGreaterThan(0);
  const e = r.errors![0]!;
  return { code: e.extensions?.code, field: e.extensions?.field, reason: e.extensions?.reason, message: e.message };
};
const versionOf = async (client: GqlClient, id: string) => (await client.ok(READ, { id })).checkoutSession!.version;

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shops.gb = await newShop('Buyer GB Ltd', 'GBP');
  shops.inc = await newShop('Inclusive Ltd', 'GBP');
  shops.yen = await newShop('Yen KK', 'JPY', 'JP');
  shops.rival = await newShop('Rival Ltd', 'GBP');
  shops.http = await newShop('Remote Pricing Ltd', 'GBP');

  // GB: 20 % added on top; standard £3.99 (free over £50), next day £8.99; WELCOME10 (10 %, once per customer),
  // an automatic £5 off £40; codes not started yet, ended, and with one use.
  await admin.ok(SET_SHIPPING, { m: shops.gb.id, input: gbShipping() });
  await admin.ok(SET_TAX, { m: shops.gb.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
  const promo = (input: Record<string, unknown>) => admin.ok(CREATE_PROMOTION, { input: { merchantId: shops.gb.id, ...input } });
  await promo({ name: 'Welcome', code: 'WELCOME10', percentOffBasisPoints: 1000, perCustomerLimit: 1 });
  await promo({ name: '£5 off £40', automatic: true, amountOff: money(500), minSubtotal: money(4000) });
  await promo({ name: 'Soon', code: 'SOON', percentOffBasisPoints: 500, startsAt: new Date(Date.now() + 30 * DAY).toISOString() });
  await promo({ name: 'Old', code: 'OLD', percentOffBasisPoints: 500, startsAt: new Date(Date.now() - 30 * DAY).toISOString(), endsAt: new Date(Date.now() - DAY).toISOString() });
  await promo({ name: 'Once', code: 'SPENT', amountOff: money(100), usageLimit: 1 });

  // Prices including 20 % tax.
  await admin.ok(SET_SHIPPING, { m: shops.inc.id, input: gbShipping() });
  await admin.ok(SET_TAX, { m: shops.inc.id, input: { pricesIncludeTax: true, rates: [{ country: 'GB', basisPoints: 2000 }] } });

  // JPY (no minor unit): ¥500 shipping in Japan, 10 % tax on top, YEN15 (15 %).
  await admin.ok(SET_SHIPPING, {
    m: shops.yen.id,
    input: { zones: [{ id: 'jp', name: 'Japan', countries: ['JP'], rates: [{ id: 'takkyubin', label: 'Takkyubin', amount: money(500, 'JPY'), minDays: 1, maxDays: 2 }] }] },
  });
  await admin.ok(SET_TAX, { m: shops.yen.id, input: { pricesIncludeTax: false, rates: [{ country: 'JP', basisPoints: 1000 }] } });
  await admin.ok(CREATE_PROMOTION, { input: { merchantId: shops.yen.id, name: 'Yen 15', code: 'YEN15', percentOffBasisPoints: 1500 } });

  await admin.ok(SET_SHIPPING, { m: shops.http.id, input: gbShipping() });
  await admin.ok(SET_TAX, { m: shops.http.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });

  const agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Buyer bot' } })).registerAgent.id;
  agent = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
}, 120_000);
afterAll(async () => handoff?.stop());

describe('a buyer fills in a checkout session (tax added on top)', () => {
  it('customer, address, options with dates, shipping, a code, and a calculation whose amounts are exact', async () => {
    const gb = shops.gb.client;
    const s = await newSession(shops.gb);

    const customer = (await gb.ok(SET_CUSTOMER, { id: s.id, customer: { email: 'Ada@Example.com', phone: '+44 20 7946 0018', saveForLater: true }, expectedVersion: s.version }))
      .setCheckoutCustomer;
    expect(customer).toMatchObject({ version: s.version + 1, customer: { email: 'Ada@Example.com', phone: '+442079460018', customerId: null, saveForLater: true } });

    const addressed = (await gb.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS })).setCheckoutShippingAddress;
    expect(addressed.shippingAddress).toEqual({
      name: 'Ada Buyer', line1: '10 Downing Street', line2: null, city: 'London', state: null, postalCode: 'SW1A 2AA', country: 'GB',
      validation: { status: 'VALID', problems: [] },
    });
    expect(addressed.calculationStale).toBe(true);
    const billed = (await gb.ok(SET_BILLING, { id: s.id, address: { line1: '1 Rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' } })).setCheckoutBillingAddress;
    expect(billed.billingAddress).toMatchObject({ country: 'FR', postalCode: '75001', validation: { status: 'VALID' } });

    const before = new Date();
    const options = (await gb.ok(OPTIONS, { id: s.id, withDates: true })).checkoutSession!;
    expect(options.shippingOptions).toEqual([
      {
        id: 'standard', label: 'Standard delivery', carrier: 'Royal Mail', serviceCode: 'tracked48', amount: { amountMinor: 399, currency: 'GBP', amount: '3.99' }, free: false,
        deliveryEstimate: { minDays: 2, maxDays: 4, earliestDate: businessDaysAfter(before, 2), latestDate: businessDaysAfter(before, 4) },
      },
      {
        id: 'express', label: 'Next day', carrier: 'DPD', serviceCode: 'next-day', amount: { amountMinor: 899, currency: 'GBP', amount: '8.99' }, free: false,
        deliveryEstimate: { minDays: 1, maxDays: 1, earliestDate: businessDaysAfter(before, 1), latestDate: businessDaysAfter(before, 1) },
      },
    ]);
    expect(options.pickupOptions).toEqual([{ id: 'soho', name: 'Soho store', country: 'GB', postalCode: 'W1D 3RB' }]);
    const noDates = (await gb.ok(OPTIONS, { id: s.id, withDates: false })).checkoutSession!;
    expect(noDates.shippingOptions[0]!.deliveryEstimate).toEqual({ minDays: 2, maxDays: 4, earliestDate: null, latestDate: null });

    const selected = (await gb.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'standard' } })).selectCheckoutShipping;
    expect(selected.selectedShipping).toEqual({ kind: 'SHIPPING', id: 'standard' });
    const coded = (await gb.ok(APPLY, { id: s.id, code: ' welcome10 ' })).applyCheckoutPromotion;
    expect(coded.promotionCodes).toEqual(['WELCOME10']);

    const out = (await gb.ok(CALCULATE, { id: s.id, expectedVersion: coded.version })).calculateCheckout;
    expect(out.version).toBe(coded.version + 1);
    expect(out.calculationStale).toBe(false);
    const c = out.calculation!;
    expect(c.id).toMatch(/^calc_/);
    // By hand. Lines: 2 × 12.99 = 25.98, 8.50, 3 × 3.33 = 9.99; subtotal 44.47.
    // WELCOME10: 10 % of 44.47 = 4.447 → 4.45 (half up), split by line (25.98 : 8.50 : 9.99):
    //   259.98, 85.06, 99.97 → floors 259, 85, 99 (443); the 2 left go to the largest remainders → 260, 85, 100.
    // Automatic £5 (subtotal ≥ £40), split by what is left (23.38 : 7.65 : 8.99):
    //   292.10, 95.58, 112.32 → 292, 95, 112 (499); 1 left → the Mug → 292, 96, 112.
    // Discounts 5.52, 1.81, 2.12 = 9.45. Nets 20.46, 6.69, 7.87 = 35.02 (< £50: standard is not free).
    // Tax 20 % per line, half up: 4.092 → 4.09, 1.338 → 1.34, 1.574 → 1.57; shipping 3.99 × 20 % = 0.798 → 0.80.
    // Totals: 44.47 − 9.45 + (4.09 + 1.34 + 1.57 + 0.80 = 7.80) + 3.99 = 46.81.
    expect(c.lines.map((l) => [l.id, l.base.amountMinor, l.discount.amountMinor, l.tax.amountMinor, l.total.amountMinor])).toEqual([
      ['line_1', 2598, 552, 409, 2455],
      ['line_2', 850, 181, 134, 803],
      ['line_3', 999, 212, 157, 944],
    ]);
    expect(c.lines[1]!.adjustments.map((a) => [a.code, a.amount.amountMinor])).toEqual([['WELCOME10', 85], [null, 96]]);
    expect(c.promotions.map((p) => [p.code, p.automatic, p.amount.amountMinor])).toEqual([['WELCOME10', false, 445], [null, true, 500]]);
    expect(c.shipping).toMatchObject({ kind: 'SHIPPING', id: 'standard', amount: { amountMinor: 399 }, tax: { amountMinor: 80 }, deliveryEstimate: { minDays: 2, maxDays: 4 } });
    expect(c.taxLines.map((t) => [t.target, t.lineId, t.basisPoints, t.taxableBase.amountMinor, t.amount.amountMinor])).toEqual([
      ['LINE', 'line_1', 2000, 2046, 409],
      ['LINE', 'line_2', 2000, 669, 134],
      ['LINE', 'line_3', 2000, 787, 157],
      ['SHIPPING', null, 2000, 399, 80],
    ]);
    const t = c.totals;
    expect([t.subTotal, t.discountTotal, t.taxTotal, t.shippingTotal, t.grandTotal, t.includedTaxTotal].map((m) => m.amountMinor)).toEqual([4447, 945, 780, 399, 4681, 0]);
    expect(t.grandTotal).toEqual({ amountMinor: 4681, currency: 'GBP', amount: '46.81' });
    // Lines sum to the totals.
    const sum = (f: (l: (typeof c.lines)[number]) => number) => c.lines.reduce((n, l) => n + f(l), 0);
    expect(sum((l) => l.base.amountMinor)).toBe(t.subTotal.amountMinor);
    expect(sum((l) => l.discount.amountMinor)).toBe(t.discountTotal.amountMinor);
    expect(sum((l) => l.tax.amountMinor) + c.shipping!.tax.amountMinor).toBe(t.taxTotal.amountMinor);
    expect(sum((l) => l.total.amountMinor) + c.shipping!.amount.amountMinor + c.shipping!.tax.amountMinor).toBe(t.grandTotal.amountMinor);
    expect(c.shipments).toHaveLength(1);
    expect(c.shipments[0]).toMatchObject({ lineIds: ['line_1', 'line_2', 'line_3'], shipping: { amountMinor: 399 }, total: { amountMinor: 4681 } });
    expect(c.blockers).toEqual([]);
    expect(c.rounding).toMatch(/half-up/);
    // The session's totals are the calculation's; reading it returns the stored snapshot.
    expect(out.totals).toMatchObject({ subtotal: { amountMinor: 4447 }, discount: { amountMinor: 945 }, tax: { amountMinor: 780 }, shipping: { amountMinor: 399 }, total: { amountMinor: 4681 } });
    const read = (await gb.ok(READ, { id: s.id })).checkoutSession!;
    expect(read.calculation).toEqual(c);
    expect(read.version).toBe(out.version);

    // A change that affects prices makes it stale; the totals stay the last calculation's until calculated again.
    const express = (await gb.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'express' } })).selectCheckoutShipping;
    expect(express).toMatchObject({ calculationStale: true, totals: { total: { amountMinor: 4681 } } });
    const again = (await gb.ok(CALCULATE, { id: s.id })).calculateCheckout;
    // Express 8.99 + 1.80 tax (8.99 × 20 % = 1.798 → 1.80): 46.81 − 3.99 − 0.80 + 8.99 + 1.80 = 52.81.
    expect(again.calculation!.totals.grandTotal.amountMinor).toBe(5281);
    expect(again.calculation!.id).not.toBe(c.id);

    // Removing the code: stale again; recalculated without it.
    const removed = (await gb.ok(REMOVE, { id: s.id, code: 'welcome10' })).removeCheckoutPromotion;
    expect(removed).toMatchObject({ promotionCodes: [], calculationStale: true });
  });

  it('validate lists shipping_not_selected before a selection and writes nothing', async () => {
    const gb = shops.gb.client;
    const s = await newSession(shops.gb);
    const none = (await gb.ok(VALIDATION, { id: s.id })).checkoutSession!;
    expect(none.validation.valid).toBe(false);
    expect(none.validation.blockers.map((b) => b.code)).toContain('address_invalid');
    await gb.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    const v = await versionOf(gb, s.id);
    const before = (await gb.ok(VALIDATION, { id: s.id })).checkoutSession!;
    expect(before.validation).toEqual({ valid: false, blockers: [expect.objectContaining({ code: 'shipping_not_selected' })] });
    expect(before.version).toBe(v);
    expect(await versionOf(gb, s.id)).toBe(v);
    expect((await gb.ok(READ, { id: s.id })).checkoutSession!.calculation).toBeNull();
    await gb.ok(SELECT, { id: s.id, selection: { pickupLocationId: 'soho' } });
    expect((await gb.ok(VALIDATION, { id: s.id })).checkoutSession!.validation).toEqual({ valid: true, blockers: [] });
  });
});

describe('other pricing conventions', () => {
  it('prices including tax: the tax is extracted per line and shown as included; nothing is added on top', async () => {
    const inc = shops.inc.client;
    const s = await newSession(shops.inc, [
      { name: 'Speaker', unitAmount: money(1200), quantity: 1 },
      { name: 'Cable', unitAmount: money(500), quantity: 2 },
    ]);
    await inc.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    await inc.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'express' } });
    const c = (await inc.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation!;
    // Net = gross × 10000 / 12000, half up; tax = gross − net. 12.00 → 10.00 + 2.00; 10.00 → 8.33 + 1.67;
    // shipping 8.99 → 7.49 + 1.50. Grand total 22.00 + 8.99 = 30.99, of which 5.17 is tax.
    expect(c.pricesIncludeTax).toBe(true);
    expect(c.lines.map((l) => [l.base.amountMinor, l.tax.amountMinor, l.taxInclusive, l.total.amountMinor])).toEqual([
      [1200, 200, true, 1200],
      [1000, 167, true, 1000],
    ]);
    expect(c.shipping!.tax.amountMinor).toBe(150);
    const t = c.totals;
    expect([t.subTotal, t.discountTotal, t.taxTotal, t.shippingTotal, t.grandTotal, t.includedTaxTotal].map((m) => m.amountMinor)).toEqual([2200, 0, 0, 899, 3099, 517]);
  });

  it('JPY (no minor unit): whole yen, rounded half up once, split without losing a yen', async () => {
    const yen = shops.yen.client;
    const s = await newSession(shops.yen, [
      { name: 'Tenugui', unitAmount: money(1980, 'JPY'), quantity: 3 },
      { name: 'Sticker', unitAmount: money(333, 'JPY'), quantity: 1 },
    ]);
    await yen.ok(SET_ADDRESS, { id: s.id, address: { line1: '1-1 Chiyoda', city: 'Tokyo', postalCode: '100-0001', country: 'JP' } });
    await yen.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'takkyubin' } });
    await yen.ok(APPLY, { id: s.id, code: 'YEN15' });
    const c = (await yen.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation!;
    // Subtotal ¥5,940 + ¥333 = ¥6,273. 15 % = 940.95 → ¥941, split 5940 : 333 → 891.05, 49.95 → 891 + 50.
    // Nets ¥5,049 and ¥283; tax 10 %: 504.9 → 505, 28.3 → 28; shipping ¥500 + ¥50 tax.
    // Grand total 6273 − 941 + 583 + 500 = ¥6,415.
    expect(c.lines.map((l) => [l.base.amountMinor, l.discount.amountMinor, l.tax.amountMinor, l.total.amountMinor])).toEqual([
      [5940, 891, 505, 5554],
      [333, 50, 28, 311],
    ]);
    const t = c.totals;
    expect([t.subTotal, t.discountTotal, t.taxTotal, t.shippingTotal, t.grandTotal].map((m) => m.amountMinor)).toEqual([6273, 941, 583, 500, 6415]);
    expect(t.grandTotal).toEqual({ amountMinor: 6415, currency: 'JPY', amount: '6415' });
  });
});

describe('bad input: a clear code, nothing written', () => {
  it('an unknown country, a malformed postal code, bidi controls in a name, a stale version', async () => {
    const gb = shops.gb.client;
    const s = await newSession(shops.gb);
    const cases: Array<[CheckoutAddressInput, string]> = [
      [{ ...GB_ADDRESS, country: 'XX' }, 'shippingAddress.country'],
      [{ ...GB_ADDRESS, country: 'GBR' }, 'shippingAddress.country'],
      [{ ...GB_ADDRESS, postalCode: 'ABC 123' }, 'shippingAddress.postalCode'],
      [{ ...GB_ADDRESS, postalCode: null }, 'shippingAddress.postalCode'],
      [{ ...GB_ADDRESS, name: 'Ada \u202eBuyer' }, 'shippingAddress.name'],
      [{ ...GB_ADDRESS, line1: '' }, 'shippingAddress.line1'],
    ];
    for (const [address, field] of cases) {
      expect(await errorOf(gb, SET_ADDRESS, { id: s.id, address })).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await errorOf(gb, SET_BILLING, { id: s.id, address: { ...GB_ADDRESS, country: 'US', postalCode: '9410' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'billingAddress.postalCode' });
    expect(await errorOf(gb, SET_CUSTOMER, { id: s.id, customer: { email: 'not-an-email' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customer.email' });
    expect(await errorOf(gb, SET_CUSTOMER, { id: s.id, customer: { phone: '12' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customer.phone' });
    expect(await errorOf(gb, SET_ADDRESS, { id: s.id, address: GB_ADDRESS, expectedVersion: s.version + 5 })).toMatchObject({ code: 'VERSION_CONFLICT' });
    const after = (await gb.ok(READ, { id: s.id })).checkoutSession!;
    expect(after).toMatchObject({ version: s.version, shippingAddress: null, billingAddress: null, customer: { email: null, phone: null } });
    // A country without a known postal-code format is kept, marked UNVERIFIED.
    const hk = (await gb.ok(SET_BILLING, { id: s.id, address: { line1: '1 Queen’s Road', city: 'Hong Kong', postalCode: '000', country: 'HK' } })).setCheckoutBillingAddress;
    expect(hk.billingAddress!.validation).toEqual({ status: 'UNVERIFIED', problems: ['postal_code_format_unknown'] });
  });

  it('a shipping option not offered for the address, or before there is one; an unknown pickup location', async () => {
    const gb = shops.gb.client;
    const s = await newSession(shops.gb);
    expect(await errorOf(gb, SELECT, { id: s.id, selection: { shippingOptionId: 'standard' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'selection.shippingOptionId' });
    await gb.ok(SET_ADDRESS, { id: s.id, address: { line1: '1 Rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' } });
    const v = await versionOf(gb, s.id);
    expect((await gb.ok(OPTIONS, { id: s.id })).checkoutSession!.shippingOptions).toEqual([]);
    expect(await errorOf(gb, SELECT, { id: s.id, selection: { shippingOptionId: 'standard' } })).toMatchObject({
      code: 'BAD_USER_INPUT', field: 'selection.shippingOptionId', reason: 'shipping:not_offered',
    });
    expect(await errorOf(gb, SELECT, { id: s.id, selection: { pickupLocationId: 'mars' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'selection.pickupLocationId' });
    expect(await errorOf(gb, SELECT, { id: s.id, selection: {} })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'selection' });
    expect(await versionOf(gb, s.id)).toBe(v);
    // Moving to the UK: the options appear; a chosen option is dropped when the place changes again.
    await gb.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    await gb.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'express' } });
    const moved = (await gb.ok(SET_ADDRESS, { id: s.id, address: { ...GB_ADDRESS, postalCode: 'EC1A 1BB' } })).setCheckoutShippingAddress;
    expect(moved.selectedShipping).toBeNull();
  });

  it('unknown, not started, ended, used-up and per-customer codes are PROMOTION_INVALID', async () => {
    const gb = shops.gb.client;
    // SPENT has one use: a session that committed to paying takes it (the promotion ledger).
    const first = await newSession(shops.gb);
    await gb.ok(APPLY, { id: first.id, code: 'SPENT' });
    const calcId = (await gb.ok(CALCULATE, { id: first.id })).calculateCheckout.calculation!.id;
    const ds = handoff.subgraphs.find((x) => x.name === 'checkout-session')!.app.dataSource;
    await ds.transaction(async (m) => redeemPromotions(m, (await calculationById(m, calcId))!, first.id));

    const s = await newSession(shops.gb);
    const refusals: Array<[string, string]> = [
      ['NOPE', 'promotion:unknown'],
      ['SOON', 'promotion:not_started'],
      ['SPENT', 'promotion:exhausted'],
      ['WELCOME10', 'promotion:customer_required'],
    ];
    for (const [code, reason] of refusals) expect(await errorOf(gb, APPLY, { id: s.id, code })).toMatchObject({ code: 'PROMOTION_INVALID', reason });
    // An ended promotion is no longer offered to checkouts at all: it reads as ended or unknown.
    expect(await errorOf(gb, APPLY, { id: s.id, code: 'OLD' })).toMatchObject({ code: 'PROMOTION_INVALID', reason: expect.stringMatching(/^promotion:(expired|unknown)$/) });
    expect(await errorOf(gb, APPLY, { id: s.id, code: 'bad code!' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect(await errorOf(gb, REMOVE, { id: s.id, code: 'WELCOME10' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
    expect((await gb.ok(READ, { id: s.id })).checkoutSession).toMatchObject({ version: s.version, promotionCodes: [] });
    // Once the buyer is known, WELCOME10 applies; applying it again changes nothing.
    await gb.ok(SET_CUSTOMER, { id: s.id, customer: { email: 'new@example.com' } });
    const applied = (await gb.ok(APPLY, { id: s.id, code: 'WELCOME10' })).applyCheckoutPromotion;
    expect((await gb.ok(APPLY, { id: s.id, code: 'welcome10' })).applyCheckoutPromotion).toMatchObject({ version: applied.version, promotionCodes: ['WELCOME10'] });
  });
});

describe('concurrency, tenancy and the hosted page', () => {
  it('two changes at one expected version: one wins, the other is VERSION_CONFLICT', async () => {
    const gb = shops.gb.client;
    const s = await newSession(shops.gb);
    const results = await Promise.all([
      gb.request(SET_ADDRESS, { id: s.id, address: GB_ADDRESS, expectedVersion: s.version }),
      gb.request(SET_ADDRESS, { id: s.id, address: { ...GB_ADDRESS, postalCode: 'EC1A 1BB' }, expectedVersion: s.version }),
      gb.request(SET_CUSTOMER, { id: s.id, customer: { email: 'race@example.com' }, expectedVersion: s.version }),
      gb.request(APPLY, { id: s.id, code: 'SOON', expectedVersion: s.version }), // refused on its own: writes nothing either way
    ]);
    const writes = results.slice(0, 3);
    expect(writes.filter((r) => !r.errors).length).toBe(1);
    expect(writes.filter((r) => r.errors?.[0]?.extensions?.code === 'VERSION_CONFLICT').length).toBe(2);
    expect(await versionOf(gb, s.id)).toBe(s.version + 1);

    await gb.ok(SELECT, { id: s.id, selection: { pickupLocationId: 'soho' } });
    const v = await versionOf(gb, s.id);
    const calcs = await Promise.all(Array.from({ length: 4 }, () => gb.request(CALCULATE, { id: s.id, expectedVersion: v })));
    expect(calcs.filter((r) => !r.errors).length).toBe(1);
    expect(calcs.filter((r) => r.errors?.[0]?.extensions?.code === 'VERSION_CONFLICT').length).toBe(3);
    const read = (await gb.ok(READ, { id: s.id })).checkoutSession!;
    expect(read.version).toBe(v + 1);
    expect(read.calculation!.id).toBe(calcs.find((r) => !r.errors)!.data!.calculateCheckout.calculation!.id);
    // Without an expected version, concurrent changes all land, one after the other.
    const free = await Promise.all([
      gb.request(SET_CUSTOMER, { id: s.id, customer: { phone: '+447700900001' } }),
      gb.request(SET_BILLING, { id: s.id, address: GB_ADDRESS }),
      gb.request(SELECT_PLAN, { id: s.id, plan: 'SINGLE' }),
    ]);
    expect(free.map((r) => r.errors ?? null)).toEqual([null, null, null]);
    expect(await versionOf(gb, s.id)).toBe(v + 4);
  });

  it('another merchant cannot read or change the session; nor can an agent whose checkout it is not; an admin can', async () => {
    const s = await newSession(shops.gb);
    expect((await shops.rival.client.ok(READ, { id: s.id })).checkoutSession).toBeNull();
    expect(await errorOf(shops.rival.client, SET_ADDRESS, { id: s.id, address: GB_ADDRESS })).toMatchObject({ code: 'CHECKOUT_SESSION_NOT_FOUND' });
    expect(await errorOf(shops.rival.client, CALCULATE, { id: s.id })).toMatchObject({ code: 'CHECKOUT_SESSION_NOT_FOUND' });
    expect(await errorOf(agent, APPLY, { id: s.id, code: 'SOON' })).toMatchObject({ code: 'CHECKOUT_SESSION_NOT_FOUND' });
    expect(await versionOf(shops.gb.client, s.id)).toBe(s.version);
    expect((await admin.ok(SET_CUSTOMER, { id: s.id, customer: { customerId: 'cus_42' } })).setCheckoutCustomer.customer.customerId).toBe('cus_42');
  });

  it("the hosted page's client secret uses exactly the buyer operations, on its own session only", async () => {
    const { BUYER_MUTATIONS, BUYER_SESSION_QUERY } = await import('../../gateway/src/hosted-page/buyer-operations.js');
    const s = await newSession(shops.gb);
    const other = await newSession(shops.gb);
    const page = new GqlClient(handoff.graphqlUrl, s.secret);
    await page.ok(BUYER_MUTATIONS.setCustomer, { id: s.id, customer: { email: 'page@example.com', phone: '+447700900002' } });
    await page.ok(BUYER_MUTATIONS.setShippingAddress, { id: s.id, address: GB_ADDRESS });
    await page.ok(BUYER_MUTATIONS.setBillingAddress, { id: s.id, address: GB_ADDRESS });
    await page.ok(BUYER_MUTATIONS.selectShipping, { id: s.id, selection: { shippingOptionId: 'express' } });
    await page.ok(BUYER_MUTATIONS.selectShipmentPlan, { id: s.id, plan: 'SPLIT' });
    await page.ok(BUYER_MUTATIONS.applyPromotion, { id: s.id, code: 'WELCOME10' });
    await page.ok(BUYER_MUTATIONS.removePromotion, { id: s.id, code: 'WELCOME10' });
    const calculated = (await page.ok(BUYER_MUTATIONS.calculate, { id: s.id })).calculateCheckout;
    // 44.47 − 5.00 (automatic) = 39.47 → tax 7.89 (25.98−2.92=23.06→4.61; 8.50−0.96=7.54→1.51; 9.99−1.12=8.87→1.77)
    // + next day 8.99 + 1.80 tax = 39.47 + 7.89 + 10.79 = 58.15.
    expect(calculated.calculation.totals.grandTotal.amountMinor).toBe(5815);
    const view = (await page.ok(BUYER_SESSION_QUERY, { id: s.id, withDates: true })).checkoutSession;
    expect(view).toMatchObject({ customer: { email: 'page@example.com' }, selectedShipping: { kind: 'SHIPPING', id: 'express' }, validation: { valid: true, blockers: [] } });
    expect(view.shippingOptions.map((o: { id: string }) => o.id)).toEqual(['standard', 'express']);

    const refused = await page.request(`query($id: ID!) { checkoutSession(id: $id) { customer { customerId } calculation { providers { source } } } }`, { id: s.id });
    expect(refused.status).toBe(403);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'client_secret:field_not_allowed' });
    expect(await errorOf(page, SET_CUSTOMER, { id: s.id, customer: { customerId: 'cus_1' } })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(page, BUYER_MUTATIONS.setShippingAddress, { id: other.id, address: GB_ADDRESS })).toMatchObject({ code: 'CHECKOUT_SESSION_NOT_FOUND' });
    expect(await errorOf(page, `mutation($id: ID!) { expireCheckoutSession(id: $id) { id } }`, { id: s.id })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await versionOf(shops.gb.client, other.id)).toBe(other.version);
  });

  it('the shipment plan: SPLIT by fulfilment location by default, SINGLE puts everything in one shipment', async () => {
    const gb = shops.gb.client;
    const s = await newSession(shops.gb);
    await gb.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    await gb.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'standard' } });
    const split = (await gb.ok(PLAN, { id: s.id })).checkoutSession!.shipmentPlan;
    expect(split).toMatchObject({ kind: 'SPLIT', calculated: false, shipments: [{ fulfilmentLocationId: 'default', lineIds: ['line_1', 'line_2', 'line_3'] }] });
    await gb.ok(SELECT_PLAN, { id: s.id, plan: 'SINGLE' });
    await gb.ok(CALCULATE, { id: s.id });
    const single = (await gb.ok(PLAN, { id: s.id })).checkoutSession!.shipmentPlan;
    expect(single).toMatchObject({ kind: 'SINGLE', calculated: true, shipments: [{ fulfilmentLocationId: 'single', subTotal: { amountMinor: 4447 }, shipping: { amountMinor: 399 } }] });
  });
});

describe('an HTTP pricing provider that does not answer', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tax`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fallback BUILT_IN: the built-in result, the fallback recorded; fallback FAIL: PROVIDER_UNAVAILABLE and nothing written', async () => {
    const shop = shops.http.client;
    await admin.ok(SET_PROVIDER, { m: shops.http.id, c: 'TAX', input: { kind: 'HTTP', endpointUrl: url, timeoutMs: 200, fallback: 'BUILT_IN' } });
    const s = await newSession(shops.http, [{ name: 'Lamp', unitAmount: money(2000), quantity: 1 }]);
    await shop.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    await shop.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'standard' } });
    const c = (await shop.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation!;
    expect(c.providers.find((p) => p.concern === 'tax')).toMatchObject({ source: 'BUILT_IN', fallbackUsed: true, failure: expect.stringMatching(/time/i) });
    // Built in: 20.00 + 4.00 tax + 3.99 + 0.80 tax = 28.79.
    expect(c.totals.grandTotal.amountMinor).toBe(2879);

    await admin.ok(SET_PROVIDER, { m: shops.http.id, c: 'TAX', input: { kind: 'HTTP', endpointUrl: url, timeoutMs: 200, fallback: 'FAIL' } });
    await shop.ok(SELECT, { id: s.id, selection: { shippingOptionId: 'express' } });
    const before = (await shop.ok(READ, { id: s.id })).checkoutSession!;
    expect(await errorOf(shop, CALCULATE, { id: s.id })).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', reason: 'provider:tax' });
    const after = (await shop.ok(READ, { id: s.id })).checkoutSession!;
    expect(after).toMatchObject({ version: before.version, calculationStale: true, calculation: { id: c.id } });
  });
});
