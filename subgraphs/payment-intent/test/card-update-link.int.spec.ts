// The buyer's card-update link (issue 22; docs/recurring.md "Card update link") against a real
// database and the sandbox PSP: CardUpdateLinks (the merchant's link: tenancy, canceled refused;
// the buyer's token: forged, another merchant's, expired, used) and CardUpdatePage.apply (a card
// the sandbox's SetupIntent declines changes nothing and leaves the link usable; a good card on a
// PAST_DUE subscription pays its open invoice at once, ACTIVE; the link is then used; an UNPAID one's
// uncollectible invoice is paid with it too). Races: the
// same link applied twice at once (one card saved, one CARD_UPDATE_LINK_USED), and the card update
// with two dunning runs at once (one successful charge for the period). The past-due webhook
// carries a link that opens the page.
import { createLogger, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { useCardUpdateLinksInEvents } from '../src/billing-subscription/card-update/card-update-event-links.js';
import { CardUpdateLinks } from '../src/billing-subscription/card-update/card-update-links.js';
import { CardUpdatePage } from '../src/billing-subscription/card-update/card-update-page.js';
import { cancelBillingSubscription } from '../src/billing-subscription/lifecycle/cancel.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { MerchantPort } from '../src/ports/merchant.port.js';
import { Connectors } from '../src/psp/connectors.js';
import { MerchantCredentialsClient } from '../src/psp/merchant-credentials.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { asMerchant, newId, startPaymentsHarness, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let db: DataSource;
let deps: RenewalDeps;
let connectors: Connectors;
let credentials: MerchantCredentialsClient;

const DAY = 86_400_000;
const GOOD = '4242424242424242';
const DECLINE = '4000000000000002';
const OFF_SESSION_DECLINE = '4000000000000341';
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1200, quantity: 1 }] };
const tokenOf = (url: string) => url.split('/').pop()!;
const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string, period: number) => db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: id, period });
const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);

async function succeededAtSandbox(subId: string, period: number): Promise<number> {
  const ids = (await db.query(`SELECT provider_payment_id AS id FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = $2`, [subId, period])).map((r: { id: string }) => r.id);
  const [row] = await h.sandbox.dataSource.query(`SELECT count(*) AS n FROM sandbox.payments WHERE id = ANY($1::text[]) AND status = 'succeeded'`, [ids]);
  return Number(row.n);
}

/** An ACTIVE subscription paying with `card`, period 1 paid. */
async function subscription(card: string): Promise<BillingSubscriptionEntity> {
  const merchant = await h.testMerchant();
  const token = await connectors.for((await credentials.get(merchant.id))!).tokenizeTestCard({ manager: db.manager }, card);
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId: merchant.id, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 1200,
    amountCapturedMinor: 1200, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token, metadata: {},
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1, billingPlan: { ...PLAN, card: { brand: 'visa', last4: card.slice(-4) } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return subOf(intent.billingSubscriptionId!);
}

/** PAST_DUE: the period-2 renewal declined off-session; the clock a day in (the dunning retry due). */
async function pastDue(): Promise<{ sub: BillingSubscriptionEntity; clocked: RenewalDeps }> {
  const sub = await subscription(OFF_SESSION_DECLINE);
  const start = sub.currentPeriodEnd!.getTime();
  let now = new Date(start + 60_000);
  const clocked: RenewalDeps = { ...deps, now: () => now };
  expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('declined');
  now = new Date(start + DAY + 60_000);
  return { sub: await subOf(sub.id), clocked };
}

const links = (now?: () => Date) => new CardUpdateLinks(db, h.secret, 'https://pay.example', now);
const pageFor = (d: RenewalDeps, now?: () => Date) => new CardUpdatePage(links(now), d);

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('card-update-link-test', 'silent'))));
  deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return` };
  // As the app does at start (app.ts), for the events this file's charges write.
  useCardUpdateLinksInEvents(links());
}, 120_000);

afterAll(async () => {
  useCardUpdateLinksInEvents(null);
  await h?.close();
});

describe('card-update links', () => {
  it("the merchant's own subscription only; canceled refused; a forged, another merchant's, expired or malformed token refused", async () => {
    const sub = await subscription(GOOD);
    const other = await h.testMerchant('Other');
    const link = await links().create(asMerchant(sub.merchantId), sub.id, 3600);
    expect(link.url).toMatch(/^https:\/\/pay\.example\/billing\/card-update\/bsub_[a-f0-9]{24}\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(Math.abs(link.expiresAt.getTime() - (Date.now() + 3600_000))).toBeLessThan(5_000);
    await expect(links().create(asMerchant(other.id), sub.id, null)).rejects.toMatchObject({ extensions: { code: 'BILLING_SUBSCRIPTION_NOT_FOUND' } });
    await expect(links().create(asMerchant(sub.merchantId), 'not-an-id', null)).rejects.toMatchObject({ extensions: { code: 'BILLING_SUBSCRIPTION_NOT_FOUND' } });
    await expect(links().create(asMerchant(sub.merchantId), sub.id, 0)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'expiresInSeconds' } });

    const token = tokenOf(link.url);
    expect((await links().resolve(token)).subscription.id).toBe(sub.id);
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await expect(links().resolve(forged)).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_INVALID' } });
    // Signed for another merchant than the subscription's: not valid.
    const theirs = tokenOf(links().linkFor({ id: sub.id, merchantId: other.id }).url);
    await expect(links().resolve(theirs)).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_INVALID' } });
    await expect(links().resolve('garbage')).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_INVALID' } });
    const later = () => new Date(Date.now() + 3601_000);
    await expect(links(later).resolve(token)).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_EXPIRED' } });

    await cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, false);
    await expect(links().create(asMerchant(sub.merchantId), sub.id, null)).rejects.toMatchObject({ extensions: { code: 'SUBSCRIPTION_ALREADY_CANCELED' } });
    await expect(pageFor(deps).apply(token, { testCard: GOOD })).rejects.toMatchObject({ extensions: { code: 'SUBSCRIPTION_ALREADY_CANCELED' } });
  });

  it('a declined new card changes nothing (link still usable); a good one pays the PAST_DUE invoice at once -> ACTIVE; the link is then used', async () => {
    const { sub, clocked } = await pastDue();
    const link = links().linkFor(sub);
    const token = tokenOf(link.url);
    const page = pageFor(clocked);
    const view = await page.view(token);
    expect(view).toMatchObject({ subscription_id: sub.id, status: 'past_due', amount_due: { period: 2, amount: 1200, status: 'open' }, payment_method: { last4: '0341' }, provider: 'TEST' });

    await expect(page.apply(token, { testCard: DECLINE })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_DECLINED', reason: 'card_declined:generic_decline' } });
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', paymentMethodId: sub.paymentMethodId, version: sub.version });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'OPEN', attempts: 1 });

    const done = await page.apply(token, { testCard: GOOD });
    expect(done).toMatchObject({ status: 'active', payment_method: { brand: 'visa', last4: '4242' }, retry: { outcome: 'paid', period: 2, invoice_status: 'paid' } });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID', attempts: 2 });
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
    await expect(page.apply(token, { testCard: GOOD })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_USED' } });
    await expect(page.view(token)).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_USED' } });
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
  });

  it('race: the same link applied twice at once saves one card; CARD_UPDATE_LINK_USED for the other; one charge', async () => {
    const { sub, clocked } = await pastDue();
    const token = tokenOf(links().linkFor(sub).url);
    const answers = await Promise.allSettled([pageFor(clocked).apply(token, { testCard: GOOD }), pageFor(clocked).apply(token, { testCard: '5555555555554444' })]);
    const ok = answers.filter((a) => a.status === 'fulfilled');
    const refused = answers.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused.map((r) => (r.reason as { extensions: { code: string } }).extensions.code)).toEqual(['CARD_UPDATE_LINK_USED']);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect(await count(`SELECT count(*) AS n FROM payment.billing_card_update_link_uses WHERE subscription_id = $1`, [sub.id])).toBe(1);
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
  });

  it.each([1, 2])('race %#: the card update and two dunning runs at once charge the period once', async () => {
    const { sub, clocked } = await pastDue();
    const token = tokenOf(links().linkFor(sub).url);
    const [update, job, job2] = await Promise.all([pageFor(clocked).apply(token, { testCard: GOOD }), chargeOffSession(clocked, sub.id, 2), chargeOffSession(clocked, sub.id, 2)]);
    // The dunning runs charge the old card (declined) or find the period paid; the new card pays it, whoever ran first.
    expect([update.retry?.outcome, job.outcome, job2.outcome].filter((o) => o === 'paid')).toHaveLength(1);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect((await invoiceOf(sub.id, 2)).status).toBe('PAID');
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
  });

  /** UNPAID: one retry (day 1) declined too, dunning gave up; the invoice UNCOLLECTIBLE. */
  async function unpaid(): Promise<{ sub: BillingSubscriptionEntity; oneRetry: RenewalDeps }> {
    const sub = await subscription(OFF_SESSION_DECLINE);
    const start = sub.currentPeriodEnd!.getTime();
    let now = new Date(start + 60_000);
    const oneRetry: RenewalDeps = { ...deps, dunning: { retryDays: [1], finalStatus: 'UNPAID' }, now: () => now };
    expect((await chargeOffSession(oneRetry, sub.id, 2)).outcome).toBe('declined');
    now = new Date(start + DAY + 60_000);
    expect((await chargeOffSession(oneRetry, sub.id, 2)).outcome).toBe('gave_up');
    expect(await subOf(sub.id)).toMatchObject({ status: 'UNPAID', nextRenewalAt: null });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'UNCOLLECTIBLE', attempts: 2 });
    return { sub, oneRetry };
  }

  it('an UNPAID subscription (dunning gave up): the new card pays the uncollectible invoice at once -> ACTIVE, one charge', async () => {
    const { sub, oneRetry } = await unpaid();
    const token = tokenOf(links().linkFor(sub).url);
    expect(await pageFor(oneRetry).view(token)).toMatchObject({ status: 'unpaid', amount_due: { period: 2, amount: 1200, status: 'uncollectible' } });
    const done = await pageFor(oneRetry).apply(token, { testCard: GOOD });
    expect(done).toMatchObject({ status: 'active', retry: { outcome: 'paid', period: 2, invoice_status: 'paid' } });
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2, paymentMethodLast4: '4242' });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID', attempts: 3 });
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
  });

  it('race: two links of an UNPAID subscription applied at once pay its invoice once', async () => {
    const { sub, oneRetry } = await unpaid();
    const [a, b] = [tokenOf(links().linkFor(sub).url), tokenOf(links().linkFor(sub).url)];
    const answers = await Promise.all([pageFor(oneRetry).apply(a, { testCard: GOOD }), pageFor(oneRetry).apply(b, { testCard: '5555555555554444' })]);
    expect(answers.map((x) => x.retry?.outcome ?? null).filter((o) => o === 'paid')).toHaveLength(1);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID', attempts: 3 });
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
  });

  it("the past-due webhook events carry a card-update link that opens the subscription's page", async () => {
    const { sub, clocked } = await pastDue();
    expect(sub.status).toBe('PAST_DUE');
    const [updated] = await db.query(
      `SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.subscription.updated' AND payload->'object'->>'id' = $1 AND payload->'object'->>'status' = 'past_due' ORDER BY id LIMIT 1`,
      [sub.id],
    );
    const [failed] = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.invoice.payment_failed' AND payload->'object'->>'subscription_id' = $1`, [sub.id]);
    for (const event of [updated, failed]) {
      expect(event.payload.object.card_update_url).toMatch(/\/billing\/card-update\/bsub_/);
      expect(event.payload.object.card_update_url_expires_at).toBeGreaterThan(Date.now() / 1000);
    }
    // Signed with the deployment's secret: the page opens it.
    expect(await pageFor(clocked).view(tokenOf(updated.payload.object.card_update_url))).toMatchObject({ subscription_id: sub.id, status: 'past_due' });
    // An ACTIVE subscription's events carry none.
    const [created] = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.subscription.created' AND payload->'object'->>'id' = $1`, [sub.id]);
    expect(created.payload.object.card_update_url).toBeUndefined();
  });
});
