// Stripe Billing through the gateway (issue 22 item 3; docs/recurring.md "Stripe Billing"): a
// STRIPE merchant sells a monthly plan (REST SUBSCRIPTION session, paid on the hosted page's pay
// route with a Stripe.js PaymentMethod); the card is saved to a Stripe Customer; the renewal scan
// links the subscription to a Stripe Subscription; Stripe's cycle (the local stand-in's test
// clock, test/support/fake-stripe-billing.ts) sends its signed webhooks to the gateway's
// /webhooks/stripe/{merchant}: the renewal invoice paid shows in GraphQL as period 2 PAID; a
// failed one makes the subscription PAST_DUE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe.js';

const SK = 'sk_test_51HandoffStripeBilling0001';
const PK = 'pk_test_51HandoffStripeBilling0001';
const WHSEC = 'whsec_handoff_stripe_billing_e2e_0001';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!, $input: ConnectPaymentProcessorInput!) { connectPaymentProcessor(merchantId: $id, input: $input) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { id status currentPeriod paymentMethod { provider last4 }
  invoices { period status attempts amount { amountMinor } paymentIntent { id status amount { amountMinor } } } } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { status url billingSubscription { id status } } }`;

let fake: FakeStripe;
let handoff: RunningHandoff;
let shop: { id: string; key: string; gql: GqlClient };

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

beforeAll(async () => {
  fake = await startFakeStripe();
  // The renewal scan (which links STRIPE subscriptions to Stripe Billing) every second instead of five minutes.
  handoff = await startTestHandoff({ extraEnv: { STRIPE_API_URL: fake.url, RENEWAL_SCAN_EVERY_MS: '1000' } });
  const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const input = { name: 'Stripe Monthly Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { id, input: { provider: 'STRIPE', secretKey: SK, publishableKey: PK, webhookSecret: WHSEC } });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  shop = { id, key, gql: admin.as(key) };
  // The merchant's webhook endpoint at Stripe: Handoff's public route.
  fake.billing.addWebhookEndpoint(SK, `${handoff.gatewayUrl}/webhooks/stripe/${id}`, WHSEC);
}, 180_000);

afterAll(async () => {
  await handoff?.stop();
  await fake?.close();
});

/** A monthly plan bought through the hosted page's pay route with a Stripe.js PaymentMethod; its subscription once linked to Stripe Billing. */
async function buyMonthlyPlan(): Promise<{ subscriptionId: string; stripeSubscriptionId: string }> {
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shop.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Pro plan', amount: 1500, quantity: 2, recurring: { interval: 'month', interval_count: 1 } }] }),
  });
  const created = (await res.json()) as { checkout_id: string };
  expect(res.status, JSON.stringify(created)).toBe(201);
  const sessionId = created.checkout_id;
  const url = (await shop.gql.ok(SESSION_SUB, { id: sessionId })).checkoutSession.url as string;
  const pm = (await (await fetch(`${fake.url}/v1/payment_methods`, { method: 'POST', body: new URLSearchParams({ key: PK, type: 'card', 'card[number]': '4242424242424242', 'card[exp_month]': '12', 'card[exp_year]': '2040', 'card[cvc]': '123' }) })).json()) as { id: string };
  const paid = await fetch(`${handoff.gatewayUrl}/api/checkout/${sessionId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${new URL(url).searchParams.get('cs')!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ payment_method: pm.id }),
  });
  expect(paid.status, await paid.clone().text()).toBe(200);
  const session = await until(() => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession), (s) => s.status === 'COMPLETE' && s.billingSubscription?.status === 'ACTIVE', 'the subscription ACTIVE');
  const subscriptionId = session.billingSubscription.id as string;
  // The card was saved to a Stripe Customer: the confirmation carried it and setup_future_usage.
  const confirm = fake.requests.find((r) => r.path.endsWith('/confirm') && r.form.payment_method === pm.id)!;
  expect(confirm.form.setup_future_usage).toBe('off_session');
  const customer = [...fake.billing.customers.values()].find((c) => c.metadata.handoff_billing_subscription_id === subscriptionId);
  expect(customer).toBeDefined();
  // The renewal scan links it to Stripe Billing's own Subscription.
  const stripeSub = await until(
    async () => [...fake.billing.subscriptions.values()].find((s) => s.metadata.handoff_billing_subscription_id === subscriptionId),
    (s) => s !== undefined,
    'the Stripe Subscription',
  );
  expect(stripeSub).toMatchObject({ customer: customer!.id, default_payment_method: pm.id, status: 'trialing' });
  return { subscriptionId, stripeSubscriptionId: stripeSub!.id as string };
}

const readSub = (id: string) => shop.gql.ok(SUB, { id }).then((d) => d.billingSubscription);

describe('Stripe Billing renews a STRIPE merchant\'s monthly plan', () => {
  it('Stripe\'s renewal invoice, paid, is period 2 PAID in GraphQL', async () => {
    const { subscriptionId, stripeSubscriptionId } = await buyMonthlyPlan();
    const { invoice } = await fake.billing.advance(stripeSubscriptionId);
    expect(invoice.status).toBe('paid');
    const sub = await until(() => readSub(subscriptionId), (s) => s.currentPeriod === 2, 'period 2');
    expect(sub).toMatchObject({ status: 'ACTIVE', paymentMethod: { provider: 'STRIPE', last4: '4242' } });
    const second = sub.invoices.find((i: { period: number }) => i.period === 2);
    expect(second).toMatchObject({ status: 'PAID', attempts: 1, amount: { amountMinor: 3000 }, paymentIntent: { status: 'SUCCEEDED', amount: { amountMinor: 3000 } } });
    expect(sub.invoices.filter((i: { period: number }) => i.period === 2)).toHaveLength(1);
  });

  it('a failed renewal makes it PAST_DUE with the invoice open; Stripe\'s retry that pays makes it ACTIVE', async () => {
    const { subscriptionId, stripeSubscriptionId } = await buyMonthlyPlan();
    const { invoice } = await fake.billing.advance(stripeSubscriptionId, { decline: true });
    const failed = await until(() => readSub(subscriptionId), (s) => s.status === 'PAST_DUE', 'PAST_DUE');
    expect(failed.currentPeriod).toBe(1);
    expect(failed.invoices.find((i: { period: number }) => i.period === 2)).toMatchObject({ status: 'OPEN', attempts: 1 });
    await fake.billing.retryInvoice(invoice.id);
    // Stripe's payment_intent.succeeded may pay the period first (the same renewalPaid); invoice.paid then records Stripe's attempt count.
    const paid = await until(
      () => readSub(subscriptionId),
      (s) => s.status === 'ACTIVE' && s.currentPeriod === 2 && s.invoices.some((i: { period: number; attempts: number }) => i.period === 2 && i.attempts === 2),
      'ACTIVE, period 2, its invoice at attempt 2',
    );
    expect(paid.invoices.find((i: { period: number }) => i.period === 2)).toMatchObject({ status: 'PAID', attempts: 2 });
  });
});

describe('a trial at Stripe', () => {
  it('saves the card with a SetupIntent (nothing charged); Stripe charging the trial\'s end with a card that fails makes it PAST_DUE', async () => {
    const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shop.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Pro plan', amount: 1500, quantity: 1, recurring: { interval: 'month', interval_count: 1, trial_days: 14 } }] }),
    });
    const sessionId = ((await res.json()) as { checkout_id: string }).checkout_id;
    expect(res.status).toBe(201);
    const url = (await shop.gql.ok(SESSION_SUB, { id: sessionId })).checkoutSession.url as string;
    // Stripe's test card that attaches to a customer but whose charges fail.
    const pm = (await (await fetch(`${fake.url}/v1/payment_methods`, { method: 'POST', body: new URLSearchParams({ key: PK, type: 'card', 'card[number]': '4000000000000341', 'card[exp_month]': '12', 'card[exp_year]': '2040', 'card[cvc]': '123' }) })).json()) as { id: string };
    const charges = () => fake.requests.filter((r) => r.path.endsWith('/confirm') && r.form.payment_method === pm.id).length;
    const paid = await fetch(`${handoff.gatewayUrl}/api/checkout/${sessionId}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${new URL(url).searchParams.get('cs')!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ payment_method: pm.id }),
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    const session = await until(() => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession), (s) => s.billingSubscription?.status === 'TRIALING', 'TRIALING');
    const subscriptionId = session.billingSubscription.id as string;
    expect(charges()).toBe(0);
    const setup = fake.requests.filter((r) => r.path === '/v1/setup_intents' && r.form.payment_method === pm.id);
    expect(setup).toHaveLength(1);
    expect(setup[0]!.form).toMatchObject({ usage: 'off_session', confirm: 'true' });
    const stripeSub = await until(
      async () => [...fake.billing.subscriptions.values()].find((s) => s.metadata.handoff_billing_subscription_id === subscriptionId),
      (s) => s !== undefined,
      'the Stripe Subscription',
    );
    await fake.billing.advance(stripeSub!.id);
    const sub = await until(() => readSub(subscriptionId), (s) => s.status === 'PAST_DUE', 'PAST_DUE');
    expect(sub.currentPeriod).toBe(0);
    expect(sub.invoices.find((i: { period: number }) => i.period === 1)).toMatchObject({ status: 'OPEN', attempts: 1, amount: { amountMinor: 1500 } });
  });
});
