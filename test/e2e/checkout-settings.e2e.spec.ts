// Seed 003 §17 through the gateway (issue 19 item 7): a merchant's checkout settings,
// capabilities and transaction limits over REST and GraphQL, and what they do to payments —
// the default capture mode of a new session, the max payment attempts, the payment methods
// allowed per country (payment_method_not_supported), the limits per payment, per day and per
// customer email per hour (TRANSACTION_LIMIT_EXCEEDED, nothing written), and the branding the
// hosted page shows (display name, accent colour through a stylesheet of its own, the CSP strict).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id version url captureMode paymentIntentId } }`;
const READ = `query($id: ID!) { checkoutSession(id: $id) { id version status lifecycleStatus failures { reason } } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { id status captureMode amount { amountMinor } } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;
const BILLING_DOC = `mutation($id: ID!, $country: String!, $postalCode: String!) { setCheckoutBillingAddress(id: $id, address: { name: "Ada Buyer", line1: "1 Main Street", city: "Town", postalCode: $postalCode, country: $country }) { version } }`;
const POSTCODES: Record<string, string> = { GB: 'SW1A 2AA', FR: '75001' };
const CALCULATE = `mutation($id: ID!) { calculateCheckout(id: $id) { calculation { blockers { code } } } }`;
const SETTINGS = `query($m: ID) { checkoutSettings(merchantId: $m) { defaultCaptureMode maxPaymentAttempts reservationTtlDefaultSeconds reservationTtlMaxSeconds
  allowedPaymentMethods { country methods } branding { displayName accentColor logoUrl } } }`;
const SET_CAPABILITIES = `mutation($m: ID!, $input: MerchantCapabilitiesInput!) { setMerchantCapabilities(merchantId: $m, input: $input) { installments giftCards threeDSecure } }`;
const LIMITS = `query($m: ID) { transactionLimits(merchantId: $m) { maxAmountPerPayment { amountMinor currency } maxAmountPerDay { amountMinor } maxPaymentsPerEmailPerHour } }`;

const GOOD = '4242424242424242';
const DECLINED = '4000000000000002';
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;

interface Shop {
  id: string;
  key: string;
  client: GqlClient;
}

async function newShop(name: string): Promise<Shop> {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, client: admin.as(key) };
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

async function rest(method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

async function ok(method: string, path: string, key: string, body?: unknown): Promise<any> {
  const r = await rest(method, path, key, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

/** A refused confirmation: its code and reason, and the blockers when it has them. */
async function refusal(client: GqlClient, intentId: string, card = GOOD) {
  const r = await client.request(CONFIRM, { id: intentId, card });
  expect(r.errors?.length, JSON.stringify(r.data)).toBeGreaterThan(0);
  const e = r.errors![0]!;
  return { code: e.extensions?.code, reason: e.extensions?.reason, blockers: e.extensions?.blockers as Array<{ code: string }> | undefined };
}

const session = (client: GqlClient, amountMinor: number, extra: Record<string, unknown> = {}) =>
  client.ok(CREATE, { input: { lineItems: [{ name: 'Teapot', unitAmount: gbp(amountMinor), quantity: 1 }], ...extra } }).then((d) => d.createCheckoutSession);

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('settings, capabilities and limits: REST and GraphQL', () => {
  let shop: Shop;
  let rival: Shop;
  beforeAll(async () => {
    shop = await newShop('Settings Shop Ltd');
    rival = await newShop('Settings Rival Ltd');
  });

  it('settings start at the defaults, change field by field, read back the same in REST and GraphQL, and null resets a field', async () => {
    expect(await ok('GET', '/v1/checkout/settings', shop.key)).toEqual({
      object: 'checkout_settings',
      merchant_id: shop.id,
      default_capture_mode: 'auto',
      max_payment_attempts: null,
      hold_ttls: { reservation_default_seconds: 900, reservation_max_seconds: 3600 },
      allowed_payment_methods: {},
      hosted_page: { display_name: null, accent_color: null, logo_url: null },
      updated_at: null,
    });
    const changed = await ok('PATCH', '/v1/checkout/settings', shop.key, {
      default_capture_mode: 'manual',
      max_payment_attempts: 3,
      hold_ttls: { reservation_default_seconds: 600, reservation_max_seconds: 1800 },
      allowed_payment_methods: { gb: ['CARD', 'paypal'], '*': ['card'] },
      hosted_page: { display_name: 'Teapots & Co', accent_color: '#FF8800', logo_url: 'https://cdn.example.com/logo.png' },
    });
    const expected = {
      object: 'checkout_settings',
      merchant_id: shop.id,
      default_capture_mode: 'manual',
      max_payment_attempts: 3,
      hold_ttls: { reservation_default_seconds: 600, reservation_max_seconds: 1800 },
      allowed_payment_methods: { GB: ['card', 'paypal'], '*': ['card'] },
      hosted_page: { display_name: 'Teapots & Co', accent_color: '#ff8800', logo_url: 'https://cdn.example.com/logo.png' },
    };
    expect(changed).toMatchObject(expected);
    expect(Date.parse(changed.updated_at)).not.toBeNaN();
    expect(await ok('GET', '/v1/checkout/settings', shop.key)).toEqual(changed);
    expect((await shop.client.ok(SETTINGS, {})).checkoutSettings).toEqual({
      defaultCaptureMode: 'MANUAL',
      maxPaymentAttempts: 3,
      reservationTtlDefaultSeconds: 600,
      reservationTtlMaxSeconds: 1800,
      allowedPaymentMethods: [{ country: 'GB', methods: ['card', 'paypal'] }, { country: '*', methods: ['card'] }],
      branding: { displayName: 'Teapots & Co', accentColor: '#ff8800', logoUrl: 'https://cdn.example.com/logo.png' },
    });
    // Only what is given changes; null goes back to the default.
    const partly = await ok('PATCH', '/v1/checkout/settings', shop.key, { max_payment_attempts: null, hosted_page: { logo_url: null } });
    expect(partly).toMatchObject({ ...expected, max_payment_attempts: null, hosted_page: { ...expected.hosted_page, logo_url: null } });
    const reset = await ok('PATCH', '/v1/checkout/settings', shop.key, { default_capture_mode: null, allowed_payment_methods: null, hosted_page: null, hold_ttls: null });
    expect(reset).toMatchObject({
      default_capture_mode: 'auto', allowed_payment_methods: {}, hosted_page: { display_name: null, accent_color: null, logo_url: null },
      hold_ttls: { reservation_default_seconds: 900, reservation_max_seconds: 3600 },
    });
  });

  it('bad settings and limits are 400 BAD_USER_INPUT naming the field in the body\'s names, and write nothing', async () => {
    const before = await ok('GET', '/v1/checkout/settings', shop.key);
    const bad: Array<[unknown, string]> = [
      [{ default_capture_mode: 'later' }, 'default_capture_mode'],
      [{ max_payment_attempts: 0 }, 'max_payment_attempts'],
      [{ max_payment_attempts: '3' }, 'max_payment_attempts'],
      [{ hold_ttls: { reservation_default_seconds: 7200 } }, 'hold_ttls.reservation_default_seconds'],
      [{ hold_ttls: { reservation_max_seconds: 10 } }, 'hold_ttls.reservation_max_seconds'],
      [{ allowed_payment_methods: { XX: ['card'] } }, 'allowed_payment_methods.XX'],
      [{ allowed_payment_methods: { GB: ['cash'] } }, 'allowed_payment_methods.GB[0]'],
      [{ allowed_payment_methods: { GB: [] } }, 'allowed_payment_methods.GB'],
      [{ allowed_payment_methods: { GB: 'card' } }, 'allowed_payment_methods.GB'],
      [{ allowed_payment_methods: ['card'] }, 'allowed_payment_methods'],
      [{ hosted_page: { accent_color: 'red' } }, 'hosted_page.accent_color'],
      [{ hosted_page: { logo_url: 'http://cdn.example.com/logo.png' } }, 'hosted_page.logo_url'],
      [{ hosted_page: { display_name: '' } }, 'hosted_page.display_name'],
      [{ currency: 'GBP' }, 'currency'],
    ];
    for (const [body, field] of bad) {
      const r = await rest('PATCH', '/v1/checkout/settings', shop.key, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(r.body.error).not.toMatch(/GraphQL|\$input|Variable/);
    }
    expect(await ok('GET', '/v1/checkout/settings', shop.key)).toEqual(before);

    const limitsBefore = await ok('GET', '/v1/checkout/tx-limits', shop.key);
    const badLimits: Array<[unknown, string]> = [
      [{ max_amount_per_payment: { amount: 0, currency: 'GBP' } }, 'max_amount_per_payment.amount'],
      [{ max_amount_per_payment: { amount: 100, currency: 'EUR' } }, 'max_amount_per_payment.currency'],
      [{ max_amount_per_payment: { amount: 1.5, currency: 'GBP' } }, 'max_amount_per_payment.amount'],
      [{ max_amount_per_payment: { amount: 5000, currency: 'GBP' }, max_amount_per_day: { amount: 1000, currency: 'GBP' } }, 'max_amount_per_payment.amount'],
      [{ max_payments_per_email_per_hour: 0 }, 'max_payments_per_email_per_hour'],
    ];
    for (const [body, field] of badLimits) {
      const r = await rest('PATCH', '/v1/checkout/tx-limits', shop.key, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await ok('GET', '/v1/checkout/tx-limits', shop.key)).toEqual(limitsBefore);
  });

  it("a merchant key reads and changes only its own merchant's; an admin names the merchant", async () => {
    const other = await rest('GET', `/v1/checkout/settings?merchant_id=${rival.id}`, shop.key);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('MERCHANT_NOT_FOUND');
    const otherPatch = await rest('PATCH', `/v1/checkout/tx-limits?merchant_id=${rival.id}`, shop.key, { max_payments_per_email_per_hour: 1 });
    expect(otherPatch.status).toBe(404);
    expect((await ok('GET', '/v1/checkout/tx-limits', rival.key)).max_payments_per_email_per_hour).toBeNull();

    const noMerchant = await rest('PATCH', '/v1/checkout/settings', handoff.adminKey, { max_payment_attempts: 5 });
    expect(noMerchant.status).toBe(400);
    expect(noMerchant.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'merchant_id' });
    expect((await ok('PATCH', `/v1/checkout/settings?merchant_id=${rival.id}`, handoff.adminKey, { max_payment_attempts: 5 })).max_payment_attempts).toBe(5);
    expect((await ok('GET', '/v1/checkout/settings', rival.key)).max_payment_attempts).toBe(5);
    expect((await rest('GET', '/v1/checkout/settings', 'hk_nope')).status).toBe(401);
  });

  it('capabilities: the defaults, an admin sets them in GraphQL, the merchant reads them (and may not set them)', async () => {
    expect(await ok('GET', '/v1/checkout/capabilities', shop.key)).toMatchObject({
      object: 'checkout_capabilities', merchant_id: shop.id, '3ds': true, hosted_pages: true, split_payments: true, installments: false, gift_cards: false,
    });
    expect(await shop.client.errorCode(SET_CAPABILITIES, { m: shop.id, input: { installments: true } })).toBe('FORBIDDEN');
    expect((await admin.ok(SET_CAPABILITIES, { m: shop.id, input: { installments: true, threeDSecure: false } })).setMerchantCapabilities).toEqual({
      installments: true, giftCards: false, threeDSecure: false,
    });
    expect(await ok('GET', '/v1/checkout/capabilities', shop.key)).toMatchObject({ '3ds': false, installments: true, gift_cards: false });
    expect((await ok('GET', `/v1/checkout/capabilities?merchant_id=${shop.id}`, handoff.adminKey)).installments).toBe(true);
  });

  it('tx-limits round-trip in REST and GraphQL; null removes a limit', async () => {
    const set = await ok('PATCH', '/v1/checkout/tx-limits', shop.key, {
      max_amount_per_payment: { amount: 50000, currency: 'gbp' }, max_amount_per_day: { amount: 200000, currency: 'GBP' }, max_payments_per_email_per_hour: 4,
    });
    expect(set).toMatchObject({
      object: 'transaction_limits', merchant_id: shop.id,
      max_amount_per_payment: { amount: 50000, currency: 'GBP' }, max_amount_per_day: { amount: 200000, currency: 'GBP' }, max_payments_per_email_per_hour: 4,
    });
    expect((await shop.client.ok(LIMITS, {})).transactionLimits).toEqual({
      maxAmountPerPayment: { amountMinor: 50000, currency: 'GBP' }, maxAmountPerDay: { amountMinor: 200000 }, maxPaymentsPerEmailPerHour: 4,
    });
    expect(await ok('PATCH', '/v1/checkout/tx-limits', shop.key, { max_amount_per_day: null, max_payments_per_email_per_hour: null })).toMatchObject({
      max_amount_per_payment: { amount: 50000 }, max_amount_per_day: null, max_payments_per_email_per_hour: null,
    });
  });
});

describe('what the settings do to a payment', () => {
  it('a new session without a capture mode takes the default; one that gives its own keeps it', async () => {
    const shop = await newShop('Capture Shop Ltd');
    await ok('PATCH', '/v1/checkout/settings', shop.key, { default_capture_mode: 'manual' });
    const defaulted = await session(shop.client, 1500);
    expect(defaulted.captureMode).toBe('MANUAL');
    expect((await shop.client.ok(INTENT, { id: defaulted.paymentIntentId })).paymentIntent.captureMode).toBe('MANUAL');
    expect((await shop.client.ok(CONFIRM, { id: defaulted.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    const own = await session(shop.client, 1500, { captureMode: 'AUTOMATIC' });
    expect(own.captureMode).toBe('AUTOMATIC');
    expect((await shop.client.ok(CONFIRM, { id: own.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });

  it('max payment attempts: a further confirmation is PAYMENT_ATTEMPTS_EXCEEDED, even with a good card, and charges nothing', async () => {
    const shop = await newShop('Attempts Shop Ltd');
    await ok('PATCH', '/v1/checkout/settings', shop.key, { max_payment_attempts: 2 });
    const s = await session(shop.client, 2000);
    for (let i = 0; i < 2; i++) expect((await refusal(shop.client, s.paymentIntentId, DECLINED)).code).toBe('PAYMENT_DECLINED');
    expect(await refusal(shop.client, s.paymentIntentId, GOOD)).toMatchObject({ code: 'PAYMENT_ATTEMPTS_EXCEEDED', reason: 'payment_attempts:exceeded' });
    expect((await shop.client.ok(INTENT, { id: s.paymentIntentId })).paymentIntent.status).toBe('REQUIRES_PAYMENT_METHOD');
    // Another session has attempts of its own.
    const other = await session(shop.client, 2000);
    expect((await shop.client.ok(CONFIRM, { id: other.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });

  it('a card not allowed for the buyer\'s country is blocked (payment_method_not_supported), in the calculation and when paying', async () => {
    const shop = await newShop('Methods Shop Ltd');
    await ok('PATCH', '/v1/checkout/settings', shop.key, { allowed_payment_methods: { GB: ['paypal'], '*': ['card'] } });
    const s = await session(shop.client, 2500);
    await shop.client.ok(BILLING_DOC, { id: s.id, country: 'GB', postalCode: POSTCODES.GB });
    expect((await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation.blockers).toEqual([{ code: 'payment_method_not_supported' }]);
    const before = (await shop.client.ok(READ, { id: s.id })).checkoutSession;
    const refused = await refusal(shop.client, s.paymentIntentId);
    expect(refused.code).toBe('CHECKOUT_NOT_READY');
    expect(refused.blockers?.map((b) => b.code)).toEqual(['payment_method_not_supported']);
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession).toMatchObject({ version: before.version, status: 'OPEN' });
    // From France the card is taken: the billing address moves, the session recalculates and pays.
    await shop.client.ok(BILLING_DOC, { id: s.id, country: 'FR', postalCode: POSTCODES.FR });
    expect((await shop.client.ok(CALCULATE, { id: s.id })).calculateCheckout.calculation.blockers).toEqual([]);
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    // Changed after the calculation: the settings are checked again when paying.
    const t = await session(shop.client, 2500);
    await shop.client.ok(BILLING_DOC, { id: t.id, country: 'FR', postalCode: POSTCODES.FR });
    await shop.client.ok(CALCULATE, { id: t.id });
    await ok('PATCH', '/v1/checkout/settings', shop.key, { allowed_payment_methods: { FR: ['klarna'] } });
    expect((await refusal(shop.client, t.paymentIntentId)).blockers?.map((b) => b.code)).toEqual(['payment_method_not_supported']);
  });

  it('limits: one payment above its limit, the day\'s total and an email\'s hour are TRANSACTION_LIMIT_EXCEEDED, and nothing is written', async () => {
    const shop = await newShop('Limits Shop Ltd');
    await ok('PATCH', '/v1/checkout/tx-limits', shop.key, { max_amount_per_payment: { amount: 5000, currency: 'GBP' }, max_amount_per_day: { amount: 9000, currency: 'GBP' } });
    const big = await session(shop.client, 6000);
    const before = (await shop.client.ok(READ, { id: big.id })).checkoutSession;
    expect(await refusal(shop.client, big.paymentIntentId)).toMatchObject({ code: 'TRANSACTION_LIMIT_EXCEEDED', reason: 'limit:max_amount_per_payment' });
    const after = (await shop.client.ok(READ, { id: big.id })).checkoutSession;
    expect(after).toMatchObject({ version: before.version, status: 'OPEN', lifecycleStatus: before.lifecycleStatus, failures: [] });
    expect((await shop.client.ok(INTENT, { id: big.paymentIntentId })).paymentIntent).toMatchObject({ status: 'REQUIRES_PAYMENT_METHOD', amount: { amountMinor: 6000 } });
    // The day: 4000 + 4000 fit 9000; a third 4000 does not; a declined payment does not count.
    const first = await session(shop.client, 4000);
    expect((await shop.client.ok(CONFIRM, { id: first.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    const declined = await session(shop.client, 4000);
    expect((await refusal(shop.client, declined.paymentIntentId, DECLINED)).code).toBe('PAYMENT_DECLINED');
    await expect.poll(async () => (await shop.client.ok(READ, { id: declined.id })).checkoutSession.failures.length, { timeout: 15_000 }).toBe(1);
    const second = await session(shop.client, 4000);
    expect((await shop.client.ok(CONFIRM, { id: second.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    const third = await session(shop.client, 4000);
    expect(await refusal(shop.client, third.paymentIntentId)).toMatchObject({ code: 'TRANSACTION_LIMIT_EXCEEDED', reason: 'limit:max_amount_per_day' });
    expect((await shop.client.ok(INTENT, { id: third.paymentIntentId })).paymentIntent.status).toBe('REQUIRES_PAYMENT_METHOD');
    // Raised: the very next payment sees it.
    await ok('PATCH', '/v1/checkout/tx-limits', shop.key, { max_amount_per_day: { amount: 20000, currency: 'GBP' } });
    expect((await shop.client.ok(CONFIRM, { id: third.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });

  it('velocity: one customer email pays at most N times an hour (case-insensitive); another email is not held back', async () => {
    const shop = await newShop('Velocity Shop Ltd');
    await ok('PATCH', '/v1/checkout/tx-limits', shop.key, { max_payments_per_email_per_hour: 1 });
    const a = await session(shop.client, 1000, { customerEmail: 'ada@example.com' });
    expect((await shop.client.ok(CONFIRM, { id: a.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    const b = await session(shop.client, 1000, { customerEmail: 'ADA@example.com' });
    expect(await refusal(shop.client, b.paymentIntentId)).toMatchObject({ code: 'TRANSACTION_LIMIT_EXCEEDED', reason: 'limit:max_payments_per_email_per_hour' });
    const c = await session(shop.client, 1000, { customerEmail: 'grace@example.com' });
    expect((await shop.client.ok(CONFIRM, { id: c.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });
});

describe('hosted-page branding', () => {
  it('the page shows the display name and links the accent colour as a stylesheet of its own; the CSP stays strict', async () => {
    const shop = await newShop('Plain Name Ltd');
    await ok('PATCH', '/v1/checkout/settings', shop.key, { hosted_page: { display_name: 'Teapot Heaven', accent_color: '#1a73e8' } });
    const s = await session(shop.client, 1200);
    const page = await fetch(s.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Teapot Heaven');
    expect(html).not.toContain('Plain Name Ltd');
    expect(html).toContain('<link rel="stylesheet" href="/checkout/assets/accent-1a73e8.css">');
    expect(html).not.toMatch(/style="/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const css = await fetch(`${handoff.gatewayUrl}/checkout/assets/accent-1a73e8.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('--accent: #1a73e8;');
    // The public JSON view says the same.
    const secret = new URL(s.url).searchParams.get('cs')!;
    const view = (await (await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}`, { headers: { authorization: `Bearer ${secret}` } })).json()) as any;
    expect(view).toMatchObject({ merchant: { name: 'Teapot Heaven' }, branding: { accent_color: '#1a73e8' } });
    // Without branding: the merchant's name, Handoff's colours.
    await ok('PATCH', '/v1/checkout/settings', shop.key, { hosted_page: null });
    const plain = await (await fetch(s.url)).text();
    expect(plain).toContain('Plain Name Ltd');
    expect(plain).not.toContain('accent-');
  });
});
