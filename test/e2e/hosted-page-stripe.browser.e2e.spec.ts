// The hosted page of a merchant paid through Stripe, in Chromium (issue 20 item 6): the card is
// collected by Stripe.js's Payment Element under the merchant's publishable key, so the card
// number goes from the browser to Stripe only and Handoff's pay route gets a payment method id
// (PCI SAQ A). Stripe is a local stand-in (test/support/fake-stripe.ts): its Stripe.js is what the
// page loads (STRIPE_JS_URL; the page's CSP lets its origin in), its API is what payment-intent
// calls (STRIPE_API_URL). A card needing 3-D Secure goes to the bank's page at "Stripe" and comes
// back to the hosted page, which must open (the return URL carries the client secret) and finish
// the payment. The sandbox's own card form is unchanged (hosted-page.browser.e2e.spec.ts).
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { launchBrowser, type Browser } from '../support/browser.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';

const SHOP = 'https://shop.example';
const SECRET_KEY = 'sk_test_51HandoffFakeStripeKey0001';
const PUBLISHABLE_KEY = 'pk_test_51HandoffFakeStripeKey0001';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!, $input: ConnectPaymentProcessorInput!) { connectPaymentProcessor(merchantId: $id, input: $input) { provider publishableKey } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url } }`;
const SESSION_STATUS = `query($id: ID!) { checkoutSession(id: $id) { status paymentIntent { status provider } } }`;

describe('hosted page with Stripe.js (Payment Element)', () => {
  let handoff: RunningHandoff;
  let stripe: FakeStripe;
  let admin: GqlClient;
  let merchant: GqlClient;
  let merchantId: string;
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];

  const newSession = async (): Promise<{ id: string; url: string }> =>
    (
      await merchant.ok(CREATE_SESSION, {
        input: { lineItems: [{ name: 'Kettle', unitAmount: { amountMinor: 2500, currency: 'GBP' }, quantity: 1 }], successUrl: `${SHOP}/thanks?session_id={CHECKOUT_SESSION_ID}` },
      })
    ).createCheckoutSession;

  /** The page, with every request it makes to Handoff's origin kept (to show no card number goes there). */
  async function openPage(url: string): Promise<{ page: Page; toHandoff: Request[] }> {
    const page = await context.newPage();
    const toHandoff: Request[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(handoff.gatewayUrl)) toHandoff.push(r);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    return { page, toHandoff };
  }

  async function fillStripeCard(page: Page, number: string) {
    await page.getByLabel('Stripe card number').fill(number);
    await page.getByLabel('Stripe expiry (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
    await page.getByLabel('Stripe CVC').fill('123');
  }

  beforeAll(async () => {
    stripe = await startFakeStripe();
    handoff = await startTestHandoff({ extraEnv: { STRIPE_API_URL: stripe.url, STRIPE_JS_URL: stripe.jsUrl } });
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const input = { name: 'Kettle Co', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } };
    merchantId = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id;
    // The publishable key must be of the secret key's mode.
    const mismatched = await admin.request(CONNECT, { id: merchantId, input: { provider: 'STRIPE', secretKey: SECRET_KEY, publishableKey: 'pk_live_51HandoffFakeStripeKey0001' } });
    expect(mismatched.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.publishableKey' });
    const connected = await admin.ok(CONNECT, { id: merchantId, input: { provider: 'STRIPE', secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY } });
    expect(connected.connectPaymentProcessor).toEqual({ provider: 'STRIPE', publishableKey: PUBLISHABLE_KEY });
    merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    browser = await launchBrowser(SHOP);
    context = browser.context;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.stop();
    await stripe?.close();
  });

  it('collects the card with Stripe.js and pays; Handoff only ever sees the payment method id', async () => {
    const s = await newSession();
    const { page, toHandoff } = await openPage(s.url);
    const csp = (await (await fetch(s.url)).headers.get('content-security-policy')) ?? '';
    expect(csp).toContain(`script-src 'self' ${stripe.url}`);
    expect(csp).toContain(`frame-src ${stripe.url}`);
    // The Payment Element is mounted (Stripe.js ran under the CSP) with the merchant's key; the page's own card form is not there.
    await expect.poll(() => page.locator('#payment-element[data-stripe-element="payment"]').count()).toBe(1);
    expect(await page.locator('#pay-form').getAttribute('data-stripe-key')).toBe(PUBLISHABLE_KEY);
    expect(await page.getByLabel('Name on card').count()).toBe(0);

    await fillStripeCard(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Pay £25.00' }).click();
    await page.waitForURL(`${SHOP}/thanks?session_id=${s.id}`, { timeout: 20_000 });

    // The card went to "Stripe" with the publishable key…
    const created = stripe.requests.filter((r) => r.path === '/v1/payment_methods');
    expect(created.at(-1)).toMatchObject({ key: PUBLISHABLE_KEY, form: { 'card[number]': '4242424242424242' } });
    // …and Handoff's pay route got the payment method only; no request to Handoff carried the number.
    const payBody = toHandoff.find((r) => r.url().endsWith('/pay'))!.postDataJSON();
    expect(Object.keys(payBody)).toEqual(['payment_method']);
    expect(payBody.payment_method).toMatch(/^pm_/);
    expect(toHandoff.some((r) => `${r.url()} ${r.postData() ?? ''}`.includes('4242424242424242'))).toBe(false);
    // Payment-intent confirmed that payment method at Stripe with the secret key.
    expect(stripe.requests.find((r) => r.path.endsWith('/confirm'))).toMatchObject({ key: SECRET_KEY, form: { payment_method: payBody.payment_method } });
    await expect.poll(async () => (await merchant.ok(SESSION_STATUS, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
    expect((await merchant.ok(SESSION_STATUS, { id: s.id })).checkoutSession.paymentIntent).toEqual({ status: 'SUCCEEDED', provider: 'STRIPE' });
    await page.close();
  });

  it("3-D Secure: to the bank's page at Stripe and back to the hosted page (with its client secret), which finishes the payment", async () => {
    const s = await newSession();
    const { page } = await openPage(s.url);
    await fillStripeCard(page, '4000 0025 0000 3155');
    await page.getByRole('button', { name: 'Pay £25.00' }).click();
    await page.waitForURL(`${stripe.url}/3ds/**`, { timeout: 20_000 });
    // The return URL Stripe was given is the session's hosted page with its client secret.
    const confirm = stripe.requests.filter((r) => r.path.endsWith('/confirm')).at(-1)!;
    const back = new URL(confirm.form.return_url!);
    expect(`${back.origin}${back.pathname}`).toBe(`${handoff.gatewayUrl}/checkout/${s.id}`);
    expect(back.searchParams.get('cs')).toBe(new URL(s.url).searchParams.get('cs'));

    await page.getByRole('button', { name: 'Approve' }).click();
    // Back on the hosted page (not a 404), which reads the outcome and goes on to the success URL.
    await page.waitForURL(`${SHOP}/thanks?session_id=${s.id}`, { timeout: 20_000 });
    await expect.poll(async () => (await merchant.ok(SESSION_STATUS, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
    await page.close();
  });

  it('a subscription with a trial: the Payment Element in setup mode (nothing due), the card saved to a Stripe Customer by a SetupIntent, nothing charged; a paid plan asks Stripe.js for off_session use', async () => {
    const trial = (
      await merchant.ok(CREATE_SESSION, {
        input: { mode: 'SUBSCRIPTION', lineItems: [{ name: 'Pro plan (trial)', unitAmount: { amountMinor: 2000, currency: 'GBP' }, quantity: 1, recurring: { interval: 'MONTH', trialDays: 14 } }], successUrl: `${SHOP}/thanks?session_id={CHECKOUT_SESSION_ID}` },
      })
    ).createCheckoutSession as { id: string; url: string };
    const { page } = await openPage(trial.url);
    await expect.poll(() => page.locator('#payment-element[data-stripe-element="payment"]').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as { __stripeElementsOptions: unknown }).__stripeElementsOptions)).toEqual({ mode: 'setup', currency: 'gbp', paymentMethodCreation: 'manual' });
    await fillStripeCard(page, '4242 4242 4242 4242');
    await page.locator('#pay-form button[type="submit"]').click();
    await page.waitForURL(`${SHOP}/thanks?session_id=${trial.id}`, { timeout: 20_000 });
    const pm = stripe.requests.filter((r) => r.path === '/v1/payment_methods').at(-1)!;
    const pmId = stripe.requests.find((r) => r.path === '/v1/setup_intents' && r.form.usage === 'off_session' && r.key === SECRET_KEY);
    expect(pmId?.form.customer).toMatch(/^cus_/);
    expect(pm.form['card[number]']).toBe('4242424242424242');
    expect(stripe.requests.filter((r) => r.path.endsWith('/confirm') && r.form.payment_method === pmId!.form.payment_method)).toHaveLength(0);
    await page.close();

    const paid = (
      await merchant.ok(CREATE_SESSION, { input: { mode: 'SUBSCRIPTION', lineItems: [{ name: 'Pro plan', unitAmount: { amountMinor: 2000, currency: 'GBP' }, quantity: 1, recurring: { interval: 'MONTH' } }] } })
    ).createCheckoutSession as { id: string; url: string };
    const second = await openPage(paid.url);
    await expect.poll(() => second.page.locator('#payment-element[data-stripe-element="payment"]').count()).toBe(1);
    expect(await second.page.evaluate(() => (globalThis as unknown as { __stripeElementsOptions: unknown }).__stripeElementsOptions)).toEqual({ mode: 'payment', amount: 2000, currency: 'gbp', paymentMethodCreation: 'manual', setupFutureUsage: 'off_session' });
    await second.page.close();
  });

  it('the pay route refuses a raw card for a Stripe checkout (nothing charged), and a bad payment method id', async () => {
    const s = await newSession();
    const cs = new URL(s.url).searchParams.get('cs')!;
    const pay = async (body: unknown) => {
      const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}/pay`, { method: 'POST', headers: { authorization: `Bearer ${cs}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect(await pay({ testCard: '4242424242424242' })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'testCard' } });
    expect(await pay({ payment_method: 'card_4242' })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'payment_method' } });
    expect((await merchant.ok(SESSION_STATUS, { id: s.id })).checkoutSession.paymentIntent.status).toBe('REQUIRES_PAYMENT_METHOD');
    const view = (await (await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}`, { headers: { authorization: `Bearer ${cs}` } })).json()) as any;
    expect(view.payment_form).toEqual({ type: 'stripe', publishable_key: PUBLISHABLE_KEY });
    expect(problems).toEqual([]);
  });
});
