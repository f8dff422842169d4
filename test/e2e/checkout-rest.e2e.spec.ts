// Seed 003's REST routes §1–4 and §13 (issue 18, item 7) through the gateway, against a merchant
// with shipping, 20 % tax on top and promotion codes: the whole flow (create → customer →
// addresses → shipping options → select → promotion → calculate → totals → validate) with the
// amounts computed by hand and equal to GraphQL's; PATCH with If-Match (stale → 409, nothing
// written; two at one version → one wins); DELETE; bad input answered with its code and field,
// writing nothing; another merchant's session is 404; an Idempotency-Key replay answers the same.
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
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const GRAPHQL_SESSION = `query($id: ID!) { checkoutSession(id: $id) { version metadata channel promotionCodes
  calculation { id totals { subTotal { amountMinor } discountTotal { amountMinor } taxTotal { amountMinor } shippingTotal { amountMinor } grandTotal { amountMinor } } } } }`;

const DAY = 86_400_000;
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;
const keys: { shop: string; rival: string; agent: string } = { shop: '', rival: '', agent: '' };
let shop: GqlClient;
let shopId: string;

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function rest(method: string, path: string, opts: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const key = opts.key === undefined ? keys.shop : opts.key;
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, headers: res.headers };
}

/** Expects `status`, returns the body. */
async function ok(method: string, path: string, opts: Parameters<typeof rest>[2] = {}, status = 200): Promise<any> {
  const r = await rest(method, path, opts);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

const LINES = [
  { name: 'T-shirt', amount: 1299, quantity: 2, sku: 'TS-RED-M', tax_category: 'Standard' },
  { name: 'Mug', amount: 850, quantity: 1 },
];
const GB = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postal_code: 'sw1a 2aa', country: 'gb' };

async function newSession(key = keys.shop): Promise<any> {
  return ok('POST', '', { key, body: { currency: 'GBP', line_items: LINES } }, 201);
}
const versionOf = async (id: string) => (await ok('GET', `/${id}`)).version as number;

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const merchant = async (name: string) => {
    const id = (await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
    await admin.ok(CONNECT, { m: id });
    return { id, key: (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string };
  };
  const a = await merchant('Rest Shop Ltd');
  const b = await merchant('Rest Rival Ltd');
  shopId = a.id;
  keys.shop = a.key;
  keys.rival = b.key;
  shop = admin.as(a.key);
  const agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Rest bot' } })).registerAgent.id;
  keys.agent = (await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key;

  await admin.ok(SET_SHIPPING, {
    m: shopId,
    input: {
      zones: [
        {
          id: 'gb',
          name: 'United Kingdom',
          countries: ['GB'],
          rates: [
            { id: 'standard', label: 'Standard delivery', amount: gbp(399), freeOver: gbp(5000), carrier: 'Royal Mail', serviceCode: 'tracked48', minDays: 2, maxDays: 4 },
            { id: 'express', label: 'Next day', amount: gbp(899), carrier: 'DPD', serviceCode: 'next-day', minDays: 1, maxDays: 1 },
          ],
        },
      ],
      pickupLocations: [{ id: 'soho', name: 'Soho store', address: { line1: '1 Dean Street', city: 'London', postalCode: 'W1D 3RB', country: 'GB' }, openingHours: [] }],
    },
  });
  await admin.ok(SET_TAX, { m: shopId, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
  const promo = (input: Record<string, unknown>) => admin.ok(CREATE_PROMOTION, { input: { merchantId: shopId, ...input } });
  await promo({ name: 'Welcome', code: 'WELCOME10', percentOffBasisPoints: 1000 });
  await promo({ name: 'Pound off', code: 'POUND', amountOff: gbp(100) });
  await promo({ name: 'Old', code: 'OLD', percentOffBasisPoints: 500, startsAt: new Date(Date.now() - 30 * DAY).toISOString(), endsAt: new Date(Date.now() - DAY).toISOString() });
}, 120_000);
afterAll(async () => handoff?.stop());

describe('seed 003 checkout session over REST: the whole flow', () => {
  it('create → customer → addresses → options → select → promotion → calculate → totals → validate, amounts by hand and as GraphQL has them', async () => {
    const created = await rest('POST', '', {
      body: {
        currency: 'GBP',
        line_items: LINES,
        owner: { type: 'guest' },
        channel: 'web',
        cart_id: 'cart_123',
        metadata: { source: 'campaign_x' },
        options: { capture_mode: 'manual', require_billing_address: true },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const s = created.body;
    const id = s.checkout_id as string;
    expect(created.headers.get('location')).toBe(`/v1/checkout/sessions/${id}`);
    expect(created.headers.get('etag')).toBe(`"${s.version}"`);
    expect(s).toMatchObject({
      checkout_id: expect.stringMatching(/^cs_/),
      cart_id: 'cart_123',
      owner: { type: 'guest', id: null },
      channel: 'web',
      status: 'created',
      calculation_id: null,
      currency: 'GBP',
      line_items: [
        { name: 'T-shirt', amount: 1299, quantity: 2, total: 2598, offer_id: null, sku: 'TS-RED-M', tax_category: 'standard' },
        { name: 'Mug', amount: 850, quantity: 1, total: 850, offer_id: null, sku: null },
      ],
      totals: { currency: 'GBP', sub_total: 3448, discount_total: 0, tax_total: 0, shipping_total: 0, grand_total: 3448 },
      customer: { email: null, phone: null, customer_id: null, save_for_later: false },
      shipping_address: null,
      billing_address: null,
      selected_shipping: null,
      promotion_codes: [],
      reservation_id: null,
      metadata: { source: 'campaign_x' },
      options: { capture_mode: 'manual', require_billing_address: true },
    });
    expect(s.client_token).toBe(new URL(s.url).searchParams.get('cs'));
    expect(s.payment_intent).toMatchObject({ status: 'requires_payment_method', amount: 3448, currency: 'GBP', next_action: null });
    expect(Date.parse(s.expires_at)).toBeGreaterThan(Date.now());
    expect(await ok('GET', `/${id}`)).toEqual(s);

    const customer = await ok('POST', `/${id}/customer`, { body: { email: 'Ada@Example.com', phone: '+44 20 7946 0018', save_for_later: true } });
    expect(customer.customer).toEqual({ email: 'Ada@Example.com', phone: '+442079460018', customer_id: null, save_for_later: true });
    expect(customer.version).toBe(s.version + 1);
    const contact = await ok('POST', `/${id}/contact`, { body: { phone: '+44 20 7946 0019' } });
    expect(contact.customer).toEqual({ email: 'Ada@Example.com', phone: '+442079460019', customer_id: null, save_for_later: true });

    const shipped = await ok('POST', `/${id}/shipping-address`, { body: GB });
    expect(shipped.shipping_address).toEqual({ name: 'Ada Buyer', line1: '10 Downing Street', line2: null, city: 'London', state: null, postal_code: 'SW1A 2AA', country: 'GB' });
    expect(shipped.status).toBe('collecting');
    await ok('POST', `/${id}/billing-address`, { body: { line1: '1 Rue de Rivoli', city: 'Paris', postal_code: '75001', country: 'FR' } });
    expect(await ok('GET', `/${id}/addresses`)).toEqual({
      shipping_address: { name: 'Ada Buyer', line1: '10 Downing Street', line2: null, city: 'London', state: null, postal_code: 'SW1A 2AA', country: 'GB' },
      billing_address: { name: null, line1: '1 Rue de Rivoli', line2: null, city: 'Paris', state: null, postal_code: '75001', country: 'FR' },
      validation: { shipping: { status: 'valid', problems: [] }, billing: { status: 'valid', problems: [] } },
    });

    const dated = await ok('GET', `/${id}/shipping-options?include_estimated_delivery_dates=true`);
    expect(dated).toMatchObject({ has_more: false, next_cursor: null });
    expect(dated.data.map((o: any) => [o.id, o.label, o.carrier, o.service_code, o.amount, o.currency, o.delivery_estimate.min_days, o.delivery_estimate.max_days])).toEqual([
      ['standard', 'Standard delivery', 'Royal Mail', 'tracked48', 399, 'GBP', 2, 4],
      ['express', 'Next day', 'DPD', 'next-day', 899, 'GBP', 1, 1],
    ]);
    for (const o of dated.data) expect(o.delivery_estimate.earliest_date <= o.delivery_estimate.latest_date).toBe(true);
    const plain = await ok('GET', `/${id}/shipping-options`);
    expect(plain.data[0].delivery_estimate).toEqual({ min_days: 2, max_days: 4 });
    expect(await ok('GET', `/${id}/pickup-options`)).toEqual({
      data: [{ id: 'soho', name: 'Soho store', country: 'GB', region: null, postal_code: 'W1D 3RB' }],
      has_more: false,
      next_cursor: null,
    });

    const selected = await ok('POST', `/${id}/select-shipping`, { body: { shipping_option_id: 'standard', carrier: 'Royal Mail', service_code: 'TRACKED48' } });
    expect(selected.selected_shipping).toEqual({ id: 'standard', kind: 'shipping', label: 'Standard delivery', amount: 399 });
    const coded = await ok('POST', `/${id}/promotions`, { body: { code: ' welcome10 ' } });
    expect(coded.promotion_codes).toEqual(['WELCOME10']);

    const calculated = await rest('POST', `/${id}/calculate`, { body: { force: true, timeout_ms: 5000 }, headers: { 'if-match': `"${coded.version}"` } });
    expect(calculated.status, JSON.stringify(calculated.body)).toBe(200);
    const c = calculated.body;
    expect(c.version).toBe(coded.version + 1);
    expect(calculated.headers.get('etag')).toBe(`"${c.version}"`);
    // By hand. Lines 2 × 12.99 = 25.98 and 8.50: subtotal 34.48. WELCOME10: 10 % = 3.448 → 3.45, split
    // 25.98 : 8.50 → 259.95 and 85.05 → 259 + 85, the 1 left to the larger remainder: 2.60 and 0.85.
    // Nets 23.38 and 7.65 (31.03 < £50: standard is not free, 3.99). Tax 20 % per line, half up:
    // 4.676 → 4.68, 1.53; shipping 0.798 → 0.80. Grand total 34.48 − 3.45 + 7.01 + 3.99 = 42.03.
    expect(c).toMatchObject({
      checkout_id: id,
      calculation_id: expect.stringMatching(/^calc_/),
      currency: 'GBP',
      prices_include_tax: false,
      calculation_stale: false,
      totals: { currency: 'GBP', sub_total: 3448, discount_total: 345, tax_total: 701, shipping_total: 399, grand_total: 4203, included_tax_total: 0 },
      shipping: { kind: 'shipping', id: 'standard', label: 'Standard delivery', amount: 399, tax: 80, delivery_estimate: { min_days: 2, max_days: 4 } },
      promotions: [{ code: 'WELCOME10', automatic: false, amount: 345 }],
      blockers: [],
    });
    expect(c.lines.map((l: any) => [l.id, l.name, l.quantity, l.amount, l.discount, l.tax, l.total, l.tax_category])).toEqual([
      ['line_1', 'T-shirt', 2, 2598, 260, 468, 2806, 'standard'],
      ['line_2', 'Mug', 1, 850, 85, 153, 918, expect.any(String)],
    ]);
    expect(c.lines[0].adjustments).toEqual([{ promotion_id: expect.any(String), code: 'WELCOME10', amount: 260 }]);
    expect(c.tax_lines.map((t: any) => [t.target, t.line_id, t.basis_points, t.taxable_amount, t.amount])).toEqual([
      ['line', 'line_1', 2000, 2338, 468],
      ['line', 'line_2', 2000, 765, 153],
      ['shipping', null, 2000, 399, 80],
    ]);
    const t = c.totals;
    expect(t.grand_total).toBe(t.sub_total - t.discount_total + t.tax_total + t.shipping_total);
    const graph = (await shop.ok(GRAPHQL_SESSION, { id })).checkoutSession;
    expect(graph.calculation.id).toBe(c.calculation_id);
    const g = graph.calculation.totals;
    expect([g.subTotal, g.discountTotal, g.taxTotal, g.shippingTotal, g.grandTotal].map((m: any) => m.amountMinor)).toEqual([
      t.sub_total,
      t.discount_total,
      t.tax_total,
      t.shipping_total,
      t.grand_total,
    ]);

    const totals = await ok('GET', `/${id}/totals`);
    expect(totals).toEqual({ checkout_id: id, calculation_id: c.calculation_id, calculated_at: c.calculated_at, stale: false, version: c.version, totals: t });
    const validated = await ok('POST', `/${id}/validate`);
    expect(validated).toEqual({ checkout_id: id, version: c.version, valid: true, blockers: [] });
    const read = await ok('GET', `/${id}`);
    expect(read).toMatchObject({
      version: c.version,
      calculation_id: c.calculation_id,
      calculation_stale: false,
      totals: { sub_total: 3448, discount_total: 345, tax_total: 701, shipping_total: 399, grand_total: 4203 },
      selected_shipping: { id: 'standard', kind: 'shipping', label: 'Standard delivery', amount: 399 },
    });

    // §13: one location, so one shipment carrying the whole total; choosing SINGLE makes the calculation stale.
    const split = await ok('POST', `/${id}/split-shipment-plan`);
    expect(split).toMatchObject({ checkout_id: id, plan: 'split', calculated: true, currency: 'GBP' });
    expect(split.shipments).toEqual([expect.objectContaining({ line_ids: ['line_1', 'line_2'], shipping_total: 399, grand_total: 4203 })]);
    const single = await ok('POST', `/${id}/select-shipment-plan`, { body: { plan: 'single' } });
    expect(single).toMatchObject({ checkout_id: id, plan: 'single', calculated: false, version: c.version + 1 });
    expect(single.shipments.map((x: any) => x.grand_total)).toEqual([4203]);

    // The code removed: stale; refresh recalculates and reports the validation.
    const removed = await ok('DELETE', `/${id}/promotions/welcome10`);
    expect(removed).toMatchObject({ promotion_codes: [], calculation_stale: true });
    const refreshed = await ok('POST', `/${id}/refresh`);
    expect(refreshed.calculation_id).not.toBe(c.calculation_id);
    expect(refreshed).toMatchObject({ calculation_stale: false, totals: { discount_total: 0 }, validation_results: { valid: true, blockers: [] } });
    // 34.48 + 6.90 tax (5.196 → 5.20, 1.70) + 3.99 shipping + 0.80 its tax = 46.17.
    expect(refreshed.totals.grand_total).toBe(4617);
    const lazy = await ok('POST', `/${id}/calculate`, { body: { force: false } });
    expect(lazy.calculation_id).toBe(refreshed.calculation_id);
    expect(lazy.version).toBe(refreshed.version);

    // Pickup instead of delivery.
    const pickup = await ok('POST', `/${id}/pickup-location`, { body: { pickup_location_id: 'soho' } });
    expect(pickup.selected_shipping).toEqual({ id: 'soho', kind: 'pickup', label: 'Soho store', amount: 0 });
  });

  it('validate lists the blockers of a session not filled in, and writes nothing', async () => {
    const s = await newSession();
    const validated = await ok('POST', `/${s.checkout_id}/validate`, { body: {} });
    expect(validated.valid).toBe(false);
    expect(validated.blockers.map((b: any) => b.code)).toContain('address_invalid');
    for (const b of validated.blockers) expect(typeof b.message).toBe('string');
    expect(await versionOf(s.checkout_id)).toBe(s.version);
    const totals = await rest('GET', `/${s.checkout_id}/totals`);
    expect(totals.status).toBe(404);
    expect(totals.body).toMatchObject({ code: 'NOT_FOUND', reason: 'checkout_session:not_calculated' });
  });
});

describe('PATCH and DELETE', () => {
  it('PATCH at the current version changes the session; a stale If-Match is 409 VERSION_CONFLICT and writes nothing', async () => {
    const s = await newSession();
    const id = s.checkout_id;
    const v0 = s.version as number;
    const patched = await rest('PATCH', `/${id}`, {
      body: { metadata: { order: 'ord_1' }, channel: 'app', owner: { type: 'user', id: 'user_1' }, options: { capture_mode: 'manual' }, line_items: [{ name: 'Hoodie', amount: 4500, quantity: 1 }] },
      headers: { 'if-match': `"${v0}"` },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.headers.get('etag')).toBe(`"${v0 + 1}"`);
    expect(patched.body).toMatchObject({
      version: v0 + 1,
      metadata: { order: 'ord_1' },
      channel: 'app',
      owner: { type: 'user', id: 'user_1' },
      options: { capture_mode: 'manual', require_billing_address: false },
      line_items: [{ name: 'Hoodie', amount: 4500, quantity: 1, total: 4500 }],
      totals: { sub_total: 4500, grand_total: 4500 },
    });

    const stale = await rest('PATCH', `/${id}`, { body: { metadata: { order: 'ord_2' } }, headers: { 'if-match': String(v0) } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ code: 'VERSION_CONFLICT', error: expect.any(String) });
    const after = await ok('GET', `/${id}`);
    expect(after).toMatchObject({ version: v0 + 1, metadata: { order: 'ord_1' } });

    // `version` in the body works as If-Match does; both given must agree.
    expect((await ok('PATCH', `/${id}`, { body: { version: v0 + 1, channel: null } })).channel).toBeNull();
    const disagree = await rest('PATCH', `/${id}`, { body: { version: v0 + 2, channel: 'web' }, headers: { 'if-match': String(v0 + 1) } });
    expect(disagree).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'version' } });
    const missing = await rest('PATCH', `/${id}`, { body: { channel: 'web' } });
    expect(missing).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'If-Match' } });
    const garbage = await rest('PATCH', `/${id}`, { body: { channel: 'web' }, headers: { 'if-match': 'soon' } });
    expect(garbage).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'If-Match' } });
    expect(await versionOf(id)).toBe(v0 + 2);
  });

  it('two PATCHes at one version at once: exactly one 200, the other 409, and one write', async () => {
    const s = await newSession();
    const id = s.checkout_id;
    const answers = await Promise.all(
      ['a', 'b'].map((v) => rest('PATCH', `/${id}`, { body: { metadata: { writer: v } }, headers: { 'if-match': String(s.version) } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.status === 200)!.body;
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('VERSION_CONFLICT');
    const read = await ok('GET', `/${id}`);
    expect(read.version).toBe(s.version + 1);
    expect(read.metadata).toEqual(winner.metadata);
  });

  it('DELETE cancels (status canceled); again is 409; release_inventory must be true or false', async () => {
    const s = await newSession();
    const id = s.checkout_id;
    expect(await rest('DELETE', `/${id}?release_inventory=maybe`)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'release_inventory' } });
    expect(await rest('DELETE', `/${id}`, { headers: { 'if-match': String(s.version + 5) } })).toMatchObject({ status: 409, body: { code: 'VERSION_CONFLICT' } });
    const canceled = await ok('DELETE', `/${id}?release_inventory=false`, { headers: { 'if-match': String(s.version) } });
    expect(canceled).toMatchObject({ checkout_id: id, status: 'canceled', payment_intent: { status: 'canceled' } });
    // Canceled, then its payment intent canceled: each a new version; the answer is the session as it now is.
    expect(canceled.version).toBe(s.version + 2);
    expect(await ok('GET', `/${id}`)).toEqual(canceled);
    expect(await rest('DELETE', `/${id}`)).toMatchObject({ status: 409, body: { code: 'INVALID_STATE_TRANSITION' } });
    expect(await rest('POST', `/${id}/customer`, { body: { email: 'late@example.com' } })).toMatchObject({ status: 409, body: { code: 'INVALID_STATE_TRANSITION' } });
    expect((await ok('GET', `/${id}`)).status).toBe('canceled');
  });
});

describe('bad input: its code and field, nothing written', () => {
  it('create: unknown keys, wrong types, bad quantities and amounts, bad owner, capture mode or currency', async () => {
    const base = { currency: 'GBP', line_items: [{ name: 'Plan', amount: 500, quantity: 1 }] };
    const cases: Array<[unknown, number, string, string]> = [
      [{ ...base, price_data: { unit_amount: 1 } }, 400, 'BAD_USER_INPUT', 'price_data'],
      [{ ...base, line_items: [{ name: 'Plan', amount: '500', quantity: 1 }] }, 400, 'BAD_USER_INPUT', 'line_items[0].amount'],
      [{ ...base, line_items: [{ name: 'Plan', amount: -5, quantity: 1 }] }, 400, 'BAD_USER_INPUT', 'line_items[0].amount'],
      [{ ...base, line_items: [{ name: 'Plan', amount: 2 ** 60, quantity: 1 }] }, 400, 'BAD_USER_INPUT', 'line_items[0].amount'],
      [{ ...base, line_items: [{ name: 'Plan', amount: 500, quantity: -1 }] }, 400, 'BAD_USER_INPUT', 'line_items[0].quantity'],
      [{ ...base, line_items: [{ name: 'Plan', amount: 500, quantity: 2 ** 40 }] }, 400, 'BAD_USER_INPUT', 'line_items[0].quantity'],
      [{ ...base, line_items: [{ name: 'Plan', amount: 500, quantity: 1, tax_category: 'Not A Category!' }] }, 400, 'BAD_USER_INPUT', 'line_items[0].tax_category'],
      [{ ...base, line_items: [] }, 400, 'BAD_USER_INPUT', 'line_items'],
      [{ ...base, currency: 'XYZ' }, 400, 'BAD_USER_INPUT', 'currency'],
      [{ ...base, owner: { type: 'robot' } }, 400, 'BAD_USER_INPUT', 'owner.type'],
      [{ ...base, owner: { type: 'user' } }, 400, 'BAD_USER_INPUT', 'owner.id'],
      [{ ...base, options: { capture_mode: 'later' } }, 400, 'BAD_USER_INPUT', 'options.capture_mode'],
      [{ ...base, channel: 'not a channel' }, 400, 'BAD_USER_INPUT', 'channel'],
      [{ ...base, success_url: 'ftp://shop.example' }, 400, 'BAD_USER_INPUT', 'success_url'],
      [{ ...base, metadata: { aap_code: 'x' } }, 400, 'BAD_USER_INPUT', 'metadata.aap_code'],
      [[base], 400, 'BAD_USER_INPUT', 'body'],
    ];
    const before = (await shop.ok(`{ checkoutSessions(first: 1) { totalCount } }`)).checkoutSessions.totalCount;
    for (const [body, status, code, field] of cases) {
      const r = await rest('POST', '', { body });
      expect([r.status, r.body.code, r.body.field], JSON.stringify({ body, answer: r.body })).toEqual([status, code, field]);
      expect(r.body.error).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `));
      expect(JSON.stringify(r.body)).not.toMatch(/Variable "\$|GraphQL|lineItems|unitAmount|amountMinor/);
    }
    const notJson = await rest('POST', '', { body: '{"currency": "GBP",' });
    expect(notJson).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    // A path that is not valid percent-encoding is refused before any route runs: 400, never a 500.
    expect((await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions/%E0%A4%A/promotions/%ZZ`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.shop}` } })).status).toBe(400);
    expect((await shop.ok(`{ checkoutSessions(first: 1) { totalCount } }`)).checkoutSessions.totalCount).toBe(before);
  });

  it('buyer routes: bad country and postal code, bad email, unknown or ended codes, options not offered or not matching; the version never moves', async () => {
    const s = await newSession();
    const id = s.checkout_id;
    await ok('POST', `/${id}/shipping-address`, { body: GB });
    const v = await versionOf(id);
    const cases: Array<[string, string, unknown, number, string, string | undefined, string | undefined]> = [
      ['POST', '/shipping-address', { ...GB, country: 'XX' }, 400, 'BAD_USER_INPUT', 'country', undefined],
      ['POST', '/shipping-address', { ...GB, country: 'GBR' }, 400, 'BAD_USER_INPUT', 'country', undefined],
      ['POST', '/shipping-address', { ...GB, postal_code: 'NOT A CODE' }, 400, 'BAD_USER_INPUT', 'postal_code', undefined],
      ['POST', '/billing-address', { line1: '1 Main St', city: 'Leeds', country: 'GB' }, 400, 'BAD_USER_INPUT', 'postal_code', undefined],
      ['POST', '/shipping-address', { ...GB, line1: 'evil\u202Eroad' }, 400, 'BAD_USER_INPUT', 'line1', undefined],
      ['POST', '/shipping-address', { ...GB, zip: '12345' }, 400, 'BAD_USER_INPUT', 'zip', undefined],
      ['POST', '/customer', { email: 'not-an-email' }, 400, 'BAD_USER_INPUT', 'email', undefined],
      ['POST', '/contact', { phone: '12' }, 400, 'BAD_USER_INPUT', 'phone', undefined],
      ['POST', '/customer', { save_for_later: 'yes' }, 400, 'BAD_USER_INPUT', 'save_for_later', undefined],
      ['POST', '/promotions', { code: 'NOPE' }, 422, 'PROMOTION_INVALID', undefined, 'promotion:unknown'],
      ['POST', '/promotions', { code: 'old' }, 422, 'PROMOTION_INVALID', undefined, 'promotion:(expired|unknown)'],
      ['POST', '/promotions', { code: 'bad code!' }, 400, 'BAD_USER_INPUT', 'code', undefined],
      ['DELETE', '/promotions/POUND', undefined, 400, 'BAD_USER_INPUT', 'code', undefined],
      ['POST', '/select-shipping', { shipping_option_id: 'teleport' }, 400, 'BAD_USER_INPUT', 'shipping_option_id', 'shipping:not_offered'],
      ['POST', '/select-shipping', { shipping_option_id: 'express', carrier: 'Royal Mail' }, 422, 'SHIPPING_OPTION_MISMATCH', 'carrier', undefined],
      ['POST', '/select-shipping', { shipping_option_id: 'express', service_code: 'tracked48' }, 422, 'SHIPPING_OPTION_MISMATCH', 'service_code', undefined],
      ['POST', '/select-shipping', {}, 400, 'BAD_USER_INPUT', 'shipping_option_id', undefined],
      ['POST', '/pickup-location', { pickup_location_id: 'mars' }, 400, 'BAD_USER_INPUT', 'pickup_location_id', 'shipping:not_offered'],
      ['POST', '/select-shipment-plan', { plan: 'triple' }, 400, 'BAD_USER_INPUT', 'plan', undefined],
      ['POST', '/calculate', { force: 'yes' }, 400, 'BAD_USER_INPUT', 'force', undefined],
      ['POST', '/calculate', { timeout_ms: -1 }, 400, 'BAD_USER_INPUT', 'timeout_ms', undefined],
      ['POST', '/validate', { deep: true }, 400, 'BAD_USER_INPUT', 'deep', undefined],
      ['GET', '/shipping-options?include_estimated_delivery_dates=1', undefined, 400, 'BAD_USER_INPUT', 'include_estimated_delivery_dates', undefined],
    ];
    for (const [method, path, body, status, code, field, reason] of cases) {
      const r = await rest(method, `/${id}${path}`, { body });
      const where = `${method} ${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`;
      expect(r.status, where).toBe(status);
      expect(r.body.code, where).toBe(code);
      if (field) expect(r.body.field, where).toBe(field);
      if (reason) expect(r.body.reason, where).toMatch(new RegExp(`^${reason}$`));
      expect(typeof r.body.error, where).toBe('string');
      expect(r.body.error, where).not.toMatch(/Variable "\$|GraphQL|postalCode|shippingOptionId|customerId/);
    }
    expect(await versionOf(id)).toBe(v);
    const stale = await rest('POST', `/${id}/customer`, { body: { email: 'a@example.com' }, headers: { 'if-match': String(v - 1) } });
    expect(stale).toMatchObject({ status: 409, body: { code: 'VERSION_CONFLICT' } });
    const badKey = await rest('POST', `/${id}/customer`, { body: { email: 'a@example.com' }, headers: { 'idempotency-key': 'x'.repeat(300) } });
    expect(badKey).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'Idempotency-Key' } });
    expect(await versionOf(id)).toBe(v);
  });
});

describe('who may call', () => {
  it("another merchant's key, an unknown id: 404 CHECKOUT_SESSION_NOT_FOUND, as GraphQL answers; agent key 403; no key 401", async () => {
    const s = await newSession();
    const id = s.checkout_id;
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { version: 1, channel: 'web' }],
      ['DELETE', '', undefined],
      ['POST', '/customer', { email: 'x@example.com' }],
      ['POST', '/shipping-address', GB],
      ['GET', '/addresses', undefined],
      ['GET', '/shipping-options', undefined],
      ['POST', '/select-shipping', { shipping_option_id: 'standard' }],
      ['POST', '/promotions', { code: 'WELCOME10' }],
      ['POST', '/calculate', {}],
      ['GET', '/totals', undefined],
      ['POST', '/validate', undefined],
      ['POST', '/split-shipment-plan', undefined],
      ['POST', '/select-shipment-plan', { plan: 'single' }],
      ['POST', '/refresh', undefined],
    ] as const) {
      const rival = await rest(method, `/${id}${path}`, { key: keys.rival, body });
      expect([rival.status, rival.body.code], `${method} ${path} ${JSON.stringify(rival.body)}`).toEqual([404, 'CHECKOUT_SESSION_NOT_FOUND']);
      const unknown = await rest(method, `/cs_unknown${path}`, { body });
      expect([unknown.status, unknown.body.code], `${method} ${path} unknown`).toEqual([404, 'CHECKOUT_SESSION_NOT_FOUND']);
    }
    const graphql = await admin.as(keys.rival).request(`mutation($id: ID!) { setCheckoutCustomer(id: $id, customer: { email: "x@example.com" }) { id } }`, { id });
    expect(graphql.errors?.[0]?.extensions?.code).toBe('CHECKOUT_SESSION_NOT_FOUND');
    expect(await versionOf(id)).toBe(s.version);

    expect(await rest('GET', `/${id}`, { key: keys.agent })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    const anonymous = await rest('GET', `/${id}`, { key: null });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await rest('GET', `/${id}`, { key: 'hk_not_a_key' })).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('an admin key creates for a merchant it names, and reads and changes any session', async () => {
    const created = await ok('POST', '', { key: handoff.adminKey, body: { currency: 'GBP', line_items: LINES, merchant_id: shopId } }, 201);
    expect(await rest('POST', '', { key: handoff.adminKey, body: { currency: 'GBP', line_items: LINES } })).toMatchObject({
      status: 400,
      body: { code: 'BAD_USER_INPUT', field: 'merchant_id' },
    });
    const changed = await ok('POST', `/${created.checkout_id}/shipping-address`, { key: handoff.adminKey, body: GB });
    expect(changed.version).toBe(created.version + 1);
    expect((await ok('GET', `/${created.checkout_id}`)).version).toBe(created.version + 1);
  });
});

describe('Idempotency-Key', () => {
  it('a replayed request answers the same body and writes once: create, promotion apply and remove, calculate (two at once), cancel', async () => {
    const create = { currency: 'GBP', line_items: LINES, metadata: { try: '1' } };
    const first = await rest('POST', '', { body: create, headers: { 'idempotency-key': 'rest-create-1' } });
    const again = await rest('POST', '', { body: create, headers: { 'idempotency-key': 'rest-create-1' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const reused = await rest('POST', '', { body: { ...create, metadata: { try: '2' } }, headers: { 'idempotency-key': 'rest-create-1' } });
    expect(reused).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });

    const id = first.body.checkout_id;
    await ok('POST', `/${id}/shipping-address`, { body: GB });
    await ok('POST', `/${id}/select-shipping`, { body: { shipping_option_id: 'express' } });
    const v = await versionOf(id);

    const promo = async () => rest('POST', `/${id}/promotions`, { body: { code: 'POUND' }, headers: { 'idempotency-key': 'rest-promo-1' } });
    const p1 = await promo();
    const p2 = await promo();
    expect(p1.status).toBe(200);
    expect(p2.body).toEqual(p1.body);
    expect(p1.body.version).toBe(v + 1);

    // Two at once with one key: one calculation, one answer.
    const calculate = () => rest('POST', `/${id}/calculate`, { body: {}, headers: { 'idempotency-key': 'rest-calc-1' } });
    const [c1, c2] = await Promise.all([calculate(), calculate()]);
    expect([c1.status, c2.status]).toEqual([200, 200]);
    expect(c2.body).toEqual(c1.body);
    const c3 = await calculate();
    expect(c3.body).toEqual(c1.body);
    expect(c1.body.version).toBe(v + 2);
    expect(await versionOf(id)).toBe(v + 2);
    // A new key calculates anew.
    const fresh = await ok('POST', `/${id}/calculate`, { body: {}, headers: { 'idempotency-key': 'rest-calc-2' } });
    expect(fresh.calculation_id).not.toBe(c1.body.calculation_id);

    const removeTwice = [
      await rest('DELETE', `/${id}/promotions/POUND`, { headers: { 'idempotency-key': 'rest-unpromo-1' } }),
      await rest('DELETE', `/${id}/promotions/POUND`, { headers: { 'idempotency-key': 'rest-unpromo-1' } }),
    ];
    expect(removeTwice.map((r) => r.status)).toEqual([200, 200]);
    expect(removeTwice[1]!.body).toEqual(removeTwice[0]!.body);

    const cancelTwice = [
      await rest('DELETE', `/${id}`, { headers: { 'idempotency-key': 'rest-cancel-1' } }),
      await rest('DELETE', `/${id}`, { headers: { 'idempotency-key': 'rest-cancel-1' } }),
    ];
    expect(cancelTwice.map((r) => r.status)).toEqual([200, 200]);
    expect(cancelTwice[1]!.body).toEqual(cancelTwice[0]!.body);
    expect(cancelTwice[0]!.body.status).toBe('canceled');
  });

  it('keys belong to the caller: another merchant with the same key gets its own answer', async () => {
    const a = await ok('POST', '', { body: { currency: 'GBP', line_items: LINES }, headers: { 'idempotency-key': 'shared-key' } }, 201);
    const b = await ok('POST', '', { key: keys.rival, body: { currency: 'GBP', line_items: LINES }, headers: { 'idempotency-key': 'shared-key' } }, 201);
    expect(b.checkout_id).not.toBe(a.checkout_id);
  });
});
