// Stripe Billing behind a STRIPE merchant's subscription (issue 22; docs/recurring.md "Stripe
// Billing"), through the real `stripe` SDK against the local stand-in for Stripe's API
// (test/support/fake-stripe.ts + fake-stripe-billing.ts) and the real webhook route, inbox and
// ingest job: the card saved to a Customer (setup_future_usage + customer; a trial's SetupIntent),
// Stripe's Subscription created once (idempotency keys), its renewal invoices paid or failed by
// Stripe's signed webhooks onto Handoff's invoices and subscription through the renewals' own
// functions — delivered twice, concurrently and out of order, with the same end state.
import type { SubscriptionPlanTerms } from '@handoff/shared';
import { createLogger } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStripe, type FakeStripe } from '../../../test/support/fake-stripe.js';
import type { FakeStripeEvent } from '../../../test/support/fake-stripe-billing.js';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { linkStripeSubscription, tellStripeOfCancellation, type StripeLinkDeps } from '../src/billing-subscription/stripe-billing-link.js';
import { cancelBillingSubscription } from '../src/billing-subscription/lifecycle/cancel.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { findDueRenewals } from '../src/billing-subscription/renewal.job.js';
import { MerchantPort } from '../src/ports/merchant.port.js';
import { Connectors } from '../src/psp/connectors.js';
import { MerchantCredentialsClient } from '../src/psp/merchant-credentials.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { StripeConnector } from '../src/psp/stripe/stripe-connector.js';
import { admin, asMerchant, newId, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

const WHSEC = 'whsec_stripe_billing_secret_0123456789';
const SK = 'sk_test_billing0000000000';
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1500, quantity: 2 }] };

let fake: FakeStripe;
let h: PaymentsHarness;
let db: DataSource;
let merchantId: string;
let stripe: StripeConnector;
let deps: StripeLinkDeps;

beforeAll(async () => {
  fake = await startFakeStripe();
  h = await startPaymentsHarness({ STRIPE_API_URL: fake.url });
  db = h.payments.dataSource;
  const m = await h.callMerchant(admin, `mutation { createMerchant(input: { name: "Stripe billing shop", country: "GB", defaultCurrency: "GBP", commissionTerms: { type: CPA, cpa: { amountMinor: 1, currency: "GBP" } } }) { id } }`);
  merchantId = m.data!.createMerchant.id;
  await h.callMerchant(admin, `mutation($id: ID!, $wh: String!) { connectPaymentProcessor(merchantId: $id, input: { provider: STRIPE, secretKey: "${SK}", webhookSecret: $wh }) { provider } }`, { id: merchantId, wh: WHSEC });
  const credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  const connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('stripe-billing-test', 'silent'))), { apiUrl: fake.url });
  stripe = connectors.for((await credentials.get(merchantId))!) as StripeConnector;
  deps = { dataSource: db, credentials, connectors };
}, 120_000);

afterAll(async () => {
  // This file's subscriptions end here: no other file's renewal scan should try to link them to a Stripe that is gone.
  await db?.query(`UPDATE payment.billing_subscriptions SET status = 'CANCELED', next_renewal_at = NULL WHERE merchant_id = $1 AND status <> 'CANCELED'`, [merchantId]);
  await h?.close();
  await fake?.close();
});

/** A card tokenized by Stripe.js (the publishable key), as the hosted page does. */
async function paymentMethod(card: string): Promise<string> {
  const res = await fetch(`${fake.url}/v1/payment_methods`, { method: 'POST', body: new URLSearchParams({ key: 'pk_test_billing', type: 'card', 'card[number]': card, 'card[exp_month]': '12', 'card[exp_year]': '2040', 'card[cvc]': '123' }) });
  return ((await res.json()) as { id: string }).id;
}

/** What the checkout does for a STRIPE subscription (stripe-billing-checkout.ts), then the subscription it starts. */
async function stripeSubscription(card: string, trialDays = 0): Promise<BillingSubscriptionEntity> {
  const sessionId = newId('cs');
  const subId = billingSubscriptionIdFor(sessionId);
  const pm = await paymentMethod(card);
  const customer = await stripe.billing.customerFor(subId, merchantId);
  let pi: string | null = null;
  if (trialDays > 0) await stripe.billing.setupOffSession(subId, customer, pm, 'http://return.example');
  else {
    const created = await stripe.createPayment({ manager: db.manager }, { merchantId, amountMinor: 3000, currency: 'GBP', captureMode: 'AUTOMATIC', metadata: { handoff_checkout_session_id: sessionId }, description: null, idempotencyKey: `create:${sessionId}` });
    const paid = await stripe.confirmPayment({ manager: db.manager }, created.providerPaymentId, pm, 'http://return.example', { saveForOffSession: true, customer }, `confirm:${sessionId}`);
    expect(paid.status).toBe('succeeded');
    pi = created.providerPaymentId;
  }
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: trialDays > 0 ? 0 : 3000,
    amountCapturedMinor: trialDays > 0 ? 0 : 3000, amountRefundedMinor: 0, provider: 'STRIPE', providerPaymentId: pi, paymentMethodId: pm, metadata: { aap_agent_id: 'agent_stripe' },
    billingSubscriptionId: subId, billingPeriod: trialDays > 0 ? null : 1, billingPlan: { ...PLAN, trialDays, card: { brand: 'visa', last4: card.slice(-4) }, providerCustomerId: customer },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return subOf(subId);
}

const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string, period: number) => db.getRepository(BillingInvoiceEntity).findOneBy({ subscriptionId: id, period });
const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);

/** Posts events to the webhook route, signed as Stripe signs them, each `times` at once; waits until each is applied; their outcomes. */
async function deliver(events: FakeStripeEvent[], times = 1): Promise<string[]> {
  const answers = await Promise.all(events.flatMap((e) => Array.from({ length: times }, () => h.postWebhook(merchantId, e.payload, { 'stripe-signature': fake.billing.sign(e, WHSEC) }, 'stripe'))));
  for (const a of answers) expect(a.status).toBe(200);
  const outcomes: string[] = [];
  for (const e of events) {
    outcomes.push(
      await waitFor(async () => (await db.query(`SELECT outcome FROM payment.webhook_inbox WHERE event_id = $1 AND processed_at IS NOT NULL`, [e.id]))[0]?.outcome as string | undefined, 20_000, `event ${e.type} applied`),
    );
  }
  return outcomes;
}

/** The subscription linked to its Stripe Subscription (the scan may have linked it first). */
async function linked(sub: BillingSubscriptionEntity): Promise<BillingSubscriptionEntity> {
  expect(['linked', 'already_linked']).toContain(await linkStripeSubscription(deps, sub.id));
  return subOf(sub.id);
}

describe('Stripe Billing: the card saved at checkout', () => {
  it('confirms the first payment with customer + setup_future_usage=off_session; a retried customer creation gets the same Customer', async () => {
    const sub = await stripeSubscription('4242424242424242');
    expect(sub.providerCustomerId).toMatch(/^cus_/);
    expect(await stripe.billing.customerFor(sub.id, merchantId)).toBe(sub.providerCustomerId);
    expect(fake.billing.customers.size).toBeGreaterThan(0);
    const confirm = fake.requests.filter((r) => r.path.endsWith('/confirm')).at(-1)!;
    expect(confirm.form.setup_future_usage).toBe('off_session');
    const update = fake.requests.filter((r) => /^\/v1\/payment_intents\/pi_[0-9a-f]+$/.test(r.path) && r.method === 'POST').at(-1)!;
    expect(update.form.customer).toBe(sub.providerCustomerId);
  });

  it('links a Stripe Subscription once (price_data, the saved card, first invoice at the next renewal); two racing links make one', async () => {
    const sub = await stripeSubscription('4242424242424242');
    const outcomes = await Promise.all([1, 2, 3].map(() => linkStripeSubscription(deps, sub.id)));
    expect(outcomes.filter((o) => o === 'linked').length).toBeLessThanOrEqual(1);
    const after = await subOf(sub.id);
    expect(after.providerSubscriptionId).toMatch(/^sub_/);
    const created = [...fake.billing.subscriptions.values()].filter((s) => s.metadata.handoff_billing_subscription_id === sub.id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ id: after.providerSubscriptionId, customer: sub.providerCustomerId, default_payment_method: sub.paymentMethodId, trial_end: Math.floor(sub.nextRenewalAt!.getTime() / 1000) });
    expect(created[0]!.items.data[0]).toMatchObject({ quantity: 2, price: { unit_amount: 1500, currency: 'gbp', recurring: { interval: 'month', interval_count: 1 } } });
  });

  it('a run that created the Stripe Subscription and crashed before recording it: the next run adopts it (one Stripe Subscription), whatever its trial_end', async () => {
    const sub = await stripeSubscription('4242424242424242');
    const orphan = await stripe.billing.createSubscription({
      subscriptionId: sub.id, customer: sub.providerCustomerId!, paymentMethod: sub.paymentMethodId!, currency: 'GBP', interval: 'month', intervalCount: 1,
      items: [{ position: 0, name: 'Pro', unitAmountMinor: 1500, quantity: 2 }], firstInvoiceAt: new Date(sub.nextRenewalAt!.getTime() + 3_600_000),
    });
    expect(['linked', 'already_linked']).toContain(await linkStripeSubscription(deps, sub.id));
    expect((await subOf(sub.id)).providerSubscriptionId).toBe(orphan.id);
    expect([...fake.billing.subscriptions.values()].filter((s) => s.metadata.handoff_billing_subscription_id === sub.id)).toHaveLength(1);
  });

  it('a trial whose first card is declined at its SetupIntent is saved with the buyer\'s next card (the key is per card)', async () => {
    const subId = billingSubscriptionIdFor(newId('cs'));
    const customer = await stripe.billing.customerFor(subId, merchantId);
    await expect(stripe.billing.setupOffSession(subId, customer, await paymentMethod('4000000000000002'), 'http://return.example')).rejects.toThrow(/declined/);
    await expect(stripe.billing.setupOffSession(subId, customer, await paymentMethod('4242424242424242'), 'http://return.example')).resolves.toBeUndefined();
  });

  it('the renewal scan never charges a linked subscription itself (Stripe does); an unlinked one it still renews', async () => {
    const [linkedSub, unlinked] = [await linked(await stripeSubscription('4242424242424242')), await stripeSubscription('4242424242424242')];
    await db.query(`UPDATE payment.billing_subscriptions SET next_renewal_at = now() - interval '1 hour', provider_subscription_id = CASE WHEN id = $2 THEN NULL ELSE provider_subscription_id END WHERE id IN ($1, $2)`, [linkedSub.id, unlinked.id]);
    const due = (await findDueRenewals(db, new Date(), 10_000)).map((d) => d.subscriptionId);
    expect(due).toContain(unlinked.id);
    expect(due).not.toContain(linkedSub.id);
  });

  it('a card confirmed without being saved to the Customer cannot back a Stripe Subscription (Stripe refuses; nothing linked)', async () => {
    const sessionId = newId('cs');
    const subId = billingSubscriptionIdFor(sessionId);
    const customer = await stripe.billing.customerFor(subId, merchantId);
    const intent = Object.assign(new PaymentIntentEntity(), {
      id: newId('pi'), merchantId, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 3000, amountCapturedMinor: 3000, amountRefundedMinor: 0,
      provider: 'STRIPE', paymentMethodId: await paymentMethod('4242424242424242'), metadata: {}, billingSubscriptionId: subId, billingPeriod: 1,
      billingPlan: { ...PLAN, providerCustomerId: customer },
    });
    await db.transaction((m) => startSubscriptionFromPayment(m, intent));
    await expect(linkStripeSubscription(deps, subId)).rejects.toMatchObject({ extensions: { code: 'INVALID_STATE_TRANSITION', reason: 'psp_rejected' } });
    expect((await subOf(subId)).providerSubscriptionId).toBeNull();
  });
});

describe('Stripe Billing: renewals by webhook', () => {
  it('invoice.paid pays period 2 once, whatever the order and however often its events are delivered', async () => {
    const sub = await linked(await stripeSubscription('4242424242424242'));
    const creation = fake.billing.events.filter((e) => e.payload.includes(sub.providerSubscriptionId!));
    expect(await deliver(creation)).toEqual(expect.arrayContaining(['no_effect:trial_invoice']));
    const { invoice, events } = await fake.billing.advance(sub.providerSubscriptionId!);
    expect(events.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'invoice.paid', 'customer.subscription.updated']);
    await deliver([...events].reverse(), 3);
    const paid = (await invoiceOf(sub.id, 2))!;
    expect(paid).toMatchObject({ status: 'PAID', amountMinor: 3000, providerInvoiceId: invoice.id });
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    const intent = await db.getRepository(PaymentIntentEntity).findOneByOrFail({ id: paid.paymentIntentId! });
    expect(intent).toMatchObject({ status: 'SUCCEEDED', provider: 'STRIPE', billingSubscriptionId: sub.id, billingPeriod: 2, amountCapturedMinor: 3000 });
    expect(intent.providerPaymentId).toBe(fake.billing.events.find((e) => e.type === 'payment_intent.succeeded' && e.payload.includes(intent.providerPaymentId!))!.payload.match(/"id":"(pi_[0-9a-f]+)"/)![1]);
    expect(intent.metadata).toMatchObject({ aap_agent_id: 'agent_stripe' });
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
    // The ledger's input: the period's payment as psp_event.succeeded of its intent, with recurring and the aap_* attribution (Stripe's invoice PaymentIntent carries none), keyed by Stripe's PaymentIntent.
    const announced: Array<{ payload: any }> = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'psp_event.succeeded' AND aggregate_id = $1`, [intent.id]);
    expect(announced.length).toBeGreaterThanOrEqual(1);
    const attributed = announced.filter((r) => r.payload.object.metadata.aap_agent_id === 'agent_stripe');
    expect(attributed.length).toBeGreaterThanOrEqual(1);
    for (const r of attributed) {
      expect(r.payload.object).toMatchObject({ id: intent.providerPaymentId, status: 'succeeded', amountReceived: 3000 });
      expect(r.payload.paymentIntent.recurring).toEqual({ subscriptionId: sub.id, period: 2 });
    }
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.paid' AND payload->'object'->>'id' = $1`, [paid.id])).toBe(1);
    // The same events again, in Stripe's order this time: nothing moves.
    const before = await subOf(sub.id);
    await Promise.all(events.map((e) => fake.billing.deliver(e)));
    expect((await subOf(sub.id)).version).toBe(before.version);
  });

  it('invoice.payment_failed makes it PAST_DUE; Stripe\'s retry paid makes it ACTIVE; the late failure and the stale past_due change nothing', async () => {
    const sub = await linked(await stripeSubscription('4242424242424242'));
    const failed = await fake.billing.advance(sub.providerSubscriptionId!, { decline: true });
    expect(failed.events.map((e) => e.type)).toEqual(['payment_intent.payment_failed', 'invoice.payment_failed', 'customer.subscription.updated']);
    const [, invoiceFailed, pastDue] = failed.events;
    await deliver([invoiceFailed!], 2);
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 1 });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'OPEN', attempts: 1, providerInvoiceId: failed.invoice.id });
    expect((await invoiceOf(sub.id, 2))!.nextAttemptAt?.getTime()).toBe(failed.invoice.next_payment_attempt * 1000);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.payment_failed' AND payload->'object'->>'subscription_id' = $1`, [sub.id])).toBe(1);

    const retried = await fake.billing.retryInvoice(failed.invoice.id);
    expect(retried.events.map((e) => e.type)).toEqual(['payment_intent.succeeded', 'invoice.paid', 'customer.subscription.updated']);
    await deliver([retried.events[1]!]);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    // Out of order: the first attempt's past_due and all the rest arrive after the payment.
    expect(await deliver([pastDue!, failed.events[0]!, retried.events[0]!, retried.events[2]!])).toEqual(expect.any(Array));
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID', attempts: 2 });
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
  });

  it('an invoice event arriving while its subscription\'s link is committing waits for the link and applies', async () => {
    const sub = await stripeSubscription('4242424242424242');
    const created = await stripe.billing.createSubscription({
      subscriptionId: sub.id, customer: sub.providerCustomerId!, paymentMethod: sub.paymentMethodId!, currency: 'GBP', interval: 'month', intervalCount: 1,
      items: [{ position: 0, name: 'Pro', unitAmountMinor: 1500, quantity: 2 }], firstInvoiceAt: sub.nextRenewalAt!,
    });
    // The link's transaction: the row locked and the Stripe id written, not committed yet.
    const link = db.createQueryRunner();
    await link.connect();
    await link.startTransaction();
    try {
      await link.query(`SELECT id FROM payment.billing_subscriptions WHERE id = $1 FOR UPDATE`, [sub.id]);
      await link.query(`UPDATE payment.billing_subscriptions SET provider_subscription_id = $2, version = version + 1 WHERE id = $1`, [sub.id, created.id]);
      const { events } = await fake.billing.advance(created.id);
      const paid = events.find((e) => e.type === 'invoice.paid')!;
      expect((await h.postWebhook(merchantId, paid.payload, { 'stripe-signature': fake.billing.sign(paid, WHSEC) }, 'stripe')).status).toBe(200);
      // The ingest job waits on the row lock.
      // (pg_stat_activity keeps the start of a query: TypeORM's names the entity before the table.)
      await waitFor(async () => Number((await db.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE '%BillingSubscriptionEntity%'`))[0].n) > 0, 20_000, 'the event waiting on the lock');
      await link.commitTransaction();
      expect(await deliver([paid])).toEqual(['applied']);
    } finally {
      if (link.isTransactionActive) await link.rollbackTransaction();
      await link.release();
    }
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
  });

  it('a failure delivered after the payment of the same invoice changes nothing', async () => {
    const sub = await linked(await stripeSubscription('4242424242424242'));
    const failed = await fake.billing.advance(sub.providerSubscriptionId!, { decline: true });
    const retried = await fake.billing.retryInvoice(failed.invoice.id);
    await deliver([retried.events[1]!]);
    await deliver([failed.events[1]!]);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID' });
  });

  it('a trial: the card saved by a SetupIntent; the trial\'s end is period 1, paid by Stripe; a card that cannot be charged makes it PAST_DUE', async () => {
    const sub = await linked(await stripeSubscription('4000000000000341', 14));
    expect(sub).toMatchObject({ status: 'TRIALING', currentPeriod: 0 });
    expect(fake.requests.some((r) => r.path === '/v1/setup_intents' && r.form.customer === sub.providerCustomerId && r.form.usage === 'off_session')).toBe(true);
    const { events } = await fake.billing.advance(sub.providerSubscriptionId!);
    await deliver(events);
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 0 });
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'OPEN', attempts: 1 });
  });

  it('customer.subscription.deleted cancels it (its open invoice VOID); an event of another merchant\'s secret is never applied', async () => {
    const sub = await linked(await stripeSubscription('4242424242424242'));
    const failed = await fake.billing.advance(sub.providerSubscriptionId!, { decline: true });
    await deliver([failed.events[1]!]);
    await fetch(`${fake.url}/v1/subscriptions/${sub.providerSubscriptionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${SK}` } });
    const deleted = fake.billing.events.filter((e) => e.type === 'customer.subscription.deleted' && e.payload.includes(sub.providerSubscriptionId!));
    expect(deleted).toHaveLength(1);
    // The same object in an event signed by another Stripe merchant: recorded, never applied.
    const m2 = (await h.callMerchant(admin, `mutation { createMerchant(input: { name: "Other Stripe shop", country: "GB", defaultCurrency: "GBP", commissionTerms: { type: CPA, cpa: { amountMinor: 1, currency: "GBP" } } }) { id } }`)).data!.createMerchant.id as string;
    const otherSecret = 'whsec_other_stripe_billing_0123456789';
    await h.callMerchant(admin, `mutation($id: ID!, $wh: String!) { connectPaymentProcessor(merchantId: $id, input: { provider: STRIPE, secretKey: "sk_test_otherbilling000000", webhookSecret: $wh }) { provider } }`, { id: m2, wh: otherSecret });
    const forged = { ...deleted[0]!, id: newId('evt'), payload: JSON.stringify({ ...JSON.parse(deleted[0]!.payload), id: '' }) };
    forged.payload = forged.payload.replace('"id":""', `"id":"${forged.id}"`);
    expect((await h.postWebhook(m2, forged.payload, { 'stripe-signature': fake.billing.sign(forged, otherSecret) }, 'stripe')).status).toBe(200);
    expect(await waitFor(async () => (await db.query(`SELECT outcome FROM payment.webhook_inbox WHERE event_id = $1 AND processed_at IS NOT NULL`, [forged.id]))[0]?.outcome as string | undefined, 20_000, 'forged applied')).toBe('no_effect:merchant_mismatch');
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE' });
    expect(await deliver(deleted, 2)).toEqual(['applied']);
    expect(await subOf(sub.id)).toMatchObject({ status: 'CANCELED', nextRenewalAt: null });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'VOID' });
  });
});

describe('Stripe Billing: Handoff\'s cancellations reach Stripe', () => {
  it('canceled now in Handoff: Stripe\'s Subscription canceled once, even when three runs race; its deleted event changes nothing more', async () => {
    const sub = await linked(await stripeSubscription('4242424242424242'));
    await cancelBillingSubscription(db, asMerchant(merchantId), sub.id, false);
    const outcomes = await Promise.all([1, 2, 3].map(() => tellStripeOfCancellation(deps, sub.id)));
    expect(outcomes.filter((o) => o === 'told').length).toBeLessThanOrEqual(1);
    expect(fake.billing.subscriptions.get(sub.providerSubscriptionId!)).toMatchObject({ status: 'canceled' });
    expect(fake.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(sub.providerSubscriptionId!))).toHaveLength(1);
    expect(await subOf(sub.id)).toMatchObject({ status: 'CANCELED', providerTold: 'canceled' });
    const deleted = fake.billing.events.filter((e) => e.type === 'customer.subscription.deleted' && e.payload.includes(sub.providerSubscriptionId!));
    const version = (await subOf(sub.id)).version;
    expect(await deliver(deleted)).toEqual(['no_effect:already_there']);
    expect((await subOf(sub.id)).version).toBe(version);
  });

  it('canceled at period end in Handoff: Stripe\'s Subscription set to cancel; at the period\'s end Stripe ends it and Handoff\'s is CANCELED, with no invoice', async () => {
    const sub = await linked(await stripeSubscription('4242424242424242'));
    await cancelBillingSubscription(db, asMerchant(merchantId), sub.id, true);
    expect(await tellStripeOfCancellation(deps, sub.id)).toBe('told');
    expect(await tellStripeOfCancellation(deps, sub.id)).toBe('nothing_to_tell');
    expect(fake.billing.subscriptions.get(sub.providerSubscriptionId!)).toMatchObject({ cancel_at_period_end: true, status: 'trialing' });
    const { events } = await fake.billing.advance(sub.providerSubscriptionId!);
    expect(events.map((e) => e.type)).toEqual(['customer.subscription.deleted']);
    await deliver(events);
    expect(await subOf(sub.id)).toMatchObject({ status: 'CANCELED', currentPeriod: 1 });
    expect(await invoiceOf(sub.id, 2)).toBeNull();
  });
});
