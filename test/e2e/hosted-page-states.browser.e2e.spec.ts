// The hosted checkout page's states as a buyer (or a merchant testing) sees them, in Chromium
// (issue 16, item 13): a sandbox session wears a "Test mode" badge and lists the sandbox PSP's own
// test cards (the sandbox's public list, @handoff/psp-sandbox/test-cards, through the graph); a paid page says
// "Paid" with the amount, never "Total due"; a refunded one says refunded, or partially refunded
// with how much. Each state is checked on the rendered page (and in the public JSON view), with a
// screenshot in test/artifacts/hosted-page/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { SANDBOX_TEST_CARDS } from '@handoff/psp-sandbox/test-cards';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { launchBrowser, type Browser } from '../support/browser.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/hosted-page/', import.meta.url));
const SHOP = 'https://shop.example';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url paymentIntent { id } } }`;
const REFUND = `mutation($id: ID!, $amount: SafeInt) { refundPaymentIntent(id: $id, amountMinor: $amount) { id status } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { provider amountRefunded { amountMinor } sandboxTestCards { number behaviour outcome } } }`;

interface Session {
  id: string;
  url: string;
  intentId: string;
  secret: string;
}

describe('hosted page states in Chromium: test mode, paid, refunded', () => {
  let handoff: RunningHandoff;
  let merchant: GqlClient;
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];

  async function newSession(): Promise<Session> {
    const input = {
      lineItems: [
        { name: '30GB Rolling Monthly', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 },
        { name: 'SIM card', unitAmount: { amountMinor: 250, currency: 'GBP' }, quantity: 2 },
      ],
      successUrl: `${SHOP}/thanks?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${SHOP}/cart`,
    };
    const s = (await merchant.ok(CREATE_SESSION, { input })).createCheckoutSession;
    return { id: s.id, url: s.url, intentId: s.paymentIntent.id, secret: new URL(s.url).searchParams.get('cs')! };
  }

  async function view(s: Session): Promise<Record<string, any>> {
    const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}`, { headers: { authorization: `Bearer ${s.secret}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, any>;
  }

  /** Paid through the page's own API with the sandbox's 4242, then complete. */
  async function paid(s: Session): Promise<void> {
    const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ testCard: '4242424242424242' }),
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await view(s)).status, { timeout: 15_000 }).toBe('complete');
  }

  async function refund(s: Session, amountMinor: number, refundedTotal: number): Promise<void> {
    await merchant.ok(REFUND, { id: s.intentId, amount: amountMinor });
    await expect.poll(async () => (await view(s)).payment.amount_refunded.amount_minor, { timeout: 15_000 }).toBe(refundedTotal);
  }

  async function openPage(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(url);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const text = (page: Page) => page.locator('body').innerText();

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

  it("a sandbox session shows a visible Test mode badge and the sandbox PSP's own test cards", async () => {
    const s = await newSession();
    // The graph hands out the sandbox's list itself (@handoff/psp-sandbox/test-cards).
    const intent = (await merchant.ok(INTENT, { id: s.intentId })).paymentIntent;
    expect(intent.provider).toBe('TEST');
    expect(intent.sandboxTestCards).toEqual(SANDBOX_TEST_CARDS.map((c) => ({ ...c })));
    const json = await view(s);
    expect(json.test_mode).toBe(true);
    expect(json.test_cards).toEqual(SANDBOX_TEST_CARDS.map((c) => ({ number: c.number, outcome: c.outcome })));

    const page = await openPage(s.url);
    const badge = page.locator('#test-mode-badge');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.innerText()).toMatch(/^test mode$/i);
    const panel = page.getByRole('region', { name: 'Test cards' });
    expect(await panel.isVisible()).toBe(true);
    const rows = await panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(SANDBOX_TEST_CARDS.map((c) => [c.number.replace(/(\d{4})(?=\d)/g, '$1 '), c.outcome]));
    expect(rows.map((r) => r[0])).toContain('4242 4242 4242 4242');
    expect(await page.locator('#amount-label').innerText()).toBe('Total due');
    await shot(page, '20-test-mode-badge-and-cards');

    // Paying with a listed card takes the page out of the form: the cards go with it, the amount is paid.
    await page.getByLabel('Name on card').fill('Ada Buyer');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry date (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByRole('button', { name: 'Pay £15.00' }).click();
    await page.waitForURL(`${SHOP}/thanks?session_id=${s.id}`, { timeout: 15_000 });
    await page.close();
  });

  it('a paid page says Paid with the amount, not Total due', async () => {
    const s = await newSession();
    await paid(s);
    const page = await openPage(s.url);
    expect(await page.locator('#amount-label').innerText()).toBe('Paid');
    expect(await page.locator('#amount-due').innerText()).toBe('£15.00');
    const body = await text(page);
    expect(body).not.toContain('Total due');
    expect(body).toContain('This checkout is already paid');
    expect(await page.locator('#pay-form').count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Test cards' }).count()).toBe(0);
    expect(await page.locator('#test-mode-badge').isVisible()).toBe(true);
    await shot(page, '21-paid');
    await page.close();
  });

  it('a refunded page says partially refunded with how much, then refunded once all went back', async () => {
    const s = await newSession();
    await paid(s);
    await refund(s, 500, 500);
    let page = await openPage(s.url);
    expect(await page.locator('#amount-label').innerText()).toBe('Partially refunded');
    expect(await page.locator('#amount-due').innerText()).toBe('£5.00');
    expect(await page.locator('#amount-detail').innerText()).toBe('£5.00 of £15.00 refunded.');
    expect(await page.getByRole('heading', { name: 'This payment was partially refunded' }).isVisible()).toBe(true);
    let body = await text(page);
    expect(body).not.toContain('Total due');
    expect(body).not.toContain('already paid');
    await shot(page, '22-partially-refunded');
    await page.close();

    await refund(s, 1000, 1500);
    page = await openPage(s.url);
    expect(await page.locator('#amount-label').innerText()).toBe('Refunded');
    expect(await page.locator('#amount-due').innerText()).toBe('£15.00');
    expect(await page.getByRole('heading', { name: 'This payment was refunded' }).isVisible()).toBe(true);
    body = await text(page);
    expect(body).not.toContain('Total due');
    expect(body).not.toMatch(/partially/i);
    await shot(page, '23-refunded');
    await page.close();
  });

  it('ran without script errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
