// The hosted checkout page prices the order as the buyer fills it in (issue 18, item 8), in
// Chromium: a merchant with GB shipping (standard £3.99, free from £50; next day £8.99), 20 % GB
// VAT on top and the code SAVE10 (10 % off). The buyer sees the lines, meets an invalid code, applies
// SAVE10, gives a GB address, sees the delivery options, picks next day, and pays the calculation's
// grand total with the sandbox's 4242 — the Pay button disabled until a delivery option is chosen.
// Then the page's JSON API for these changes: bad input named by field, nothing written; a code
// refused in words; paying refused while something blocks it; a required billing address.
// Screenshots go to test/artifacts/hosted-page/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { launchBrowser, type Browser } from '../support/browser.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/hosted-page/', import.meta.url));
const SHOP = 'https://shop.example';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_SHIPPING = `mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url } }`;
const SESSION = `query($id: ID!) {
  checkoutSession(id: $id) {
    status version promotionCodes shippingAddress { country } selectedShipping { id }
    calculation { totals { grandTotal { amountMinor amount } } }
    paymentIntent { status amount { amountMinor } }
  }
}`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

describe('hosted page: the calculation, promotion codes and delivery, in Chromium', () => {
  let handoff: RunningHandoff;
  let merchant: GqlClient;
  let browser: Browser;
  const problems: string[] = [];

  async function newSession(extra: Record<string, unknown> = {}): Promise<{ id: string; url: string; secret: string }> {
    const input = {
      lineItems: [
        { name: 'Waterproof jacket', unitAmount: gbp(4500), quantity: 1 },
        { name: 'Wool socks', unitAmount: gbp(650), quantity: 2 },
      ],
      successUrl: `${SHOP}/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${SHOP}/cart`,
      ...extra,
    };
    const s = (await merchant.ok(CREATE_SESSION, { input })).createCheckoutSession;
    return { id: s.id, url: s.url, secret: new URL(s.url).searchParams.get('cs')! };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** The summary's footer as [label, amount] rows. */
  const totals = (page: Page) =>
    page.locator('#summary-totals tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent?.trim() ?? '')));

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    handoff = await startTestHandoff();
    const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const input = { name: 'Fell & Field', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } };
    const m = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant;
    await admin.ok(CONNECT, { id: m.id });
    merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: m.id } })).createApiKey.key);
    await admin.ok(SET_SHIPPING, {
      m: m.id,
      input: {
        zones: [
          {
            id: 'gb', name: 'United Kingdom', countries: ['GB'],
            rates: [
              { id: 'standard', label: 'Standard delivery', amount: gbp(399), freeOver: gbp(5000), carrier: 'Royal Mail', minDays: 2, maxDays: 4 },
              { id: 'express', label: 'Next day', amount: gbp(899), carrier: 'DPD', minDays: 1, maxDays: 1 },
            ],
          },
        ],
        pickupLocations: [],
      },
    });
    await admin.ok(SET_TAX, { m: m.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
    await admin.ok(CREATE_PROMOTION, { input: { merchantId: m.id, name: 'Ten off', code: 'SAVE10', percentOffBasisPoints: 1000 } });
    browser = await launchBrowser(SHOP);
  });

  afterAll(async () => {
    await browser?.close();
    await handoff?.stop();
  });

  it('the buyer applies a code, gives an address, picks next day and pays the grand total', async () => {
    const s = await newSession();
    const page = await browser.context.newPage();
    page.on('console', (m) => {
      // Chromium logs every 4xx fetch: the refused code (422) is an expected answer.
      if (m.type() === 'error' && !/status of 422 /.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(s.url);

    // The lines, their subtotal (no tax until there is an address), and why paying must wait.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Pay Fell & Field');
    expect(await page.locator('#summary-lines th.item bdi').allTextContents()).toEqual(['Waterproof jacket', 'Wool socks']);
    expect(await page.locator('#amount-due').textContent()).toBe('£58.00');
    const pay = page.locator('#pay-button');
    expect(await pay.isDisabled()).toBe(true);
    expect(await page.locator('#blocker-list li').allTextContents()).toContain('Choose a shipping option or a pickup location.');
    await shot(page, '30-calculation-opened');

    // An invalid code: a plain message by the field, nothing applied.
    await page.getByText('Add a promotion code').click();
    await page.getByLabel('Promotion code').fill('NOPE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('#promotion-code-error').textContent()).toBe('NOPE is not a valid code.');
    expect(await page.getByLabel('Promotion code').getAttribute('aria-invalid')).toBe('true');
    await shot(page, '31-invalid-code');

    // SAVE10: 10 % of £58.00 = £5.80 off; £52.20.
    await page.getByLabel('Promotion code').fill('save10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('#amount-due').textContent()).toBe('£52.20');
    expect(await totals(page)).toEqual([['Subtotal', '£58.00'], ['Discount (SAVE10)', '−£5.80'], ['Total', '£52.20']]);
    expect(await page.locator('#promotion-codes .code').allTextContents()).toEqual(['SAVE10']);
    expect(await page.locator('#promotion-code-error').textContent()).toBe('');
    expect(await page.locator('#totals-live').textContent()).toContain('Total £52.20');

    // A GB address: VAT at 20 % (jacket 40.50 → 8.10, socks 11.70 → 2.34), and the delivery options.
    const delivery = page.locator('#delivery');
    await delivery.getByLabel('Full name').fill('Ada Buyer');
    await delivery.getByLabel('Address line 1').fill('10 Downing Street');
    await delivery.getByLabel('Town or city').fill('London');
    await delivery.getByLabel('Postal code').fill('SW1A 2AA');
    await delivery.getByLabel('Country').selectOption('GB');
    await delivery.getByRole('button', { name: 'Save address' }).click();
    const standard = page.getByRole('radio', { name: /Standard delivery/ });
    const express = page.getByRole('radio', { name: /Next day/ });
    await express.waitFor();
    // £52.20 after the discount is over £50: standard delivery is free.
    expect(await page.locator('#shipping-choice-list .choice').evaluateAll((cs) => cs.map((c) => c.querySelector('.choice-label')!.textContent + ' ' + c.querySelector('.choice-price')!.textContent))).toEqual([
      'Standard delivery Free',
      'Next day £8.99',
    ]);
    expect(await page.locator('#shipping-choice-list .choice-detail').first().textContent()).toMatch(/^Royal Mail · 2–4 business days/);
    expect(await standard.isChecked()).toBe(false);
    await expect.poll(() => page.locator('#amount-due').textContent()).toBe('£62.64');
    expect(await totals(page)).toEqual([['Subtotal', '£58.00'], ['Discount (SAVE10)', '−£5.80'], ['VAT', '£10.44'], ['Total', '£62.64']]);
    expect(await pay.isDisabled()).toBe(true);
    expect(await page.locator('#blocker-list li').allTextContents()).toEqual(['Choose a shipping option or a pickup location.']);
    await shot(page, '32-address-and-options');

    // Next day: £8.99 and its VAT (1.798 → £1.80): 52.20 + 10.44 + 1.80 + 8.99 = £73.43.
    await express.check();
    await expect.poll(() => page.locator('#amount-due').textContent()).toBe('£73.43');
    expect(await totals(page)).toEqual([
      ['Subtotal', '£58.00'], ['Discount (SAVE10)', '−£5.80'], ['Shipping (Next day)', '£8.99'], ['VAT', '£12.24'], ['Total', '£73.43'],
    ]);
    await expect.poll(() => pay.isEnabled()).toBe(true);
    expect(await pay.textContent()).toBe('Pay £73.43');
    expect(await page.locator('#blockers').isHidden()).toBe(true);
    expect(await express.isChecked()).toBe(true);

    // The page shows the GraphQL calculation's grand total, and pays exactly it.
    const calculated = (await merchant.ok(SESSION, { id: s.id })).checkoutSession;
    expect(calculated).toMatchObject({ promotionCodes: ['SAVE10'], shippingAddress: { country: 'GB' }, selectedShipping: { id: 'express' } });
    expect(calculated.calculation.totals.grandTotal).toEqual({ amountMinor: 7343, amount: '73.43' });
    expect(await page.locator('#amount-due').textContent()).toBe(`£${calculated.calculation.totals.grandTotal.amount}`);
    await shot(page, '33-next-day-chosen');

    await page.getByLabel('Name on card').fill('Ada Buyer');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry date (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
    await page.getByLabel('Security code (CVC)').fill('123');
    await pay.click();
    await page.waitForURL(`${SHOP}/thanks?session_id=${s.id}`, { timeout: 20_000 });
    await expect.poll(async () => (await merchant.ok(SESSION, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
    const done = (await merchant.ok(SESSION, { id: s.id })).checkoutSession;
    expect(done.paymentIntent).toEqual({ status: 'SUCCEEDED', amount: { amountMinor: 7343 } });
    expect(done.paymentIntent.amount.amountMinor).toBe(done.calculation.totals.grandTotal.amountMinor);
    await page.close();
  });

  it("the page's JSON API: bad input named by field and nothing written, codes refused in words, paying refused while blocked", async () => {
    const s = await newSession({ requireBillingAddress: true });
    const call = async (method: string, path: string, body?: unknown, secret = s.secret) => {
      const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const versionOf = async () => (await merchant.ok(SESSION, { id: s.id })).checkoutSession.version as number;
    const address = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postal_code: 'SW1A 2AA', country: 'GB' };
    const v0 = await versionOf();

    const refusals: Array<[string, string, unknown, number, Record<string, unknown>]> = [
      ['POST', '/promotion-codes', {}, 400, { code: 'BAD_USER_INPUT', field: 'code' }],
      ['POST', '/promotion-codes', { code: 'NOPE' }, 422, { code: 'PROMOTION_INVALID', reason: 'promotion:unknown', error: 'NOPE is not a valid code.' }],
      ['POST', '/promotion-codes', { code: 'bad code!' }, 400, { code: 'BAD_USER_INPUT', field: 'code' }],
      ['POST', '/promotion-codes', { code: 'SAVE10', amount: 1 }, 400, { code: 'BAD_USER_INPUT', field: 'amount' }],
      ['DELETE', '/promotion-codes/SAVE10', undefined, 400, { code: 'BAD_USER_INPUT', field: 'code', error: 'The code SAVE10 is not applied to this checkout.' }],
      ['POST', '/shipping-address', { ...address, postal_code: 'ABC 123' }, 400, { field: 'postal_code', error: 'Enter a valid postal code for United Kingdom.' }],
      ['POST', '/shipping-address', { ...address, country: 'XX' }, 400, { field: 'country', error: 'Choose a country.' }],
      ['POST', '/shipping-address', { ...address, city: '' }, 400, { field: 'city' }],
      ['POST', '/shipping-address', { ...address, line1: 42 }, 400, { field: 'line1' }],
      ['POST', '/shipping-address', '{"line1":', 400, { code: 'BAD_USER_INPUT' }],
      ['POST', '/shipping', { shipping_option_id: 'express' }, 400, { code: 'BAD_USER_INPUT', field: 'shipping_option_id' }],
      ['POST', '/shipping', { shipping_option_id: 'express', pickup_location_id: 'soho' }, 400, { field: 'body' }],
    ];
    for (const [method, path, body, status, expected] of refusals) {
      const r = await call(method, path, body);
      expect([r.status, r.body], `${method} ${path} ${JSON.stringify(body)}`).toEqual([status, expect.objectContaining(expected)]);
      expect(JSON.stringify(r.body)).not.toMatch(/graphql|extensions|stack|    at /i);
    }
    expect(await call('POST', '/promotion-codes', { code: 'SAVE10' }, 'cs_wrong')).toMatchObject({ status: 404, body: { code: 'CHECKOUT_SESSION_NOT_FOUND' } });
    expect(await versionOf()).toBe(v0);

    // Each change answers the view, recalculated; paying waits for a delivery choice and the billing address.
    const coded = await call('POST', '/promotion-codes', { code: 'save10' });
    expect(coded.status).toBe(200);
    expect(coded.body).toMatchObject({ promotion_codes: ['SAVE10'], amount_due: { amount_minor: 5220 }, pricing: { discounts: [{ code: 'SAVE10', amount: { amount_minor: 580 } }] } });
    const addressed = await call('POST', '/shipping-address', address);
    expect(addressed.body.shipping_options.map((o: { id: string; price_display: string }) => [o.id, o.price_display])).toEqual([['standard', 'Free'], ['express', '£8.99']]);
    const picked = await call('POST', '/shipping', { shipping_option_id: 'standard' });
    expect(picked.body).toMatchObject({ amount_due: { amount_minor: 6264 }, selected_shipping: { kind: 'shipping', id: 'standard' } });
    expect(picked.body.blockers).toEqual([{ code: 'billing_address_required', message: 'Enter your billing address.' }]);
    const blocked = await call('POST', '/pay', { testCard: '4242424242424242' });
    expect(blocked).toMatchObject({ status: 409, body: { code: 'INVALID_STATE_TRANSITION', reason: 'checkout_session:blocked', blockers: [{ code: 'billing_address_required' }] } });
    expect((await merchant.ok(SESSION, { id: s.id })).checkoutSession.paymentIntent.status).toBe('REQUIRES_PAYMENT_METHOD');
    const billed = await call('POST', '/billing-address', { ...address, name: 'Accounts' });
    expect(billed.body).toMatchObject({ blockers: [], billing_address: { name: 'Accounts', postal_code: 'SW1A 2AA', country: 'GB' } });
    const paid = await call('POST', '/pay', { testCard: '4242424242424242' });
    expect(paid).toMatchObject({ status: 200, body: { payment: { status: 'succeeded', amount: { amount_minor: 6264 } } } });
    // Paid: nothing can change any more.
    const late = await call('POST', '/promotion-codes', { code: 'SAVE10' });
    expect(late).toMatchObject({ status: 409, body: { code: 'INVALID_STATE_TRANSITION' } });
  });

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
