// What a merchant configures for checkout pricing (issue 18, part A), through the gateway:
// shipping, tax, promotions and pricing providers, set and read as the merchant and as an
// admin; another merchant can neither read nor set them; bad input is refused with a stable
// code and writes nothing; concurrent creates of one promotion code make one promotion; the
// internal checkoutPricingConfig answers only services, with the shape of shared's contract,
// and is absent from the public schema.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKOUT_PRICING_CONFIG_QUERY, type CheckoutPricingConfigResult } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import {
  CreateMerchantDocument as CREATE_MERCHANT,
  CreateApiKeyDocument as CREATE_KEY,
  CreatePromotionDocument as CREATE_PROMOTION,
  CreateTaxedOfferDocument as CREATE_TAXED_OFFER,
  MerchantPricingConfigDocument as READ_CONFIG,
  MerchantPromotionsDocument as PROMOTIONS,
  RegisterAgentDocument as REGISTER_AGENT,
  SetOfferTaxCategoryDocument as SET_OFFER_TAX,
  SetPricingProviderDocument as SET_PROVIDER,
  SetShippingConfigDocument as SET_SHIPPING,
  SetTaxConfigDocument as SET_TAX,
  UpdatePromotionDocument as UPDATE_PROMOTION,
  type CreatePromotionInput,
  type ShippingConfigInput,
  type TaxConfigInput,
} from '../generated/graphql.js';
import { loadDemoData } from '../../launcher/src/demo-data.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { signedCaller } from '../support/signed-call.js';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

const shippingInput = (): ShippingConfigInput => ({
  zones: [
    {
      id: 'uk',
      name: 'United Kingdom',
      countries: ['gb'],
      rates: [
        { id: 'standard', label: 'Standard', amount: gbp(399), freeOver: gbp(5000), carrier: 'Royal Mail', serviceCode: 'tracked48', minDays: 2, maxDays: 4 },
        { id: 'express', label: 'Express', kind: 'FLAT', amount: gbp(899), carrier: 'DPD', serviceCode: 'next-day', minDays: 1, maxDays: 1 },
      ],
    },
    {
      name: 'Ireland and Northern Isles',
      countries: ['IE'],
      regions: [{ country: 'GB', region: 'ZE' }],
      rates: [{ id: 'per-item', label: 'Per item', kind: 'PER_ITEM', amount: gbp(250) }],
    },
  ],
  pickupLocations: [
    {
      id: 'soho',
      name: 'Soho store',
      address: { line1: '1 Dean Street', city: 'London', postalCode: 'W1D 3RB', country: 'GB' },
      openingHours: [
        { day: 'MON', opens: '09:00', closes: '17:30' },
        { day: 'SAT', opens: '10:00', closes: '16:00' },
      ],
    },
  ],
});

const taxInput = (): TaxConfigInput => ({
  pricesIncludeTax: true,
  rates: [
    { country: 'GB', basisPoints: 2000 },
    { country: 'GB', category: 'zero', basisPoints: 0 },
    { country: 'US', region: 'CA', basisPoints: 725 },
  ],
});

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: GqlClient;
let rival: GqlClient;
let agent: GqlClient;
let shopId: string;
let rivalId: string;
let internal: ReturnType<typeof signedCaller>;

const promo = (input: Partial<CreatePromotionInput>): CreatePromotionInput => ({ merchantId: shopId, ...input });
const firstError = async (client: GqlClient, doc: any, vars: any) => {
  const r = await client.request(doc, vars);
  expect(r.errors?.length, JSON.stringify(r.data)).toBeGreaterThan(0);
  return { code: r.errors![0]!.extensions?.code, field: r.errors![0]!.extensions?.field as string | undefined, message: r.errors![0]!.message };
};

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const merchant = async (name: string) =>
    (await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: gbp(500) } } }))
      .createMerchant.id;
  shopId = await merchant('Config Shop');
  rivalId = await merchant('Rival Shop');
  const key = async (merchantId: string) => (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key;
  shop = admin.as(await key(shopId));
  rival = admin.as(await key(rivalId));
  const a = (await admin.ok(REGISTER_AGENT, { input: { name: 'Config Agent' } })).registerAgent;
  agent = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId: a.id } })).createApiKey.key);
  const sub = handoff.subgraphs.find((s) => s.name === 'merchant')!;
  internal = signedCaller(sub.url.replace(/\/graphql$/, ''), handoff.env.HANDOFF_INTERNAL_SECRET!);
});
afterAll(async () => handoff?.stop());

const outboxTopics = async (merchantId: string): Promise<Array<{ topic: string; payload: any }>> => {
  const ds = handoff.subgraphs.find((s) => s.name === 'merchant')!.app.dataSource;
  return ds.query(`SELECT topic, payload FROM merchant.outbox WHERE aggregate_id = $1 ORDER BY id`, [merchantId]);
};

describe('shipping configuration', () => {
  it('the merchant sets it and reads it back; ids given are kept, missing ones generated; a merchant.updated event names it', async () => {
    const set = (await shop.ok(SET_SHIPPING, { merchantId: shopId, input: shippingInput() })).setShippingConfig;
    expect(set.zones.map((z) => z.id)).toEqual(['uk', expect.stringMatching(/^zone_[0-9a-z]{26}$/)]);
    expect(set.zones[0]!.countries).toEqual(['GB']);
    expect(set.zones[0]!.rates[0]).toMatchObject({
      id: 'standard',
      kind: 'FLAT',
      amount: { amountMinor: 399, currency: 'GBP', amount: '3.99' },
      freeOver: { amountMinor: 5000 },
      carrier: 'Royal Mail',
      serviceCode: 'tracked48',
      minDays: 2,
      maxDays: 4,
    });
    expect(set.zones[1]!.regions).toEqual([{ country: 'GB', region: 'ZE' }]);
    expect(set.zones[1]!.rates[0]).toMatchObject({ kind: 'PER_ITEM', freeOver: null, minDays: null });
    expect(set.pickupLocations[0]).toMatchObject({ id: 'soho', address: { country: 'GB', line2: null }, openingHours: [{ day: 'MON' }, { day: 'SAT' }] });

    const read = (await shop.ok(READ_CONFIG, { id: shopId })).merchant!;
    expect(read.shippingConfig).toEqual(set);
    const events = (await outboxTopics(shopId)).filter((e) => e.topic === 'merchant.updated' && e.payload.changed.includes('shippingConfig'));
    expect(events).toHaveLength(1);
    expect(events[0]!.payload.shippingConfig.zones[0].id).toBe('uk');
  });

  it('an admin sets and reads any merchant’s; an empty configuration reads as empty', async () => {
    expect((await admin.ok(READ_CONFIG, { id: rivalId })).merchant!.shippingConfig).toEqual({ zones: [], pickupLocations: [], updatedAt: null });
    const set = (await admin.ok(SET_SHIPPING, { merchantId: rivalId, input: { zones: [{ name: 'FR', countries: ['FR'], rates: [{ label: 'Colissimo', amount: gbp(0) }] }] } }))
      .setShippingConfig;
    expect(set.zones[0]!.rates[0]!.id).toMatch(/^rate_/);
    expect((await admin.ok(READ_CONFIG, { id: rivalId })).merchant!.shippingConfig!.zones[0]!.countries).toEqual(['FR']);
  });

  it('another merchant can neither set it (FORBIDDEN) nor read it (the merchant is not visible); an agent reads null', async () => {
    expect((await firstError(rival, SET_SHIPPING, { merchantId: shopId, input: shippingInput() })).code).toBe('FORBIDDEN');
    expect((await rival.ok(READ_CONFIG, { id: shopId })).merchant).toBeNull();
    const seen = await agent.request(READ_CONFIG, { id: shopId });
    expect(seen.data?.merchant?.shippingConfig ?? null).toBeNull();
  });

  it.each([
    ['an unknown country', (i: ShippingConfigInput) => (i.zones[0]!.countries = ['XX']), 'input.zones[0].countries[0]'],
    ['a country in two zones', (i: ShippingConfigInput) => (i.zones[1]!.countries = ['GB']), 'input.zones[1].countries[0]'],
    ['a negative amount', (i: ShippingConfigInput) => (i.zones[0]!.rates[0]!.amount = gbp(-1)), 'input.zones[0].rates[0].amount.amountMinor'],
    ['an overflowing amount', (i: ShippingConfigInput) => (i.zones[0]!.rates[0]!.amount = gbp(10 ** 15)), 'input.zones[0].rates[0].amount.amountMinor'],
    ['another currency', (i: ShippingConfigInput) => (i.zones[0]!.rates[0]!.freeOver = { amountMinor: 5000, currency: 'EUR' }), 'input.zones[0].rates[0].freeOver.currency'],
    ['minDays > maxDays', (i: ShippingConfigInput) => Object.assign(i.zones[0]!.rates[0]!, { minDays: 5, maxDays: 2 }), 'input.zones[0].rates[0].minDays'],
    ['a duplicate rate id', (i: ShippingConfigInput) => (i.zones[1]!.rates[0]!.id = 'standard'), 'input.zones[1].rates[0].id'],
    ['closing before opening', (i: ShippingConfigInput) => (i.pickupLocations![0]!.openingHours![0]!.closes = '08:00'), 'input.pickupLocations[0].openingHours[0].closes'],
    ['a zone with no rate', (i: ShippingConfigInput) => (i.zones[0]!.rates = []), 'input.zones[0].rates'],
  ])('refuses %s with BAD_USER_INPUT naming the field, and keeps the stored configuration', async (_name, spoil, field) => {
    const before = (await shop.ok(READ_CONFIG, { id: shopId })).merchant!.shippingConfig;
    const input = shippingInput();
    spoil(input);
    const err = await firstError(shop, SET_SHIPPING, { merchantId: shopId, input });
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await shop.ok(READ_CONFIG, { id: shopId })).merchant!.shippingConfig).toEqual(before);
  });

  it('refuses an amount past the safe-integer range before any resolver runs', async () => {
    const input = shippingInput();
    input.zones[0]!.rates[0]!.amount = gbp(2 ** 53 + 2);
    expect((await firstError(shop, SET_SHIPPING, { merchantId: shopId, input })).code).toBe('BAD_USER_INPUT');
  });
});

describe('tax configuration and offer tax categories', () => {
  it('the merchant and an admin set and read it; a rate without a category is the default category’s', async () => {
    const set = (await shop.ok(SET_TAX, { merchantId: shopId, input: taxInput() })).setTaxConfig;
    expect(set).toMatchObject({
      pricesIncludeTax: true,
      defaultCategory: 'standard',
      rates: [
        { country: 'GB', region: null, category: 'standard', basisPoints: 2000 },
        { country: 'GB', region: null, category: 'zero', basisPoints: 0 },
        { country: 'US', region: 'CA', category: 'standard', basisPoints: 725 },
      ],
    });
    expect((await admin.ok(READ_CONFIG, { id: shopId })).merchant!.taxConfig).toEqual(set);
    const byAdmin = (await admin.ok(SET_TAX, { merchantId: rivalId, input: { pricesIncludeTax: false, defaultCategory: 'Goods', rates: [] } })).setTaxConfig;
    expect(byAdmin).toMatchObject({ pricesIncludeTax: false, defaultCategory: 'goods', rates: [] });
    expect((await firstError(rival, SET_TAX, { merchantId: shopId, input: taxInput() })).code).toBe('FORBIDDEN');
    expect((await shop.ok(READ_CONFIG, { id: shopId })).merchant!.taxConfig!.rates).toHaveLength(3);
  });

  it.each([
    ['basis points above 10000', (i: TaxConfigInput) => (i.rates![0]!.basisPoints = 10001), 'input.rates[0].basisPoints'],
    ['negative basis points', (i: TaxConfigInput) => (i.rates![0]!.basisPoints = -1), 'input.rates[0].basisPoints'],
    ['an unknown country', (i: TaxConfigInput) => (i.rates![2]!.country = 'ZZ'), 'input.rates[2].country'],
    ['a duplicate rate', (i: TaxConfigInput) => (i.rates![1]!.category = 'STANDARD'), 'input.rates[1]'],
    ['a malformed category', (i: TaxConfigInput) => (i.rates![1]!.category = 'zero rated!'), 'input.rates[1].category'],
  ])('refuses %s (BAD_USER_INPUT) and keeps the stored configuration', async (_name, spoil, field) => {
    const before = (await shop.ok(READ_CONFIG, { id: shopId })).merchant!.taxConfig;
    const input = taxInput();
    spoil(input);
    expect(await firstError(shop, SET_TAX, { merchantId: shopId, input })).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await shop.ok(READ_CONFIG, { id: shopId })).merchant!.taxConfig).toEqual(before);
  });

  it('offers carry a tax category (null: the default), changed and cleared by updateOffer', async () => {
    const plain = (await shop.ok(CREATE_TAXED_OFFER, { input: { merchantId: shopId, name: 'Tee', price: gbp(1500) } })).createOffer;
    expect(plain.taxCategory).toBeNull();
    const book = (await shop.ok(CREATE_TAXED_OFFER, { input: { merchantId: shopId, name: 'Book', price: gbp(999), taxCategory: 'Zero' } })).createOffer;
    expect(book.taxCategory).toBe('zero');
    expect((await shop.ok(SET_OFFER_TAX, { id: plain.id, taxCategory: 'reduced' })).updateOffer.taxCategory).toBe('reduced');
    expect((await shop.ok(SET_OFFER_TAX, { id: plain.id, taxCategory: '' })).updateOffer.taxCategory).toBeNull();
    expect(await firstError(shop, SET_OFFER_TAX, { id: plain.id, taxCategory: 'not ok' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'taxCategory' });
  });
});

describe('promotions', () => {
  it('creates a code (upper-cased) and an automatic promotion, lists them by cursor, and updates one', async () => {
    const code = (
      await shop.ok(CREATE_PROMOTION, {
        input: promo({ code: 'welcome10', percentOffBasisPoints: 1000, minSubtotal: gbp(2000), usageLimit: 100, perCustomerLimit: 1 }),
        idempotencyKey: 'promo-welcome',
      })
    ).createPromotion;
    expect(code).toMatchObject({ code: 'WELCOME10', automatic: false, percentOffBasisPoints: 1000, scope: 'ORDER', stacking: 'STACKABLE', active: true });
    const replay = (await shop.ok(CREATE_PROMOTION, { input: promo({ code: 'welcome10', percentOffBasisPoints: 1000, minSubtotal: gbp(2000), usageLimit: 100, perCustomerLimit: 1 }), idempotencyKey: 'promo-welcome' })).createPromotion;
    expect(replay.id).toBe(code.id);
    const auto = (
      await admin.ok(CREATE_PROMOTION, {
        input: promo({ automatic: true, amountOff: gbp(500), stacking: 'EXCLUSIVE', startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2099-01-01T00:00:00.000Z' }),
      })
    ).createPromotion;
    expect(auto).toMatchObject({ code: null, automatic: true, amountOff: { amountMinor: 500, currency: 'GBP' }, stacking: 'EXCLUSIVE' });

    const page1 = (await shop.ok(PROMOTIONS, { id: shopId, first: 1 })).merchant!.promotions;
    expect(page1.totalCount).toBeGreaterThanOrEqual(2);
    expect(page1.edges[0]!.node.id).toBe(code.id);
    const page2 = (await shop.ok(PROMOTIONS, { id: shopId, first: 1, after: page1.pageInfo.endCursor })).merchant!.promotions;
    expect(page2.edges[0]!.node.id).toBe(auto.id);

    const ended = (await shop.ok(UPDATE_PROMOTION, { id: auto.id, input: { active: false, endsAt: '2098-01-01T00:00:00.000Z', usageLimit: 50 } })).updatePromotion;
    expect(ended).toMatchObject({ active: false, endsAt: '2098-01-01T00:00:00.000Z', usageLimit: 50 });
    const inactive = (await admin.ok(PROMOTIONS, { id: shopId, active: false })).merchant!.promotions;
    expect(inactive.edges.map((e) => e.node.id)).toEqual([auto.id]);
    expect((await outboxTopics(shopId)).some((e) => e.payload.changed?.includes('promotions') && e.payload.promotion?.id === auto.id)).toBe(true);
  });

  it('another merchant can neither create, update nor list them', async () => {
    expect((await firstError(rival, CREATE_PROMOTION, { input: promo({ code: 'RIVAL', percentOffBasisPoints: 100 }) })).code).toBe('FORBIDDEN');
    const mine = (await shop.ok(CREATE_PROMOTION, { input: promo({ code: 'MINE-ONLY', percentOffBasisPoints: 100 }) })).createPromotion;
    expect((await firstError(rival, UPDATE_PROMOTION, { id: mine.id, input: { active: false } })).code).toBe('NOT_FOUND');
    expect((await rival.ok(PROMOTIONS, { id: shopId })).merchant).toBeNull();
    expect((await firstError(agent, UPDATE_PROMOTION, { id: mine.id, input: { active: false } })).code).toBe('FORBIDDEN');
  });

  it('refuses a code the merchant already has, in any case, with PROMOTION_CODE_TAKEN; another merchant may use it', async () => {
    await shop.ok(CREATE_PROMOTION, { input: promo({ code: 'SPRING', percentOffBasisPoints: 500 }) });
    const err = await firstError(shop, CREATE_PROMOTION, { input: promo({ code: 'spring', amountOff: gbp(100) }) });
    expect(err).toMatchObject({ code: 'PROMOTION_CODE_TAKEN', field: 'input.code' });
    expect((await rival.ok(CREATE_PROMOTION, { input: { merchantId: rivalId, code: 'Spring', percentOffBasisPoints: 500 } })).createPromotion.code).toBe('SPRING');
  });

  it('twenty concurrent creates of one code make exactly one promotion', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        shop.request(CREATE_PROMOTION, { input: promo({ code: i % 2 ? 'racecode' : 'RACECODE', percentOffBasisPoints: 100 + i }) }),
      ),
    );
    const won = results.filter((r) => r.data?.createPromotion);
    const lost = results.filter((r) => r.errors?.length);
    expect(won).toHaveLength(1);
    expect(lost.map((r) => r.errors![0]!.extensions?.code)).toEqual(Array(19).fill('PROMOTION_CODE_TAKEN'));
    const all = (await shop.ok(PROMOTIONS, { id: shopId, first: 100 })).merchant!.promotions.edges;
    expect(all.filter((e) => e.node.code === 'RACECODE')).toHaveLength(1);
  });

  it.each([
    ['percent and amount both', { code: 'BOTH', percentOffBasisPoints: 100, amountOff: gbp(100) }, 'input.percentOffBasisPoints'],
    ['basis points above 10000', { code: 'BIGBPS', percentOffBasisPoints: 10001 }, 'input.percentOffBasisPoints'],
    ['basis points of 0', { code: 'ZEROBPS', percentOffBasisPoints: 0 }, 'input.percentOffBasisPoints'],
    ['a negative amount', { code: 'NEGATIVE', amountOff: gbp(-100) }, 'input.amountOff.amountMinor'],
    ['an overflowing amount', { code: 'HUGE', amountOff: gbp(10 ** 13) }, 'input.amountOff.amountMinor'],
    ['another currency', { code: 'EUROS', amountOff: { amountMinor: 100, currency: 'EUR' } }, 'input.amountOff.currency'],
    ['endsAt before startsAt', { code: 'BACKWARDS', percentOffBasisPoints: 100, startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 'input.endsAt'],
    ['no code and not automatic', { percentOffBasisPoints: 100 }, 'input.code'],
    ['a code on an automatic promotion', { code: 'AUTO', automatic: true, percentOffBasisPoints: 100 }, 'input.code'],
    ['a malformed code', { code: 'no spaces', percentOffBasisPoints: 100 }, 'input.code'],
    ['per-customer limit above the total', { code: 'LIMITS', percentOffBasisPoints: 100, usageLimit: 1, perCustomerLimit: 2 }, 'input.perCustomerLimit'],
    ['scope OFFERS without offers', { code: 'NOOFFERS', percentOffBasisPoints: 100, scope: 'OFFERS' }, 'input.offerIds'],
    ['another merchant’s offer', { code: 'THEIRS', percentOffBasisPoints: 100, scope: 'OFFERS', offerIds: ['01UNKNOWNOFFER'] }, 'input.offerIds[0]'],
  ] as Array<[string, Partial<CreatePromotionInput>, string]>)('refuses %s (BAD_USER_INPUT) and creates nothing', async (_name, input, field) => {
    const before = (await shop.ok(PROMOTIONS, { id: shopId, first: 100 })).merchant!.promotions.totalCount;
    expect(await firstError(shop, CREATE_PROMOTION, { input: promo(input) })).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await shop.ok(PROMOTIONS, { id: shopId, first: 100 })).merchant!.promotions.totalCount).toBe(before);
  });

  it('refuses an update that would end a promotion before it starts', async () => {
    const p = (await shop.ok(CREATE_PROMOTION, { input: promo({ code: 'WINDOW', percentOffBasisPoints: 100, startsAt: '2030-01-01T00:00:00Z' }) })).createPromotion;
    expect(await firstError(shop, UPDATE_PROMOTION, { id: p.id, input: { endsAt: '2029-12-31T00:00:00Z' } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.endsAt' });
  });

  it('scopes a promotion to the merchant’s own offers', async () => {
    const offer = (await shop.ok(CREATE_TAXED_OFFER, { input: { merchantId: shopId, name: 'Mug', price: gbp(800) } })).createOffer;
    const p = (await shop.ok(CREATE_PROMOTION, { input: promo({ code: 'MUGS', percentOffBasisPoints: 2500, scope: 'OFFERS', offerIds: [offer.id] }) })).createPromotion;
    expect(p).toMatchObject({ scope: 'OFFERS', offerIds: [offer.id] });
    const theirs = await firstError(rival, CREATE_PROMOTION, { input: { merchantId: rivalId, code: 'MUGS', percentOffBasisPoints: 100, scope: 'OFFERS', offerIds: [offer.id] } });
    expect(theirs).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.offerIds[0]' });
  });
});

describe('pricing providers and the internal checkoutPricingConfig', () => {
  const config = async (principal: Parameters<typeof internal>[0]) =>
    internal<CheckoutPricingConfigResult>(principal, CHECKOUT_PRICING_CONFIG_QUERY, { merchantId: shopId });
  const SERVICE = { kind: 'SERVICE', service: 'checkout-session' } as const;

  it('BUILT_IN until set; HTTP shows its signing secret once, keeps it on re-set, rotates on request; the internal query decrypts it', async () => {
    const before = (await shop.ok(READ_CONFIG, { id: shopId })).merchant!.pricingProviders!;
    expect(before.map((p) => [p.concern, p.kind])).toEqual([['TAX', 'BUILT_IN'], ['SHIPPING', 'BUILT_IN'], ['PROMOTIONS', 'BUILT_IN'], ['INVENTORY', 'BUILT_IN']]);

    const http = (await shop.ok(SET_PROVIDER, { merchantId: shopId, concern: 'TAX', input: { kind: 'HTTP', endpointUrl: 'https://tax.example.com/handoff' } }))
      .setPricingProvider;
    expect(http).toMatchObject({ kind: 'HTTP', endpointUrl: 'https://tax.example.com/handoff', timeoutMs: 3000, fallback: 'BUILT_IN', hasSigningSecret: true });
    expect(http.signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const read = (await shop.ok(READ_CONFIG, { id: shopId })).merchant!.pricingProviders!;
    expect(read[0]).toMatchObject({ concern: 'TAX', kind: 'HTTP', signingSecret: null, hasSigningSecret: true });
    expect((await config(SERVICE)).data!.checkoutPricingConfig!.providers.tax.signingSecret).toBe(http.signingSecret);

    const again = (await admin.ok(SET_PROVIDER, { merchantId: shopId, concern: 'TAX', input: { kind: 'HTTP', endpointUrl: 'https://tax.example.com/v2', timeoutMs: 1500, fallback: 'FAIL' } }))
      .setPricingProvider;
    expect(again).toMatchObject({ signingSecret: null, timeoutMs: 1500, fallback: 'FAIL' });
    expect((await config(SERVICE)).data!.checkoutPricingConfig!.providers.tax).toMatchObject({ signingSecret: http.signingSecret, endpointUrl: 'https://tax.example.com/v2' });

    const rotated = (await shop.ok(SET_PROVIDER, { merchantId: shopId, concern: 'TAX', input: { kind: 'HTTP', endpointUrl: 'https://tax.example.com/v2', rotateSigningSecret: true } }))
      .setPricingProvider;
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(http.signingSecret);
    expect((await config(SERVICE)).data!.checkoutPricingConfig!.providers.tax.signingSecret).toBe(rotated.signingSecret);

    // The secret is stored only as ciphertext, and no event carries it.
    const ds = handoff.subgraphs.find((s) => s.name === 'merchant')!.app.dataSource;
    const [row] = await ds.query(`SELECT signing_secret_ciphertext FROM merchant.pricing_providers WHERE merchant_id = $1 AND concern = 'TAX'`, [shopId]);
    expect(row.signing_secret_ciphertext).toMatch(/^v1\./);
    expect(JSON.stringify(await outboxTopics(shopId))).not.toContain(rotated.signingSecret!);

    const back = (await shop.ok(SET_PROVIDER, { merchantId: shopId, concern: 'SHIPPING', input: { kind: 'BUILT_IN' } })).setPricingProvider;
    expect(back).toMatchObject({ kind: 'BUILT_IN', endpointUrl: null, hasSigningSecret: false });
  });

  it.each([
    ['a non-http scheme', { kind: 'HTTP', endpointUrl: 'ftp://tax.example.com/' }, 'input.endpointUrl'],
    ['credentials in the URL', { kind: 'HTTP', endpointUrl: 'https://user:pw@tax.example.com/' }, 'input.endpointUrl'],
    ['no URL', { kind: 'HTTP' }, 'input.endpointUrl'],
    ['a malformed URL', { kind: 'HTTP', endpointUrl: 'not a url' }, 'input.endpointUrl'],
    ['a timeout out of range', { kind: 'HTTP', endpointUrl: 'https://tax.example.com/', timeoutMs: 60_000 }, 'input.timeoutMs'],
    ['a URL on a BUILT_IN provider', { kind: 'BUILT_IN', endpointUrl: 'https://tax.example.com/' }, 'input.endpointUrl'],
  ])('refuses %s (BAD_USER_INPUT)', async (_name, input, field) => {
    expect(await firstError(shop, SET_PROVIDER, { merchantId: shopId, concern: 'PROMOTIONS', input: input as any })).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('in test, private and loopback endpoints are allowed (WEBHOOK_ALLOW_PRIVATE_URLS defaults to true outside production)', async () => {
    const p = (await shop.ok(SET_PROVIDER, { merchantId: shopId, concern: 'PROMOTIONS', input: { kind: 'HTTP', endpointUrl: 'http://127.0.0.1:9/promos' } }))
      .setPricingProvider;
    expect(p.endpointUrl).toBe('http://127.0.0.1:9/promos');
    expect((await firstError(rival, SET_PROVIDER, { merchantId: shopId, concern: 'TAX', input: { kind: 'BUILT_IN' } })).code).toBe('FORBIDDEN');
  });

  it('checkoutPricingConfig answers a service with the whole contract in one call: live promotions only', async () => {
    const r = await config(SERVICE);
    expect(r.errors).toBeUndefined();
    const c = r.data!.checkoutPricingConfig!;
    expect(c.merchantId).toBe(shopId);
    expect(c.currency).toBe('GBP');
    expect(c.shipping.zones[0]!.rates[0]).toEqual({
      id: 'standard',
      label: 'Standard',
      kind: 'FLAT',
      amount: gbp(399),
      freeOver: gbp(5000),
      carrier: 'Royal Mail',
      serviceCode: 'tracked48',
      minDays: 2,
      maxDays: 4,
    });
    expect(c.shipping.pickupLocations[0]!.id).toBe('soho');
    expect(c.tax.pricesIncludeTax).toBe(true);
    expect(c.tax.rates).toContainEqual({ country: 'GB', region: null, category: 'zero', basisPoints: 0 });
    const codes = c.promotions.map((p) => p.code);
    expect(codes).toContain('WELCOME10');
    expect(c.promotions.every((p) => p.code !== null || p.automatic)).toBe(true);
    // The deactivated automatic promotion is left out.
    expect(c.promotions.filter((p) => p.automatic)).toHaveLength(0);
    expect(c.providers.shipping).toEqual({ concern: 'SHIPPING', kind: 'BUILT_IN', endpointUrl: null, signingSecret: null, timeoutMs: null, fallback: null });
    const unknown = await internal<CheckoutPricingConfigResult>(SERVICE, CHECKOUT_PRICING_CONFIG_QUERY, { merchantId: '01UNKNOWNMERCHANT' });
    expect(unknown.data!.checkoutPricingConfig).toBeNull();
  });

  it('refuses every principal but a service, and is absent from the public schema', async () => {
    for (const principal of [
      { kind: 'MERCHANT', keyId: 'k', merchantId: shopId },
      { kind: 'ADMIN', keyId: 'k' },
      { kind: 'AGENT', keyId: 'k', agentId: 'a' },
    ] as const) {
      const r = await config(principal);
      expect(r.data?.checkoutPricingConfig ?? null).toBeNull();
      expect(r.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect((await config(null)).status).toBe(401);
    const viaGateway = await admin.request(CHECKOUT_PRICING_CONFIG_QUERY, { merchantId: shopId });
    expect(viaGateway.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const api = readFileSync(new URL('../../gateway/api-schema.graphql', import.meta.url), 'utf8');
    expect(api).toContain('setShippingConfig');
    expect(api).not.toMatch(/checkoutPricingConfig|PricingProviderCredentials|CheckoutPricingConfig/);
  });
});

describe('demo data', () => {
  it('gives the demo merchant shipping, tax, WELCOME10 and an automatic promotion, once (a second load adds nothing)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'handoff-demo-'));
    try {
      const demo = await loadDemoData(handoff.graphqlUrl, handoff.adminKey, dir);
      await loadDemoData(handoff.graphqlUrl, handoff.adminKey, dir);
      const SERVICE = { kind: 'SERVICE', service: 'checkout-session' } as const;
      const c = (await internal<CheckoutPricingConfigResult>(SERVICE, CHECKOUT_PRICING_CONFIG_QUERY, { merchantId: demo.smartyMerchantId })).data!
        .checkoutPricingConfig!;
      expect(c.shipping.zones[0]!.rates.map((r) => [r.id, r.amount.amountMinor, r.freeOver?.amountMinor ?? null])).toEqual([
        ['standard', 399, 5000],
        ['express', 899, null],
      ]);
      expect(c.shipping.pickupLocations).toHaveLength(1);
      expect(c.tax).toEqual({
        pricesIncludeTax: true,
        defaultCategory: 'standard',
        rates: [
          { country: 'GB', region: null, category: 'standard', basisPoints: 2000 },
          { country: 'GB', region: null, category: 'zero', basisPoints: 0 },
        ],
      });
      expect(c.promotions.map((p) => [p.code, p.automatic]).sort()).toEqual([
        ['WELCOME10', false],
        [null, true],
      ].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
