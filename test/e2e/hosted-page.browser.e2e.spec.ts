// The hosted checkout page driven in a real browser: Debian's Chromium (/usr/bin/chromium)
// through playwright-core. A buyer pays with 4242, meets a decline, goes through 3-D Secure and
// waits out a processing payment, each ending on the merchant's success URL (served by route
// interception: no network here). Screenshots of every step go to test/artifacts/hosted-page/.
// Without Chromium the suite fails (test/support/browser.ts), locally as in CI.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
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
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url } }`;
const SESSION_STATUS = `query($id: ID!) { checkoutSession(id: $id) { status paymentIntent { status } } }`;

describe('hosted page in Chromium', () => {
  let handoff: RunningHandoff;
  let merchant: GqlClient;
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];

  async function newSession(): Promise<{ id: string; url: string }> {
    const input = {
      lineItems: [
        { name: '30GB Rolling Monthly', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 },
        { name: 'SIM card', unitAmount: { amountMinor: 250, currency: 'GBP' }, quantity: 2 },
      ],
      successUrl: `${SHOP}/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${SHOP}/cart`,
    };
    return (await merchant.ok(CREATE_SESSION, { input })).createCheckoutSession;
  }

  async function openPage(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      // Chromium logs every 4xx fetch; declines (402) and refused steps (409) are expected answers.
      if (m.type() === 'error' && !/status of 40[29] /.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(url);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function fillCard(page: Page, number: string) {
    await page.getByLabel('Name on card').fill('Ada Buyer');
    await page.getByLabel('Card number').fill(number);
    await page.getByLabel('Expiry date (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
    await page.getByLabel('Security code (CVC)').fill('123');
  }

  const successUrl = (id: string) => `${SHOP}/thanks?session_id=${id}`;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    handoff = await startTestHandoff();
    const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const input = { name: 'SMARTY', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } } };
    const m = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant;
    await admin.ok(CONNECT, { id: m.id });
    merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: m.id } })).createApiKey.key);

    browser = await launchBrowser(SHOP);
    context = browser.context;
  });

  afterAll(async () => {
    await browser?.close();
    await handoff?.stop();
  });

  it('pays with 4242 and lands on the success URL with the session id', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Pay SMARTY');
    expect(await page.locator('#amount-due').textContent()).toBe('£15.00');
    expect(await page.getByRole('button', { name: 'Pay £15.00' }).isEnabled()).toBe(true);
    await shot(page, '01-checkout-page');
    await fillCard(page, '4242 4242 4242 4242');
    await shot(page, '02-card-filled');
    await page.getByRole('button', { name: 'Pay £15.00' }).click();
    await page.waitForURL(successUrl(s.id), { timeout: 15_000 });
    await shot(page, '03-success-url');
    const status = (await merchant.ok(SESSION_STATUS, { id: s.id })).checkoutSession;
    expect(status.paymentIntent.status).toBe('SUCCEEDED');
    await page.close();
  });

  it('shows a decline plainly and lets the buyer try another card', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    await fillCard(page, '4000 0000 0000 9995');
    await page.getByRole('button', { name: /^Pay / }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/insufficient funds/i);
    await shot(page, '04-declined-insufficient-funds');
    await page.getByLabel('Card number').fill('4000000000000002');
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => alert.textContent()).toMatch(/^Your card was declined\. Try another card/);
    await shot(page, '05-declined-generic');
    await page.getByLabel('Card number').fill('4242424242424242');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(successUrl(s.id), { timeout: 15_000 });
    await page.close();
  });

  it('rejects an invalid card number in the form, naming the field', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    await fillCard(page, '4242 4242 4242 4241');
    await page.getByRole('button', { name: /^Pay / }).click();
    expect(await page.locator('#card-number-error').textContent()).toBe('Enter a valid card number.');
    expect(await page.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');
    await shot(page, '06-invalid-card-number');
    await page.close();
  });

  it('goes through 3-D Secure: the challenge, approve, then the success URL', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    await fillCard(page, '4000 0027 6000 3184');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    expect(await page.locator('#pay-form').isHidden()).toBe(true);
    await shot(page, '07-three-d-secure-challenge');
    await page.getByRole('button', { name: 'Approve payment' }).click();
    await page.waitForURL(successUrl(s.id), { timeout: 15_000 });
    await shot(page, '08-three-d-secure-success-url');
    await page.close();
  });

  it('a failed 3-D Secure check shows why and returns to the card form', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    await fillCard(page, '4000002760003184');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByRole('button', { name: 'Fail authentication' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/3-D Secure authentication failed/);
    expect(await page.locator('#pay-form').isVisible()).toBe(true);
    await shot(page, '09-three-d-secure-failed');
    await page.close();
  });

  it('follows a processing payment live over graphql-ws and then goes to the success URL', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    // The page's live channel: a graphql-ws socket on its own origin carrying the payment's updates.
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      if (ws.url().endsWith('/graphql')) ws.on('framereceived', (f) => frames.push(String(f.payload)));
    });
    await fillCard(page, '4000000000000077');
    await page.getByRole('button', { name: /^Pay / }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/processing/i);
    await shot(page, '10-processing');
    await page.waitForURL(successUrl(s.id), { timeout: 30_000 });
    expect(frames.some((f) => f.includes('"type":"connection_ack"'))).toBe(true);
    expect(frames.some((f) => f.includes('"type":"next"') && f.includes('SUCCEEDED'))).toBe(true);
    await page.close();
  });

  it('the cancel link goes to the cancel URL; a paid session says so when reopened', async () => {
    const s = await newSession();
    const page = await openPage(s.url);
    await page.getByRole('link', { name: 'Cancel and return to SMARTY' }).click();
    await page.waitForURL(`${SHOP}/cart`);
    await page.goto(s.url);
    await fillCard(page, '4242424242424242');
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.waitForURL(successUrl(s.id), { timeout: 15_000 });
    await page.goto(s.url);
    await page.getByRole('heading', { name: 'This checkout is already paid' }).waitFor();
    await shot(page, '11-already-paid');
    await page.close();
  });

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
