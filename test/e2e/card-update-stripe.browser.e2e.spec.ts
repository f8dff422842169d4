// The buyer's card update for a merchant paid through Stripe, end to end in Chromium (issue 22;
// docs/recurring.md "Card update link", Stripe): a STRIPE merchant's monthly plan (REST SUBSCRIPTION
// session paid with a Stripe.js PaymentMethod), linked by the renewal scan to Stripe Billing; Stripe's
// cycle declines (the local stand-in's test clock, test/support/fake-stripe.ts) → its signed
// invoice.payment_failed → PAST_DUE. The merchant makes a link (REST). The page loads the stand-in
// Stripe.js (STRIPE_JS_URL) in setup mode: a declined card is shown and changes nothing; then
// 5555 5555 5555 4444: the link's SetupIntent confirmed by Stripe.js, read back by Handoff, the card
// the Customer's and the Stripe Subscription's default, Stripe's open invoice paid once → Stripe's
// invoice.paid → invoice 2 PAID, ACTIVE in GraphQL, one successful charge. The used link is refused
// (page and API); a tampered one, an unknown SetupIntent too. Screenshots: test/artifacts/card-update-stripe/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { launchBrowser, type Browser } from '../support/browser.js';
import { GqlClient } from '../support/client.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';
import { startTestHandoff } from '../support/handoff.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/card-update-stripe/', import.meta.url));
const SK = 'sk_test_51HandoffCardUpdate00001';
const PK = 'pk_test_51HandoffCardUpdate00001';
const WHSEC = 'whsec_handoff_card_update_stripe_0001';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!, $input: ConnectPaymentProcessorInput!) { connectPaymentProcessor(merchantId: $id, input: $input) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { id status currentPeriod paymentMethod { provider last4 }
  invoices { period status attempts paymentIntent { status } } } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { status url billingSubscription { id status } } }`;

let fake: FakeStripe;
let handoff: RunningHandoff;
let browser: Browser;
let shop: { id: string; key: string; gql: GqlClient };
const problems: string[] = [];

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, body: json, text, csp: res.headers.get('content-security-policy') };
}

const readSub = (id: string) => shop.gql.ok(SUB, { id }).then((d) => d.billingSubscription);
const apiPath = (url: string) => `/api/billing/card-update/${new URL(url).pathname.split('/').pop()}`;
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fake = await startFakeStripe();
  // The renewal scan (which links STRIPE subscriptions to Stripe Billing) every second instead of five minutes.
  handoff = await startTestHandoff({ extraEnv: { STRIPE_API_URL: fake.url, STRIPE_JS_URL: fake.jsUrl, RENEWAL_SCAN_EVERY_MS: '1000' } });
  const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const input = { name: 'Stripe Card Update Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { id, input: { provider: 'STRIPE', secretKey: SK, publishableKey: PK, webhookSecret: WHSEC } });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  shop = { id, key, gql: admin.as(key) };
  fake.billing.addWebhookEndpoint(SK, `${handoff.gatewayUrl}/webhooks/stripe/${id}`, WHSEC);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await handoff?.stop();
  await fake?.close();
});

/** A monthly £15 plan paid with a Stripe.js PaymentMethod (4242), linked to Stripe Billing; Stripe's period-2 invoice then declined → PAST_DUE. */
async function pastDueStripePlan(): Promise<{ id: string; stripeInvoice: string; stripeSubscription: string; firstCard: string }> {
  const created = await http('POST', '/v1/checkout/sessions', { currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Pro plan', amount: 1500, quantity: 1, recurring: { interval: 'month' } }] }, { authorization: `Bearer ${shop.key}` });
  expect(created.status, created.text).toBe(201);
  const sessionId = created.body.checkout_id as string;
  const url = (await shop.gql.ok(SESSION_SUB, { id: sessionId })).checkoutSession.url as string;
  const pm = (await (await fetch(`${fake.url}/v1/payment_methods`, { method: 'POST', body: new URLSearchParams({ key: PK, type: 'card', 'card[number]': '4242424242424242', 'card[exp_month]': '12', 'card[exp_year]': '2040', 'card[cvc]': '123' }) })).json()) as { id: string };
  const paid = await http('POST', `/api/checkout/${sessionId}/pay`, { payment_method: pm.id }, { authorization: `Bearer ${new URL(url).searchParams.get('cs')!}` });
  expect(paid.status, paid.text).toBe(200);
  const session = await until(() => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession), (s) => s.billingSubscription?.status === 'ACTIVE', 'the subscription ACTIVE');
  const id = session.billingSubscription.id as string;
  const stripeSub = await until(async () => [...fake.billing.subscriptions.values()].find((s) => s.metadata.handoff_billing_subscription_id === id), (s) => s !== undefined, 'the Stripe Subscription');
  const { invoice } = await fake.billing.advance(stripeSub!.id as string, { decline: true });
  await until(() => readSub(id), (s) => s.status === 'PAST_DUE', 'PAST_DUE');
  return { id, stripeInvoice: invoice.id as string, stripeSubscription: stripeSub!.id as string, firstCard: pm.id };
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m) => {
    // Chromium logs every 4xx load: the fake Stripe's decline (402) and the used link's page (410) are expected answers.
    if (m.type() === 'error' && !/status of 4(02|10) /.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return page;
}

async function fillStripeCard(page: Page, number: string) {
  await page.getByLabel('Stripe card number').fill(number);
  await page.getByLabel('Stripe expiry (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
  await page.getByLabel('Stripe CVC').fill('123');
}

describe('card update for a Stripe merchant, in Chromium', () => {
  it('PAST_DUE at Stripe -> link -> Stripe.js (setup mode): a declined card changes nothing -> a new card: the Stripe invoice paid once, ACTIVE; the used link refused', async () => {
    const { id, stripeInvoice, stripeSubscription, firstCard } = await pastDueStripePlan();
    const made = await http('POST', `/v1/subscriptions/${id}/card_update_link`, {}, { authorization: `Bearer ${shop.key}` });
    expect(made.status, made.text).toBe(200);
    // The page lets Stripe.js's origin in, nothing else.
    const html = await http('GET', new URL(made.body.url).pathname);
    expect(html.status).toBe(200);
    expect(html.csp).toContain(`script-src 'self' ${new URL(fake.jsUrl).origin}`);

    const page = await openPage(made.body.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe('Update your card');
    await expect.poll(() => page.getByLabel('Stripe card number').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByLabel('Card number', { exact: true }).count()).toBe(0);
    expect(await page.evaluate('window.__stripeElementsOptions')).toEqual({ mode: 'setup', currency: 'gbp' });
    expect(await page.locator('#amount-due').textContent()).toBe('£15.00');
    expect(await page.locator('#current-card-text').textContent()).toBe('Visa ending in 4242');
    await shot(page, '01-past-due');

    // Declined at Stripe's SetupIntent: the error shown, nothing changed at Handoff nor Stripe.
    await fillStripeCard(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Save card and pay £15.00' }).click();
    await expect.poll(() => page.locator('#error').textContent(), { timeout: 30_000 }).toBe('Your card was declined.');
    await shot(page, '02-declined');
    expect(await readSub(id)).toMatchObject({ status: 'PAST_DUE', paymentMethod: { last4: '4242' } });
    expect(fake.requests.filter((r) => r.path === `/v1/invoices/${stripeInvoice}/pay`)).toHaveLength(0);

    await fillStripeCard(page, '5555 5555 5555 4444');
    await page.getByRole('button', { name: 'Save card and pay £15.00' }).click();
    await expect.poll(() => page.locator('#notice-heading').textContent(), { timeout: 30_000 }).toBe('Card updated and payment made');
    expect(await page.locator('#current-card-text').textContent()).toBe('Visa ending in 4444');
    await shot(page, '03-updated-and-paid');

    // Stripe's invoice.paid reaches Handoff: period 2 PAID, ACTIVE, the new card on file.
    const after = await until(() => readSub(id), (s) => s.status === 'ACTIVE' && s.currentPeriod === 2, 'ACTIVE on period 2');
    expect(after).toMatchObject({ paymentMethod: { provider: 'STRIPE', last4: '4444' } });
    expect(after.invoices.filter((i: { period: number }) => i.period === 2)).toEqual([{ period: 2, status: 'PAID', attempts: 2, paymentIntent: { status: 'SUCCEEDED' } }]);
    // At Stripe: the new card is the Subscription's default; the invoice was paid by one call, one successful charge.
    const customer = fake.billing.subscriptions.get(stripeSubscription)!.customer as string;
    const newCard = fake.billing.subscriptions.get(stripeSubscription)!.default_payment_method as string;
    expect(newCard).toMatch(/^pm_/);
    expect(newCard).not.toBe(firstCard);
    expect(fake.billing.customers.get(customer)!.invoice_settings.default_payment_method).toBe(newCard);
    expect(fake.requests.filter((r) => r.path === `/v1/invoices/${stripeInvoice}/pay`)).toHaveLength(1);
    expect(fake.billing.invoices.get(stripeInvoice)).toMatchObject({ status: 'paid', attempt_count: 2 });
    // The customer's successful charges: none but this one (period 1 was paid at checkout before the Customer's Stripe Subscription existed).
    expect(fake.billing.events.filter((e) => e.type === 'payment_intent.succeeded' && JSON.parse(e.payload).data.object.customer === customer)).toHaveLength(1);

    // The link is used: the page and the API refuse it; nothing more reaches Stripe.
    await page.reload();
    expect(await page.locator('#message-heading').textContent()).toBe('This link was already used');
    await shot(page, '04-used-link');
    const setupIntent = [...fake.billing.setupIntents.values()].find((s) => s.metadata.handoff_billing_subscription_id === id)!.id as string;
    expect(await http('POST', apiPath(made.body.url), { setup_intent: setupIntent })).toMatchObject({ status: 410, body: { code: 'CARD_UPDATE_LINK_USED' } });
    expect(await http('POST', `${apiPath(made.body.url)}/setup-intent`, {})).toMatchObject({ status: 410, body: { code: 'CARD_UPDATE_LINK_USED' } });
    expect(fake.requests.filter((r) => r.path === `/v1/invoices/${stripeInvoice}/pay`)).toHaveLength(1);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('a tampered link, an unknown or malformed SetupIntent and the sandbox\'s card input are refused with their codes, never a 500', async () => {
    const { id } = await pastDueStripePlan();
    const made = await http('POST', `/v1/subscriptions/${id}/card_update_link`, {}, { authorization: `Bearer ${shop.key}` });
    const token = new URL(made.body.url).pathname.split('/').pop()!;
    const tampered = token.replace(/\.(\d+)\./, (_m, s: string) => `.${Number(s) + 86_400}.`);
    expect(await http('POST', `/api/billing/card-update/${tampered}/setup-intent`, {})).toMatchObject({ status: 404, body: { code: 'CARD_UPDATE_LINK_INVALID' } });
    expect(await http('POST', `/api/billing/card-update/${tampered}`, { setup_intent: 'seti_000000000000000000000000' })).toMatchObject({ status: 404, body: { code: 'CARD_UPDATE_LINK_INVALID' } });
    expect(await http('POST', apiPath(made.body.url), { setup_intent: 'seti_000000000000000000000000' })).toMatchObject({ status: 409, body: { code: 'CARD_UPDATE_SETUP_INVALID', reason: 'setup_intent:unknown' } });
    expect(await http('POST', apiPath(made.body.url), { setup_intent: 'pm_123' })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'setup_intent' } });
    expect(await http('POST', apiPath(made.body.url), { testCard: '4242424242424242' })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'setup_intent' } });
    // The link's SetupIntent, never confirmed: not succeeded, refused; the link still usable.
    const setup = await http('POST', `${apiPath(made.body.url)}/setup-intent`, {});
    expect(setup.status, setup.text).toBe(200);
    expect(await http('POST', apiPath(made.body.url), { setup_intent: setup.body.setup_intent })).toMatchObject({ status: 402, body: { code: 'CARD_UPDATE_DECLINED', reason: 'setup_intent:requires_payment_method' } });
    expect((await http('GET', apiPath(made.body.url))).body).toMatchObject({ status: 'past_due', provider: 'STRIPE', stripe: { publishable_key: PK } });
    expect(await readSub(id)).toMatchObject({ status: 'PAST_DUE', paymentMethod: { last4: '4242' } });
  });
});
