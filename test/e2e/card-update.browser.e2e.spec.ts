// The buyer's card update during dunning, end to end (issue 22; docs/recurring.md "Card update
// link"): a monthly plan paid with the sandbox card that declines off-session (4000…0341); the
// billing clock makes the renewal due and the real renewal worker declines it → PAST_DUE, invoice
// 2 OPEN, and the invoice.payment_failed webhook event carries a card-update link. The merchant
// makes a link (REST, Idempotency-Key: a retry answers the same link; another merchant's or a
// malformed id: 404). The buyer opens it in Chromium (Debian's, via playwright-core), meets a
// declined card (the error shown, nothing changed), then saves 4242 4242 4242 4242: the
// subscription ACTIVE, invoice 2 PAID, one payment at the sandbox PSP. The used link, an expired
// one, a tampered one and a canceled subscription's are refused with their codes, never a 500.
// Screenshots go to test/artifacts/card-update/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { launchBrowser, type Browser } from '../support/browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { scratchDatabase } from '../support/scratch-database.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/card-update/', import.meta.url));
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const ADVANCE = `mutation($id: ID!) { advanceBillingClock(id: $id) { id status } }`;
const LINK = `mutation($id: ID!, $s: Int) { createCardUpdateLink(billingSubscriptionId: $id, expiresInSeconds: $s) { url expiresAt } }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { id status currentPeriod paymentMethod { brand last4 } invoices { period status attempts } } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { url billingSubscription { id status } } }`;

let handoff: RunningHandoff;
let browser: Browser;
let admin: GqlClient;
let shop: { key: string; gql: GqlClient };
let other: { key: string; gql: GqlClient };
let pspDb: { url: string; drop(): Promise<void> };
let psp: Client;
const problems: string[] = [];

async function merchant(name: string) {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { key, gql: admin.as(key) };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
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
  return { status: res.status, body: json, text };
}

const sub = (id: string) => shop.gql.ok(SUB, { id }).then((d) => d.billingSubscription);
const apiPath = (url: string) => `/api/billing/card-update/${new URL(url).pathname.split('/').pop()}`;
const card = (number: string) => ({ card: { number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' } });
const paymentDb = () => handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app.dataSource;

/** A monthly £15 plan bought through REST and the hosted page's pay route with `number`: its subscription id, ACTIVE. */
async function buyPlan(number: string): Promise<string> {
  const created = await http('POST', '/v1/checkout/sessions', { currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Pro plan', amount: 1500, quantity: 1, recurring: { interval: 'month' } }] }, { authorization: `Bearer ${shop.key}` });
  expect(created.status, created.text).toBe(201);
  const sessionId = created.body.checkout_id as string;
  const url = (await shop.gql.ok(SESSION_SUB, { id: sessionId })).checkoutSession.url as string;
  const paid = await http('POST', `/api/checkout/${sessionId}/pay`, card(number), { authorization: `Bearer ${new URL(url).searchParams.get('cs')!}` });
  expect(paid.status, paid.text).toBe(200);
  const s = await until(() => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession), (x) => x.billingSubscription?.status === 'ACTIVE', 'the subscription ACTIVE');
  return s.billingSubscription.id;
}

/** A plan whose renewal the real worker declined off-session: PAST_DUE, invoice 2 OPEN after one attempt. */
async function pastDuePlan(): Promise<string> {
  const id = await buyPlan('4000000000000341');
  await shop.gql.ok(ADVANCE, { id });
  const s = await until(() => sub(id), (x) => x.status === 'PAST_DUE', 'PAST_DUE');
  expect(s.invoices.find((i: any) => i.period === 2)).toMatchObject({ status: 'OPEN', attempts: 1 });
  return id;
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('console', (m) => {
    // Chromium logs every 4xx load: a declined card (402) and the used link's page (410) are expected answers.
    if (m.type() === 'error' && !/status of 4(02|10) /.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return page;
}

async function fillCard(page: Page, number: string) {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry date (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
  await page.getByLabel('Security code (CVC)').fill('123');
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  pspDb = await scratchDatabase('sbx');
  handoff = await startTestHandoff({ sandboxDatabaseUrl: pspDb.url });
  psp = new Client({ connectionString: pspDb.url });
  await psp.connect();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await merchant('Card Update Plans');
  other = await merchant('Someone Else');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await psp?.end();
  await handoff?.stop();
  await pspDb?.drop();
});

describe('card update during dunning, in Chromium', () => {
  it('PAST_DUE -> the merchant\'s link -> a declined card changes nothing -> 4242 saved: ACTIVE, invoice 2 PAID, one charge; the used link refused', async () => {
    const id = await pastDuePlan();
    // The failed payment's webhook event carries a link the page opens.
    const [failed] = await paymentDb().query(`SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.invoice.payment_failed' AND payload->'object'->>'subscription_id' = $1`, [id]);
    expect(failed.payload.object.card_update_url.startsWith(`${handoff.gatewayUrl}/billing/card-update/`)).toBe(true);
    expect((await http('GET', apiPath(failed.payload.object.card_update_url))).body).toMatchObject({ subscription_id: id, status: 'past_due', amount_due: { period: 2, amount: 1500 } });

    // The merchant's link over REST: a retry with the key answers the same link; another merchant's or a malformed id is not found.
    const keyed = { authorization: `Bearer ${shop.key}`, 'idempotency-key': `link-${id}` };
    const made = await http('POST', `/v1/subscriptions/${id}/card_update_link`, {}, keyed);
    expect(made.status, made.text).toBe(200);
    expect(made.body).toMatchObject({ object: 'card_update_link', subscription_id: id });
    expect(made.body.expires_at).toBeGreaterThan(Date.now() / 1000 + 6 * 86_400);
    expect((await http('POST', `/v1/subscriptions/${id}/card_update_link`, {}, keyed)).body.url).toBe(made.body.url);
    expect(await http('POST', `/v1/subscriptions/${id}/card_update_link`, {}, { authorization: `Bearer ${other.key}` })).toMatchObject({ status: 404, body: { code: 'BILLING_SUBSCRIPTION_NOT_FOUND' } });
    expect(await http('POST', `/v1/subscriptions/bsub_x'%20OR/card_update_link`, {}, { authorization: `Bearer ${shop.key}` })).toMatchObject({ status: 404, body: { code: 'BILLING_SUBSCRIPTION_NOT_FOUND' } });
    expect(await http('POST', `/v1/subscriptions/${id}/card_update_link`, { expires_in: 0 }, { authorization: `Bearer ${shop.key}` })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'expires_in' } });

    const page = await openPage(made.body.url);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 30_000 }).toBe('Update your card');
    expect(await page.locator('#amount-due').textContent()).toBe('£15.00');
    expect(await page.locator('#current-card-text').textContent()).toBe('Visa ending in 0341');
    await shot(page, '01-past-due');

    // A declined card: the error on the page, the subscription as it was, the link still usable.
    await fillCard(page, '4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Save card and pay £15.00' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toBe('Your card was declined.');
    await shot(page, '02-declined');
    expect(await sub(id)).toMatchObject({ status: 'PAST_DUE', paymentMethod: { last4: '0341' }, invoices: [{ period: 1, status: 'PAID' }, { period: 2, status: 'OPEN', attempts: 1 }] });

    await fillCard(page, '4242 4242 4242 4242');
    await page.getByRole('button', { name: 'Save card and pay £15.00' }).click();
    await expect.poll(() => page.locator('#notice-heading').textContent(), { timeout: 30_000 }).toBe('Card updated and payment made');
    expect(await page.locator('#current-card-text').textContent()).toBe('Visa ending in 4242');
    expect(await page.locator('#status-text').textContent()).toBe('active');
    await shot(page, '03-updated-and-paid');
    expect(await sub(id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2, paymentMethod: { last4: '4242' }, invoices: [{ period: 1, status: 'PAID' }, { period: 2, status: 'PAID', attempts: 2 }] });
    // One payment at the sandbox PSP for period 2 (the declined attempt and the retry are the same intent), succeeded once.
    const atPsp = await psp.query(`SELECT status, amount_received_minor::int AS received FROM sandbox.payments WHERE description = $1`, [`Subscription ${id}, period 2`]);
    expect(atPsp.rows).toEqual([{ status: 'succeeded', received: 1500 }]);

    // The link is used: the page and the API refuse it, nothing more is charged.
    await page.reload();
    expect(await page.locator('#message-heading').textContent()).toBe('This link was already used');
    await shot(page, '04-used-link');
    expect(await http('POST', apiPath(made.body.url), card('4242424242424242'))).toMatchObject({ status: 410, body: { code: 'CARD_UPDATE_LINK_USED' } });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('an expired, a tampered or malformed link and a canceled subscription\'s are refused with their codes', async () => {
    const id = await buyPlan('4242424242424242');
    const short = (await shop.gql.ok(LINK, { id, s: 1 })).createCardUpdateLink;
    const valid = (await shop.gql.ok(LINK, { id, s: 3600 })).createCardUpdateLink;
    expect((await http('GET', apiPath(valid.url))).body).toMatchObject({ subscription_id: id, status: 'active', amount_due: null });
    // Wait for the short link's expiry to pass (a condition, not a duration).
    await until(async () => Date.now(), (now) => now > Date.parse(short.expiresAt) + 50, 'the link expired', 10_000);
    const expiredPage = await http('GET', new URL(short.url).pathname);
    expect(expiredPage.status).toBe(410);
    expect(expiredPage.text).toContain('This link has expired');
    expect(await http('POST', apiPath(short.url), card('4242424242424242'))).toMatchObject({ status: 410, body: { code: 'CARD_UPDATE_LINK_EXPIRED' } });

    const token = new URL(valid.url).pathname.split('/').pop()!;
    const tampered = token.replace(/\.(\d+)\./, (_m, s: string) => `.${Number(s) + 86_400}.`);
    expect(await http('POST', `/api/billing/card-update/${tampered}`, card('4242424242424242'))).toMatchObject({ status: 404, body: { code: 'CARD_UPDATE_LINK_INVALID' } });
    expect(await http('GET', `/api/billing/card-update/${encodeURIComponent("bsub_' OR 1=1")}`)).toMatchObject({ status: 404, body: { code: 'CARD_UPDATE_LINK_INVALID' } });
    expect((await http('GET', `/billing/card-update/${'x'.repeat(500)}`)).status).toBe(404);
    expect(await http('POST', apiPath(valid.url), { card: { number: '4242424242424241' } })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'card.number' } });
    expect(await http('POST', apiPath(valid.url), '{"card":')).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });

    // Canceled: the link and a new one are refused; nothing changed.
    expect((await http('POST', `/v1/subscriptions/${id}/cancel`, {}, { authorization: `Bearer ${shop.key}` })).status).toBe(200);
    expect(await http('POST', apiPath(valid.url), card('5555555555554444'))).toMatchObject({ status: 409, body: { code: 'SUBSCRIPTION_ALREADY_CANCELED' } });
    expect((await http('GET', new URL(valid.url).pathname)).status).toBe(409);
    expect(await http('POST', `/v1/subscriptions/${id}/card_update_link`, {}, { authorization: `Bearer ${shop.key}` })).toMatchObject({ status: 409, body: { code: 'SUBSCRIPTION_ALREADY_CANCELED' } });
    expect(await sub(id)).toMatchObject({ status: 'CANCELED', paymentMethod: { last4: '4242' } });
  });
});
