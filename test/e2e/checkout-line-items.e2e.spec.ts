// A checkout line's tax category and SKU, and the session's client token (issue 18, items 1–2),
// through the gateway: a line with an offer is taxed under the offer's category (GB `reduced`
// 5 %), an explicit category wins, a line with neither gets the merchant's default category; the
// effective category is fixed when the line is written (changing the offer later does not change
// a recalculation); bad categories and SKUs are BAD_USER_INPUT naming the field, writing nothing;
// updateCheckoutSession(lineItems) resolves categories the same way. clientToken is the secret the
// session's url carries, for the merchant and the admin; the hosted page cannot read it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id taxCategory } }`;
const UPDATE_OFFER = `mutation($id: ID!, $input: UpdateOfferInput!) { updateOffer(id: $id, input: $input) { id taxCategory } }`;
const LINES = `lineItems { name quantity taxCategory sku offer { id } unitAmount { amountMinor } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url clientToken version ${LINES} } }`;
const UPDATE_SESSION = `mutation($id: ID!, $v: Int!, $input: UpdateCheckoutSessionInput!) { updateCheckoutSession(id: $id, expectedVersion: $v, input: $input) { id version ${LINES} } }`;
const READ = `query($id: ID!) { checkoutSession(id: $id) { id version clientToken url ${LINES} } }`;
const SET_ADDRESS = `mutation($id: ID!, $address: CheckoutAddressInput!) { setCheckoutShippingAddress(id: $id, address: $address) { version } }`;
const CALCULATE = `mutation($id: ID!) {
  calculateCheckout(id: $id) {
    calculation {
      lines { id taxCategory tax { amountMinor } }
      taxLines { lineId category basisPoints amount { amountMinor } }
      totals { subTotal { amountMinor } taxTotal { amountMinor } grandTotal { amountMinor } }
    }
  }
}`;

const GBP = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const GB_ADDRESS = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' };

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: { id: string; client: GqlClient };
let rival: GqlClient;
let reducedOffer: string;

async function newShop(name: string) {
  const id = (await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, client: admin.as(key) };
}

async function refusal(client: GqlClient, doc: string, variables: Record<string, unknown>) {
  const r = await client.request(doc, variables);
  expect(r.errors?.length, JSON.stringify(r.data)).toBeGreaterThan(0);
  const e = r.errors![0]!;
  return { code: e.extensions?.code, field: e.extensions?.field, message: e.message };
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await newShop('Grocer GB Ltd');
  rival = (await newShop('Rival Grocer Ltd')).client;
  // Tax on top: the default category `general` at 20 %, `reduced` at 5 %, `standard` at 20 %.
  await admin.ok(SET_TAX, {
    m: shop.id,
    input: {
      pricesIncludeTax: false,
      defaultCategory: 'general',
      rates: [
        { country: 'GB', basisPoints: 2000 },
        { country: 'GB', category: 'reduced', basisPoints: 500 },
        { country: 'GB', category: 'standard', basisPoints: 2000 },
      ],
    },
  });
  const offer = (await shop.client.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Bread', price: GBP(1000), taxCategory: 'reduced' } })).createOffer;
  expect(offer.taxCategory).toBe('reduced');
  reducedOffer = offer.id;
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('line tax categories and SKUs', () => {
  it("taxes a line under its offer's category, an explicit category wins, else the merchant's default; fixed when written", async () => {
    const created = (
      await shop.client.ok(CREATE_SESSION, {
        input: {
          lineItems: [
            { name: 'Bread', unitAmount: GBP(1000), quantity: 1, offerId: reducedOffer, sku: 'BRD-001' },
            { name: 'Bread, gift wrapped', unitAmount: GBP(1000), quantity: 1, offerId: reducedOffer, taxCategory: 'Standard' },
            { name: 'Tote bag', unitAmount: GBP(500), quantity: 2 },
          ],
        },
      })
    ).createCheckoutSession;
    expect(created.lineItems).toEqual([
      { name: 'Bread', quantity: 1, taxCategory: 'reduced', sku: 'BRD-001', offer: { id: reducedOffer }, unitAmount: { amountMinor: 1000 } },
      { name: 'Bread, gift wrapped', quantity: 1, taxCategory: 'standard', sku: null, offer: { id: reducedOffer }, unitAmount: { amountMinor: 1000 } },
      { name: 'Tote bag', quantity: 2, taxCategory: 'general', sku: null, offer: null, unitAmount: { amountMinor: 500 } },
    ]);

    await shop.client.ok(SET_ADDRESS, { id: created.id, address: GB_ADDRESS });
    const calc = (await shop.client.ok(CALCULATE, { id: created.id })).calculateCheckout.calculation;
    // 10.00 at 5 % = 0.50; 10.00 at 20 % = 2.00; 10.00 at 20 % = 2.00.
    expect(calc.lines).toEqual([
      { id: 'line_1', taxCategory: 'reduced', tax: { amountMinor: 50 } },
      { id: 'line_2', taxCategory: 'standard', tax: { amountMinor: 200 } },
      { id: 'line_3', taxCategory: 'general', tax: { amountMinor: 200 } },
    ]);
    expect(calc.taxLines.map((t: { lineId: string; basisPoints: number }) => [t.lineId, t.basisPoints])).toEqual([
      ['line_1', 500],
      ['line_2', 2000],
      ['line_3', 2000],
    ]);
    expect(calc.totals).toEqual({ subTotal: { amountMinor: 3000 }, taxTotal: { amountMinor: 450 }, grandTotal: { amountMinor: 3450 } });

    // The offer moves to `standard`: the session's line keeps the category it was written with.
    const other = (await shop.client.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Cake', price: GBP(1000), taxCategory: 'reduced' } })).createOffer.id;
    const s = (await shop.client.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Cake', unitAmount: GBP(1000), quantity: 1, offerId: other }] } })).createCheckoutSession;
    await shop.client.ok(UPDATE_OFFER, { id: other, input: { taxCategory: 'standard' } });
    await shop.client.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    const again = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation;
    expect(again.lines).toEqual([{ id: 'line_1', taxCategory: 'reduced', tax: { amountMinor: 50 } }]);
  });

  it('refuses a bad tax category or SKU with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ taxCategory: 'reduced rate' }, 'lineItems[0].taxCategory'],
      [{ taxCategory: '' }, 'lineItems[0].taxCategory'],
      [{ taxCategory: 'x'.repeat(41) }, 'lineItems[0].taxCategory'],
      [{ taxCategory: '-reduced' }, 'lineItems[0].taxCategory'],
      [{ sku: 'A'.repeat(101) }, 'lineItems[0].sku'],
      [{ sku: 'ABC\u0007' }, 'lineItems[0].sku'],
      [{ sku: 'ABC\u202E' }, 'lineItems[0].sku'],
      [{ sku: '   ' }, 'lineItems[0].sku'],
    ];
    const before = (await shop.client.ok(`{ checkoutSessions(first: 100) { totalCount } }`)).checkoutSessions.totalCount;
    for (const [extra, field] of bad) {
      const e = await refusal(shop.client, CREATE_SESSION, { input: { lineItems: [{ name: 'Bread', unitAmount: GBP(1000), quantity: 1, ...extra }] } });
      expect(e, JSON.stringify(extra)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await shop.client.ok(`{ checkoutSessions(first: 100) { totalCount } }`)).checkoutSessions.totalCount).toBe(before);
  });

  it('updateCheckoutSession(lineItems) stores the lines’ categories and SKUs the same way; a bad one changes nothing', async () => {
    const s = (await shop.client.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Tote bag', unitAmount: GBP(500), quantity: 1 }] } })).createCheckoutSession;
    const e = await refusal(shop.client, UPDATE_SESSION, { id: s.id, v: s.version, input: { lineItems: [{ name: 'Bread', unitAmount: GBP(1000), quantity: 1, taxCategory: 'REDUCED!' }] } });
    expect(e).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lineItems[0].taxCategory' });
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession).toMatchObject({ version: s.version, lineItems: [{ name: 'Tote bag', taxCategory: 'general' }] });

    const updated = (
      await shop.client.ok(UPDATE_SESSION, {
        id: s.id,
        v: s.version,
        input: {
          lineItems: [
            { name: 'Bread', unitAmount: GBP(1000), quantity: 1, offerId: reducedOffer, sku: 'BRD-002' },
            { name: 'Tote bag', unitAmount: GBP(500), quantity: 1, taxCategory: 'reduced' },
          ],
        },
      })
    ).updateCheckoutSession;
    expect(updated.version).toBe(s.version + 1);
    expect(updated.lineItems.map((l: { taxCategory: string; sku: string | null }) => [l.taxCategory, l.sku])).toEqual([
      ['reduced', 'BRD-002'],
      ['reduced', null],
    ]);
    await shop.client.ok(SET_ADDRESS, { id: s.id, address: GB_ADDRESS });
    const calc = (await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation;
    expect(calc.totals.taxTotal.amountMinor).toBe(75); // 5 % of 10.00 and of 5.00
  });
});

describe('clientToken', () => {
  it("is the secret the session's url carries, for the merchant and the admin; not for the hosted page or another merchant", async () => {
    const s = (await shop.client.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Tote bag', unitAmount: GBP(500), quantity: 1 }] } })).createCheckoutSession;
    const secret = new URL(s.url).searchParams.get('cs');
    expect(secret).toBeTruthy();
    expect(s.clientToken).toBe(secret);
    expect((await admin.ok(READ, { id: s.id })).checkoutSession.clientToken).toBe(secret);
    expect((await rival.ok(READ, { id: s.id })).checkoutSession).toBeNull();

    const page = new GqlClient(handoff.graphqlUrl, secret!);
    const r = await page.request(`query($id: ID!) { checkoutSession(id: $id) { id clientToken } }`, { id: s.id });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(JSON.stringify(r.data ?? null)).not.toContain(secret!.slice(-12));
  });
});
