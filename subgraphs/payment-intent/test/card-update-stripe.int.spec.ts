// The buyer's card update for a STRIPE merchant's subscription (issue 22; docs/recurring.md "Card
// update link", Stripe), through the real `stripe` SDK against the local stand-in for Stripe's API
// (test/support/fake-stripe.ts): the link's SetupIntent on the subscription's Customer, confirmed as
// Stripe.js does (publishable key + client secret), then read back from Stripe by apply:
//   - not linked yet (Handoff renews it): a trial whose card's charges fail → PAST_DUE at the trial's
//     end (chargeOffSession) → new card → the open invoice charged at once with it → ACTIVE; one
//     successful Stripe charge for the period, even with the page submitting twice at once;
//   - linked (Stripe Billing renews it): Stripe's cycle declined → PAST_DUE → new card → the Customer's
//     and the Stripe Subscription's default card, Stripe's open invoice paid (one invoices.pay), whose
//     invoice.paid makes Handoff's invoice PAID and the subscription ACTIVE;
//   - refused: a declined setup (CARD_UPDATE_DECLINED, nothing changed, the link usable: its SetupIntent
//     then confirmed with a good card), authentication asked, another customer's / subscription's /
//     unknown SetupIntent (CARD_UPDATE_SETUP_INVALID), forged / expired / used links.
import { createLogger, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import type { FakeStripeEvent } from '../../../test/support/fake-stripe-billing.js';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { useCardUpdateLinksInEvents } from '../src/billing-subscription/card-update/card-update-event-links.js';
import { CardUpdateLinks } from '../src/billing-subscription/card-update/card-update-links.js';
import { CardUpdatePage } from '../src/billing-subscription/card-update/card-update-page.js';
import { linkStripeSubscription } from '../src/billing-subscription/stripe-billing-link.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { MerchantPort } from '../src/ports/merchant.port.js';
import { Connectors } from '../src/psp/connectors.js';
import { MerchantCredentialsClient } from '../src/psp/merchant-credentials.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { StripeConnector } from '../src/psp/stripe/stripe-connector.js';
import { admin, asMerchant, newId, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const WHSEC = 'whsec_card_update_stripe_0123456789';
const SK = 'sk_test_cardupdate00000000';
const PK = 'pk_test_cardupdate00000000';
const GOOD = '4242424242424242';
const DECLINE = '4000000000000002';
const THREE_DS = '4000002500003155';
const CHARGES_FAIL = '4000000000000341';
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1500, quantity: 1 }] };

let fake: FakeStripe;
let h: PaymentsHarness;
let db: DataSource;
let merchantId: string;
let stripe: StripeConnector;
let deps: RenewalDeps;
let merchantPort: MerchantPort;

beforeAll(async () => {
  fake = await startFakeStripe();
  h = await startPaymentsHarness({ STRIPE_API_URL: fake.url });
  db = h.payments.dataSource;
  const m = await h.callMerchant(admin, `mutation { createMerchant(input: { name: "Stripe card update shop", country: "GB", defaultCurrency: "GBP", commissionTerms: { type: CPA, cpa: { amountMinor: 1, currency: "GBP" } } }) { id } }`);
  merchantId = m.data!.createMerchant.id;
  await h.callMerchant(admin, `mutation($id: ID!, $wh: String!) { connectPaymentProcessor(merchantId: $id, input: { provider: STRIPE, secretKey: "${SK}", publishableKey: "${PK}", webhookSecret: $wh }) { provider } }`, { id: merchantId, wh: WHSEC });
  merchantPort = MerchantPort.over(h.merchantUrl, h.secret);
  const credentials = new MerchantCredentialsClient(merchantPort, 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  const connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('card-update-stripe-test', 'silent'))), { apiUrl: fake.url });
  stripe = connectors.for((await credentials.get(merchantId))!) as StripeConnector;
  deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return` };
  useCardUpdateLinksInEvents(links());
}, 120_000);

afterAll(async () => {
  useCardUpdateLinksInEvents(null);
  await db?.query(`UPDATE payment.billing_subscriptions SET status = 'CANCELED', next_renewal_at = NULL WHERE merchant_id = $1 AND status <> 'CANCELED'`, [merchantId]);
  await h?.close();
  await fake?.close();
});

const links = (now?: () => Date) => new CardUpdateLinks(db, h.secret, 'https://pay.example', now);
const pageFor = (d: RenewalDeps, now?: () => Date) => new CardUpdatePage(links(now), d, (id) => merchantPort.stripePublishableKey(id));
const tokenOf = (url: string) => url.split('/').pop()!;
const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string, period: number) => db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: id, period });
const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as { extensions: { code: string } }).extensions.code : 'ok');

/** A card tokenized by Stripe.js (the publishable key). */
async function paymentMethod(card: string): Promise<string> {
  const res = await fetch(`${fake.url}/v1/payment_methods`, { method: 'POST', body: new URLSearchParams({ key: PK, type: 'card', 'card[number]': card, 'card[exp_month]': '12', 'card[exp_year]': '2040', 'card[cvc]': '123' }) });
  return ((await res.json()) as { id: string }).id;
}

/** What the page's stripe.confirmSetup does: a PaymentMethod from the card, then the SetupIntent confirmed with the publishable key and its client secret. */
async function confirmAsStripeJs(clientSecret: string, card: string): Promise<{ status: number; body: Record<string, any> }> {
  const id = clientSecret.split('_secret_')[0]!;
  const res = await fetch(`${fake.url}/v1/setup_intents/${id}/confirm`, { method: 'POST', body: new URLSearchParams({ key: PK, client_secret: clientSecret, payment_method: await paymentMethod(card), return_url: 'https://pay.example/back' }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** The checkout's part for a STRIPE subscription (stripe-billing-checkout.ts), then the subscription it starts; a trial saves the card by a SetupIntent. */
async function stripeSubscription(card: string, trialDays = 0): Promise<BillingSubscriptionEntity> {
  const sessionId = newId('cs');
  const subId = billingSubscriptionIdFor(sessionId);
  const pm = await paymentMethod(card);
  const customer = await stripe.billing.customerFor(subId, merchantId);
  let pi: string | null = null;
  if (trialDays > 0) await stripe.billing.setupOffSession(subId, customer, pm, 'http://return.example');
  else {
    const created = await stripe.createPayment({ manager: db.manager }, { merchantId, amountMinor: 1500, currency: 'GBP', captureMode: 'AUTOMATIC', metadata: {}, description: null, idempotencyKey: `create:${sessionId}` });
    expect((await stripe.confirmPayment({ manager: db.manager }, created.providerPaymentId, pm, 'http://return.example', { saveForOffSession: true, customer }, `confirm:${sessionId}`)).status).toBe('succeeded');
    pi = created.providerPaymentId;
  }
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: trialDays > 0 ? 0 : 1500,
    amountCapturedMinor: trialDays > 0 ? 0 : 1500, amountRefundedMinor: 0, provider: 'STRIPE', providerPaymentId: pi, paymentMethodId: pm, metadata: {},
    billingSubscriptionId: subId, billingPeriod: trialDays > 0 ? null : 1, billingPlan: { ...PLAN, trialDays, card: { brand: 'visa', last4: card.slice(-4) }, providerCustomerId: customer },
  });
  await db.transaction((mgr) => startSubscriptionFromPayment(mgr, intent));
  return subOf(subId);
}

/** Not linked (Handoff renews it): a trial on a card whose charges fail; its end charged by Handoff off-session → declined → PAST_DUE. The clock a day later. */
async function unlinkedPastDue(): Promise<{ sub: BillingSubscriptionEntity; clocked: RenewalDeps }> {
  const sub = await stripeSubscription(CHARGES_FAIL, 14);
  let now = new Date(sub.trialEnd!.getTime() + 60_000);
  const clocked: RenewalDeps = { ...deps, now: () => now };
  expect((await chargeOffSession(clocked, sub.id, 1)).outcome).toBe('declined');
  now = new Date(sub.trialEnd!.getTime() + 86_400_000);
  return { sub: await subOf(sub.id), clocked };
}

/** Linked (Stripe Billing renews it): Stripe's period-2 invoice declined, its events delivered → PAST_DUE. */
async function linkedPastDue(): Promise<{ sub: BillingSubscriptionEntity; stripeInvoice: string }> {
  const sub = await stripeSubscription(GOOD);
  expect(await linkStripeSubscription(deps, sub.id)).toBe('linked');
  const linked = await subOf(sub.id);
  const failed = await fake.billing.advance(linked.providerSubscriptionId!, { decline: true });
  await deliver(failed.events);
  expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 1 });
  return { sub: await subOf(sub.id), stripeInvoice: failed.invoice.id };
}

/** Stripe's signed events posted to the webhook route; waits until each is applied. */
async function deliver(events: FakeStripeEvent[]): Promise<void> {
  for (const e of events) {
    expect((await h.postWebhook(merchantId, e.payload, { 'stripe-signature': fake.billing.sign(e, WHSEC) }, 'stripe')).status).toBe(200);
    await waitFor(async () => (await db.query(`SELECT 1 FROM payment.webhook_inbox WHERE event_id = $1 AND processed_at IS NOT NULL`, [e.id]))[0], 20_000, `event ${e.type} applied`);
  }
}

describe('card update for a Stripe subscription Handoff renews (not linked)', () => {
  it('view names Stripe and its publishable key; a declined setup changes nothing and the link stays usable; the SetupIntent then confirmed with a good card pays the invoice at once', async () => {
    const { sub, clocked } = await unlinkedPastDue();
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'OPEN', attempts: 1 });
    const token = tokenOf((await links().create(asMerchant(merchantId), sub.id, 3600)).url);
    const page = pageFor(clocked);
    expect(await page.view(token)).toMatchObject({ provider: 'STRIPE', stripe: { publishable_key: PK }, status: 'past_due', amount_due: { period: 1, amount: 1500, status: 'open' }, payment_method: { last4: '0341' }, test_cards: [] });

    const setup = await page.setup(token);
    expect(setup.setup_intent).toMatch(/^seti_/);
    // The same link asks again (a reload): the same SetupIntent (Stripe's idempotency key names the link).
    expect((await page.setup(token)).setup_intent).toBe(setup.setup_intent);
    expect(fake.billing.setupIntents.get(setup.setup_intent)).toMatchObject({ customer: sub.providerCustomerId, usage: 'off_session', metadata: { handoff_billing_subscription_id: sub.id } });
    // The sandbox's inputs are refused for a Stripe merchant.
    await expect(page.apply(token, { testCard: GOOD })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'setup_intent' } });

    expect((await confirmAsStripeJs(setup.client_secret, DECLINE)).status).toBe(402);
    await expect(page.apply(token, { setupIntent: setup.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_DECLINED', reason: 'card_declined:generic_decline' } });
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', paymentMethodId: sub.paymentMethodId, version: sub.version });
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'OPEN', attempts: 1 });

    expect((await confirmAsStripeJs(setup.client_secret, GOOD)).body.status).toBe('succeeded');
    const done = await page.apply(token, { setupIntent: setup.setup_intent });
    expect(done).toMatchObject({ status: 'active', payment_method: { brand: 'visa', last4: '4242' }, retry: { outcome: 'paid', period: 1, invoice_status: 'paid' } });
    const after = await subOf(sub.id);
    expect(after).toMatchObject({ status: 'ACTIVE', currentPeriod: 1, paymentMethodId: fake.billing.setupIntents.get(setup.setup_intent)!.payment_method });
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'PAID', attempts: 2 });
    // The Customer's default card is the new one (the later Stripe Billing link uses it).
    expect(fake.billing.customers.get(sub.providerCustomerId!)!.invoice_settings.default_payment_method).toBe(after.paymentMethodId);
    // Through the change path: subscription.payment_method_updated, once.
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM payment.outbox WHERE topic = 'webhook_event.subscription.payment_method_updated' AND payload->'object'->>'id' = $1`, [sub.id]);
    expect(n).toBe(1);
    // One live intent for the period, confirmed successfully once at Stripe.
    const intents = await db.query(`SELECT provider_payment_id AS id, status FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 1`, [sub.id]);
    expect(intents).toEqual([{ id: expect.stringMatching(/^pi_/), status: 'SUCCEEDED' }]);

    await expect(page.apply(token, { setupIntent: setup.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_USED' } });
    await expect(page.setup(token)).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_USED' } });
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'PAID', attempts: 2 });
  });

  it('the page submitting twice at once: one card saved, CARD_UPDATE_LINK_USED for the other, one charge for the period', async () => {
    const { sub, clocked } = await unlinkedPastDue();
    const token = tokenOf(links().linkFor(sub).url);
    const setup = await pageFor(clocked).setup(token);
    expect((await confirmAsStripeJs(setup.client_secret, GOOD)).body.status).toBe('succeeded');
    const answers = await Promise.allSettled([pageFor(clocked).apply(token, { setupIntent: setup.setup_intent }), pageFor(clocked).apply(token, { setupIntent: setup.setup_intent })]);
    expect(answers.map(codeOf).sort()).toEqual(['CARD_UPDATE_LINK_USED', 'ok']);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 1 });
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'PAID', attempts: 2 });
    const [intent] = await db.query(`SELECT provider_payment_id AS id FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 1`, [sub.id]);
    const confirms = fake.requests.filter((r) => r.path === `/v1/payment_intents/${intent.id}/confirm`);
    // The declined renewal, then one confirm with the new card.
    expect(confirms.map((c) => c.form.payment_method)).toEqual([sub.paymentMethodId, (await subOf(sub.id)).paymentMethodId]);
  });

  it('refused, nothing written: authentication asked at setup, another customer\'s, another link\'s or an unknown SetupIntent; forged and expired links', async () => {
    const { sub, clocked } = await unlinkedPastDue();
    const other = await unlinkedPastDue();
    const token = tokenOf(links().linkFor(sub).url);
    const page = pageFor(clocked);
    const setup = await page.setup(token);

    expect((await confirmAsStripeJs(setup.client_secret, THREE_DS)).body.status).toBe('requires_action');
    await expect(page.apply(token, { setupIntent: setup.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_DECLINED', reason: 'setup_intent:requires_action' } });

    // Another subscription's (another Customer) SetupIntent, confirmed with a good card: not this link's.
    const theirs = await pageFor(clocked).setup(tokenOf(links().linkFor(other.sub).url));
    expect((await confirmAsStripeJs(theirs.client_secret, GOOD)).body.status).toBe('succeeded');
    await expect(page.apply(token, { setupIntent: theirs.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_SETUP_INVALID', reason: 'setup_intent:another_customer' } });
    // An earlier link of the same subscription: its SetupIntent is not this link's.
    const earlier = await pageFor(clocked).setup(tokenOf(links().linkFor(sub).url));
    expect((await confirmAsStripeJs(earlier.client_secret, GOOD)).body.status).toBe('succeeded');
    await expect(page.apply(token, { setupIntent: earlier.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_SETUP_INVALID', reason: 'setup_intent:another_link' } });
    await expect(page.apply(token, { setupIntent: 'seti_000000000000000000000000' })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_SETUP_INVALID', reason: 'setup_intent:unknown' } });
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', paymentMethodId: sub.paymentMethodId, version: sub.version });

    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await expect(page.setup(forged)).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_INVALID' } });
    await expect(page.apply(forged, { setupIntent: setup.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_INVALID' } });
    const later = () => new Date(Date.now() + 8 * 86_400_000);
    await expect(pageFor(clocked, later).apply(token, { setupIntent: setup.setup_intent })).rejects.toMatchObject({ extensions: { code: 'CARD_UPDATE_LINK_EXPIRED' } });
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'OPEN', attempts: 1 });
  });
});

describe('card update for a subscription Stripe Billing renews (linked)', () => {
  it('the new card becomes the Customer\'s and the Stripe Subscription\'s default; Stripe\'s open invoice is paid once (two submissions at once); its invoice.paid makes it ACTIVE', async () => {
    const { sub, stripeInvoice } = await linkedPastDue();
    // The merchant can ask for a link now, and the past-due webhook carries one.
    const link = await links().create(asMerchant(merchantId), sub.id, 3600);
    const [{ n: withLink }] = await db.query(`SELECT count(*)::int AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.payment_failed' AND payload->'object'->>'subscription_id' = $1 AND payload->'object' ? 'card_update_url'`, [sub.id]);
    expect(withLink).toBe(1);
    const token = tokenOf(link.url);
    const page = pageFor(deps);
    expect(await page.view(token)).toMatchObject({ provider: 'STRIPE', status: 'past_due', amount_due: { period: 2, amount: 1500, status: 'open' } });
    const setup = await page.setup(token);
    expect((await confirmAsStripeJs(setup.client_secret, '5555555555554444')).body.status).toBe('succeeded');
    const mark = fake.billing.events.length;

    const answers = await Promise.allSettled([page.apply(token, { setupIntent: setup.setup_intent }), pageFor(deps).apply(token, { setupIntent: setup.setup_intent })]);
    expect(answers.map(codeOf).sort()).toEqual(['CARD_UPDATE_LINK_USED', 'ok']);
    const done = answers.find((a) => a.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<CardUpdatePage['apply']>>>;
    expect(done.value).toMatchObject({ payment_method: { last4: '4444' }, retry: { outcome: 'paid', period: 2 } });

    const pm = fake.billing.setupIntents.get(setup.setup_intent)!.payment_method as string;
    expect(fake.billing.subscriptions.get(sub.providerSubscriptionId!)!.default_payment_method).toBe(pm);
    expect(fake.billing.customers.get(sub.providerCustomerId!)!.invoice_settings.default_payment_method).toBe(pm);
    expect(fake.requests.filter((r) => r.path === `/v1/invoices/${stripeInvoice}/pay`)).toHaveLength(1);
    expect(fake.billing.invoices.get(stripeInvoice)).toMatchObject({ status: 'paid', attempt_count: 2 });

    // Stripe's events of that payment, delivered: Handoff's invoice PAID, ACTIVE on period 2.
    const paidEvents = fake.billing.events.slice(mark);
    expect(paidEvents.filter((e) => e.type === 'payment_intent.succeeded')).toHaveLength(1);
    await deliver(paidEvents);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2, paymentMethodId: pm, paymentMethodLast4: '4444' });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID', providerInvoiceId: stripeInvoice });

    // A second link after the payment saves the card, pays nothing more.
    const again = tokenOf(links().linkFor(sub).url);
    const second = await page.setup(again);
    expect((await confirmAsStripeJs(second.client_secret, GOOD)).body.status).toBe('succeeded');
    expect(await page.apply(again, { setupIntent: second.setup_intent })).toMatchObject({ status: 'active', payment_method: { last4: '4242' }, retry: null });
    expect(fake.billing.events.slice(mark).filter((e) => e.type === 'payment_intent.succeeded')).toHaveLength(1);
  });
});
