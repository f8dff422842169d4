// Recurring billing's foundation (issue 22) through the gateway: a merchant sells a monthly plan
// through a SUBSCRIPTION checkout session (REST POST /v1/checkout/sessions with a recurring line),
// the buyer pays on the hosted page's pay route with a sandbox test card, and the merchant reads
// the BillingSubscription (GraphQL and GET /v1/subscriptions/{id}): ACTIVE, invoice 1 PAID by
// the checkout's intent, period 1 ending one month after it started, the card saved (masked),
// the intent's events carrying recurring { subscriptionId, period: 1 }, subscription.created and
// invoice.paid in the outbox. The trial variant (GraphQL session, REST tokenize + confirm): nothing
// charged, TRIALING, no invoice, next renewal at the trial's end. Bad input: stable codes, nothing
// written. Another merchant sees none of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url mode lineItems { name recurring { interval intervalCount trialDays } } paymentIntent { id } } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id recurring { interval intervalCount trialDays } } }`;
const SUB_FIELDS = `id status currency currentPeriod currentPeriodStart currentPeriodEnd nextRenewalAt trialStart trialEnd cancelAtPeriodEnd
  recurring { interval intervalCount trialDays } merchant { id } checkoutSession { id status }
  items { name offerId quantity unitAmount { amountMinor currency } recurring { interval } }
  paymentMethod { brand last4 provider }
  invoices { id period status amount { amountMinor currency } periodStart periodEnd attempts paidAt paymentIntent { id status amount { amountMinor } } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { id status billingSubscription { ${SUB_FIELDS} } paymentIntent { id status amount { amountMinor } amountCaptured { amountMinor } } } }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { ${SUB_FIELDS} } }`;
const SUBS = `query($status: BillingSubscriptionStatus) { billingSubscriptions(first: 50, status: $status) { totalCount edges { node { id status } } } }`;

const MONTH_MS = { min: 28 * 86_400_000, max: 31 * 86_400_000 };

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: { id: string; key: string; gql: GqlClient };
let other: { id: string; key: string; gql: GqlClient };

async function merchant(name: string) {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
}

async function rest(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

const paymentDb = () => handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app.dataSource;
const checkoutDb = () => handoff.subgraphs.find((s) => s.name === 'checkout-session')!.app.dataSource;
const count = async (sql: string, params: unknown[] = []) => Number((await paymentDb().query(sql, params))[0].n);

/** Pays a session on the hosted page's pay route, as the buyer's browser does. */
async function payOnHostedPage(sessionId: string, url: string, number: string) {
  const secret = new URL(url).searchParams.get('cs')!;
  const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${sessionId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ card: { number, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await merchant('Monthly Plans Ltd');
  other = await merchant('Someone Else');
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('recurring billing: a monthly plan sold through the hosted page', () => {
  it('REST creates a SUBSCRIPTION session; the buyer pays on the hosted page; the subscription is ACTIVE with invoice 1 paid, for one month', async () => {
    const created = await rest('POST', '/v1/checkout/sessions', shop.key, {
      currency: 'GBP',
      mode: 'subscription',
      line_items: [{ name: 'Pro plan', amount: 1500, quantity: 2, recurring: { interval: 'month', interval_count: 1 } }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.mode).toBe('subscription');
    expect(created.body.line_items[0].recurring).toEqual({ interval: 'month', interval_count: 1, trial_days: 0 });
    const sessionId = created.body.checkout_id as string;
    const url = (await shop.gql.ok(`query($id: ID!) { checkoutSession(id: $id) { url } }`, { id: sessionId })).checkoutSession.url as string;

    // The page tells the buyer it renews, and that the card is kept.
    const page = await (await fetch(url)).text();
    expect(page).toContain('£30.00 every month until you cancel. Your card is saved for the renewals.');
    const paid = await payOnHostedPage(sessionId, url, '4242424242424242');
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);

    const read = () => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession);
    const s = await until(read, (x) => x.status === 'COMPLETE' && x.billingSubscription !== null, 'the session COMPLETE with its subscription');
    const sub = s.billingSubscription;
    expect(sub.id).toMatch(/^bsub_[0-9a-f]{24}$/);
    expect(sub).toMatchObject({
      status: 'ACTIVE',
      currency: 'GBP',
      currentPeriod: 1,
      cancelAtPeriodEnd: false,
      trialStart: null,
      trialEnd: null,
      recurring: { interval: 'MONTH', intervalCount: 1, trialDays: 0 },
      merchant: { id: shop.id },
      checkoutSession: { id: sessionId, status: 'COMPLETE' },
      items: [{ name: 'Pro plan', offerId: null, quantity: 2, unitAmount: { amountMinor: 1500, currency: 'GBP' }, recurring: { interval: 'MONTH' } }],
      paymentMethod: { brand: 'visa', last4: '4242', provider: 'TEST' },
    });
    const start = Date.parse(sub.currentPeriodStart);
    const end = Date.parse(sub.currentPeriodEnd);
    expect(end - start).toBeGreaterThanOrEqual(MONTH_MS.min);
    expect(end - start).toBeLessThanOrEqual(MONTH_MS.max);
    const startDate = new Date(start);
    const expectedEnd = new Date(Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() + 1, 1));
    expectedEnd.setUTCDate(Math.min(startDate.getUTCDate(), new Date(Date.UTC(expectedEnd.getUTCFullYear(), expectedEnd.getUTCMonth() + 1, 0)).getUTCDate()));
    expect(new Date(end).toISOString().slice(0, 10)).toBe(expectedEnd.toISOString().slice(0, 10)); // same day next month (clamped)
    expect(sub.nextRenewalAt).toBe(sub.currentPeriodEnd);
    expect(sub.invoices).toHaveLength(1);
    expect(sub.invoices[0]).toMatchObject({
      period: 1,
      status: 'PAID',
      amount: { amountMinor: 3000, currency: 'GBP' },
      attempts: 1,
      periodStart: sub.currentPeriodStart,
      periodEnd: sub.currentPeriodEnd,
      paymentIntent: { id: s.paymentIntent.id, status: 'SUCCEEDED', amount: { amountMinor: 3000 } },
    });
    expect(s.paymentIntent.amountCaptured.amountMinor).toBe(3000);

    // The saved card is the sandbox's vault token: kept, never shown.
    const [row] = await paymentDb().query(`SELECT payment_method_id FROM payment.billing_subscriptions WHERE id = $1`, [sub.id]);
    expect(row.payment_method_id).toMatch(/^pm_/);
    expect(JSON.stringify(sub)).not.toContain(row.payment_method_id);

    // Every payment_intent.* event of the first payment once it was being paid names period 1 of the subscription.
    const events = await paymentDb().query(
      `SELECT topic, payload FROM payment.outbox WHERE aggregate_id = $1 AND topic LIKE 'payment_intent.%' ORDER BY created_at, id`,
      [s.paymentIntent.id],
    );
    const succeeded = events.filter((e: any) => e.topic === 'payment_intent.succeeded');
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0].payload.paymentIntent.recurring).toEqual({ subscriptionId: sub.id, period: 1 });
    // Outbound webhook events, exactly once each.
    const webhookTypes = await paymentDb().query(
      `SELECT topic FROM payment.outbox WHERE topic IN ('webhook_event.subscription.created', 'webhook_event.invoice.paid') AND payload->'object'->>'id' IN ($1, $2) ORDER BY topic`,
      [sub.id, sub.invoices[0].id],
    );
    expect(webhookTypes.map((r: any) => r.topic)).toEqual(['webhook_event.invoice.paid', 'webhook_event.subscription.created']);

    // REST reads: one subscription, and the merchant's list.
    const one = await rest('GET', `/v1/subscriptions/${sub.id}`, shop.key);
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body).toMatchObject({
      id: sub.id,
      object: 'subscription',
      status: 'active',
      checkout_id: sessionId,
      recurring: { interval: 'month', interval_count: 1, trial_days: 0 },
      items: [{ name: 'Pro plan', quantity: 2, unit_amount: 1500, interval: 'month', interval_count: 1 }],
      current_period: 1,
      current_period_end: Math.floor(end / 1000),
      payment_method: { brand: 'visa', last4: '4242', provider: 'test' },
      invoices: [{ period: 1, status: 'paid', amount: 3000, currency: 'GBP', attempts: 1, payment_intent: s.paymentIntent.id }],
    });
    const list = await rest('GET', '/v1/subscriptions?status=active', shop.key);
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: any) => x.id)).toContain(sub.id);

    // Another merchant: null in GraphQL, 404 on REST, absent from its list.
    expect((await other.gql.ok(SUB, { id: sub.id })).billingSubscription).toBeNull();
    expect((await rest('GET', `/v1/subscriptions/${sub.id}`, other.key)).status).toBe(404);
    expect((await other.gql.ok(SUBS, {})).billingSubscriptions.edges.map((e: any) => e.node.id)).not.toContain(sub.id);
    expect((await shop.gql.ok(SUBS, { status: 'ACTIVE' })).billingSubscriptions.edges.map((e: any) => e.node.id)).toContain(sub.id);

    // Created once: one subscription, one invoice for the session.
    expect(await count(`SELECT count(*) AS n FROM payment.billing_subscriptions WHERE checkout_session_id = $1`, [sessionId])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payment.billing_invoices WHERE subscription_id = $1`, [sub.id])).toBe(1);
  });

  it('a declined first payment starts no subscription; the retry with a good card does', async () => {
    const s = (await shop.gql.ok(CREATE_SESSION, {
      input: { mode: 'SUBSCRIPTION', lineItems: [{ name: 'Weekly box', unitAmount: { amountMinor: 900, currency: 'GBP' }, quantity: 1, recurring: { interval: 'WEEK', intervalCount: 2 } }] },
    })).createCheckoutSession;
    const declined = await payOnHostedPage(s.id, s.url, '4000000000000002');
    expect(declined.status).toBeGreaterThanOrEqual(400);
    expect(await count(`SELECT count(*) AS n FROM payment.billing_subscriptions WHERE checkout_session_id = $1`, [s.id])).toBe(0);
    const ok = await payOnHostedPage(s.id, s.url, '4242424242424242');
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const read = () => shop.gql.ok(SESSION_SUB, { id: s.id }).then((d) => d.checkoutSession);
    const done = await until(read, (x) => x.billingSubscription !== null, 'the subscription');
    expect(done.billingSubscription).toMatchObject({ status: 'ACTIVE', recurring: { interval: 'WEEK', intervalCount: 2 }, invoices: [{ period: 1, status: 'PAID', amount: { amountMinor: 900 } }] });
    const span = Date.parse(done.billingSubscription.currentPeriodEnd) - Date.parse(done.billingSubscription.currentPeriodStart);
    expect(span).toBe(14 * 86_400_000);
  });

  it('whatever moves the first payment to succeeded starts the subscription once: 3-D Secure approved, and the PSP\'s webhook of a processing payment', async () => {
    const monthly = async (name: string) =>
      (await shop.gql.ok(CREATE_SESSION, {
        input: { mode: 'SUBSCRIPTION', lineItems: [{ name, unitAmount: { amountMinor: 1100, currency: 'GBP' }, quantity: 1, recurring: { interval: 'MONTH' } }] },
      })).createCheckoutSession;
    const post = async (s: { id: string; url: string }, path: string, body: unknown) => {
      const secret = new URL(s.url).searchParams.get('cs')!;
      const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const subscriptionOf = (id: string) =>
      until(() => shop.gql.ok(SESSION_SUB, { id }).then((d) => d.checkoutSession), (x) => x.status === 'COMPLETE' && x.billingSubscription !== null, `the subscription of ${id}`, 30_000);

    // 3-D Secure: nothing starts while the challenge is pending; the approval starts it.
    const threeDS = await monthly('Plan (3DS)');
    const challenged = await payOnHostedPage(threeDS.id, threeDS.url, '4000002760003184');
    expect(challenged.body.payment).toMatchObject({ status: 'requires_action' });
    expect(await count(`SELECT count(*) AS n FROM payment.billing_subscriptions WHERE checkout_session_id = $1`, [threeDS.id])).toBe(0);
    expect((await post(threeDS, 'three-d-secure', { approved: true })).body.payment.status).toBe('succeeded');
    const a = (await subscriptionOf(threeDS.id)).billingSubscription;
    expect(a).toMatchObject({ status: 'ACTIVE', invoices: [{ period: 1, status: 'PAID', amount: { amountMinor: 1100 } }], paymentMethod: { last4: '3184' } });

    // Processing: the sandbox's webhook reports the success later; the subscription starts from it.
    const processing = await monthly('Plan (processing)');
    expect((await payOnHostedPage(processing.id, processing.url, '4000000000000077')).body.payment.status).toBe('processing');
    const b = (await subscriptionOf(processing.id)).billingSubscription;
    expect(b).toMatchObject({ status: 'ACTIVE', invoices: [{ period: 1, status: 'PAID', amount: { amountMinor: 1100 } }] });
    for (const id of [threeDS.id, processing.id]) {
      expect(await count(`SELECT count(*) AS n FROM payment.billing_subscriptions WHERE checkout_session_id = $1`, [id])).toBe(1);
    }
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.subscription.created' AND payload->'object'->>'id' IN ($1, $2)`, [a.id, b.id])).toBe(2);
  });

  it('with a trial: the card is saved, nothing is charged, the subscription is TRIALING until the trial ends (REST tokenize + confirm)', async () => {
    const s = (await shop.gql.ok(CREATE_SESSION, {
      input: { mode: 'SUBSCRIPTION', lineItems: [{ name: 'Pro plan (trial)', unitAmount: { amountMinor: 2000, currency: 'GBP' }, quantity: 1, recurring: { interval: 'MONTH', trialDays: 14 } }] },
    })).createCheckoutSession;
    expect(s.lineItems[0].recurring).toEqual({ interval: 'MONTH', intervalCount: 1, trialDays: 14 });
    const s0 = (await shop.gql.ok(`query($id: ID!) { checkoutSession(id: $id) { url } }`, { id: s.id })).checkoutSession.url as string;
    expect(await (await fetch(s0)).text()).toContain('Free for 14 days, then £20.00 every month. Nothing is charged today; your card is saved for the renewals.');
    const token = await rest('POST', '/v1/checkout/payment-methods/tokenize', shop.key, { card: { number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 2, cvc: '123' } });
    expect(token.status, JSON.stringify(token.body)).toBe(201);
    const pm = token.body.payment_method_id as string;
    const confirmed = await rest('POST', `/v1/checkout/payment-intents/${s.paymentIntent.id}/confirm`, shop.key, { payment_method_id: pm });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    const read = () => shop.gql.ok(SESSION_SUB, { id: s.id }).then((d) => d.checkoutSession);
    const done = await until(read, (x) => x.status === 'COMPLETE' && x.billingSubscription !== null, 'the trial started and the session COMPLETE');
    const sub = done.billingSubscription;
    expect(sub).toMatchObject({ status: 'TRIALING', currentPeriod: 0, invoices: [], paymentMethod: { brand: 'visa', last4: '4242' } });
    expect(Date.parse(sub.trialEnd) - Date.parse(sub.trialStart)).toBe(14 * 86_400_000);
    expect(sub.nextRenewalAt).toBe(sub.trialEnd);
    // Nothing charged: the intent succeeded at 0 and the sandbox charged nothing.
    expect(done.paymentIntent).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 0 }, amountCaptured: { amountMinor: 0 } });
    const [psp] = await paymentDb().query(`SELECT billing_subscription_id, billing_period FROM payment.payment_intents WHERE id = $1`, [s.paymentIntent.id]);
    expect(psp).toMatchObject({ billing_subscription_id: sub.id, billing_period: null });
  });
});

describe('recurring billing: bad input', () => {
  const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
  const codeOf = async (input: Record<string, unknown>) => {
    const r = await shop.gql.request(CREATE_SESSION, { input });
    return { code: r.errors?.[0]?.extensions?.code, reason: r.errors?.[0]?.extensions?.reason, field: r.errors?.[0]?.extensions?.field };
  };

  it('refuses bad recurring prices and lines that make no subscription, with stable codes, writing nothing', async () => {
    const before = Number((await checkoutDb().query(`SELECT count(*) AS n FROM checkout.checkout_sessions WHERE merchant_id = $1`, [shop.id]))[0].n);
    const line = (recurring: unknown, extra: Record<string, unknown> = {}) => ({ name: 'Plan', unitAmount: gbp(1000), quantity: 1, recurring, ...extra });
    const cases: Array<[Record<string, unknown>, { code: string; reason: string }]> = [
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'FORTNIGHT' })] }, { code: 'INVALID_RECURRING_PRICE', reason: 'recurring:interval' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH', intervalCount: 0 })] }, { code: 'INVALID_RECURRING_PRICE', reason: 'recurring:interval_count' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH', intervalCount: -3 })] }, { code: 'INVALID_RECURRING_PRICE', reason: 'recurring:interval_count' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH', trialDays: -1 })] }, { code: 'INVALID_RECURRING_PRICE', reason: 'recurring:trial_days' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH', trialDays: 366 })] }, { code: 'INVALID_RECURRING_PRICE', reason: 'recurring:trial_days' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line(null)] }, { code: 'SUBSCRIPTION_LINES_INVALID', reason: 'subscription:no_recurring_line' }],
      [{ mode: 'PAYMENT', lineItems: [line({ interval: 'MONTH' })] }, { code: 'SUBSCRIPTION_LINES_INVALID', reason: 'subscription:recurring_in_payment_mode' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH' }), line({ interval: 'YEAR' })] }, { code: 'SUBSCRIPTION_LINES_INVALID', reason: 'subscription:mixed_intervals' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH', trialDays: 7 }), line({ interval: 'MONTH' })] }, { code: 'SUBSCRIPTION_LINES_INVALID', reason: 'subscription:mixed_trials' }],
      [{ mode: 'SUBSCRIPTION', lineItems: [line({ interval: 'MONTH', trialDays: 7 }), line(null)] }, { code: 'SUBSCRIPTION_LINES_INVALID', reason: 'subscription:trial_with_one_time_lines' }],
    ];
    for (const [input, want] of cases) expect(await codeOf(input), JSON.stringify(input)).toMatchObject(want);
    const after = Number((await checkoutDb().query(`SELECT count(*) AS n FROM checkout.checkout_sessions WHERE merchant_id = $1`, [shop.id]))[0].n);
    expect(after).toBe(before);
  });

  it('REST answers the same codes in its own names (400 / 422), and a bad mode', async () => {
    const bad = await rest('POST', '/v1/checkout/sessions', shop.key, {
      currency: 'GBP',
      mode: 'subscription',
      line_items: [{ name: 'Plan', amount: 1000, recurring: { interval: 'month', interval_count: 0 } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_RECURRING_PRICE' });
    expect(JSON.stringify(bad.body)).toContain('interval_count');
    const none = await rest('POST', '/v1/checkout/sessions', shop.key, { currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Plan', amount: 1000 }] });
    expect(none.status).toBe(422);
    expect(none.body).toMatchObject({ code: 'SUBSCRIPTION_LINES_INVALID' });
    const mode = await rest('POST', '/v1/checkout/sessions', shop.key, { currency: 'GBP', mode: 'weekly', line_items: [{ name: 'Plan', amount: 1000 }] });
    expect(mode.status).toBe(400);
    expect((await rest('GET', '/v1/subscriptions/bsub_000000000000000000000000', shop.key)).status).toBe(404);
    expect((await rest('GET', '/v1/subscriptions?status=sleeping', shop.key)).status).toBe(400);
  });

  it('a delegated payment token (ACP) cannot pay a SUBSCRIPTION session: refused, nothing charged, no subscription', async () => {
    const agentId = (await admin.ok(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, { input: { name: 'Plan agent', builderName: `Plan builder ${Date.now()}` } })).registerAgent.id;
    const agentKey = (await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key as string;
    const s = (await shop.gql.ok(CREATE_SESSION, {
      input: { mode: 'SUBSCRIPTION', lineItems: [{ name: 'Plan', unitAmount: gbp(1500), quantity: 1, recurring: { interval: 'MONTH' } }] },
    })).createCheckoutSession;
    const delegated = await fetch(`${handoff.gatewayUrl}/acp/${shop.id}/agentic_commerce/delegate_payment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json', 'api-version': '2026-04-17', 'idempotency-key': `plan-${s.id}` },
      body: JSON.stringify({
        payment_method: {
          type: 'card', card_number_type: 'fpan', virtual: false, number: '4242424242424242', exp_month: '11', exp_year: String(new Date().getUTCFullYear() + 2),
          name: 'Jane Doe', cvc: '223', checks_performed: ['cvv'], iin: '424242', display_card_funding_type: 'credit', display_brand: 'visa', display_last4: '4242', metadata: {},
        },
        allowance: { reason: 'one_time', max_amount: 2000, currency: 'gbp', checkout_session_id: s.id, merchant_id: shop.id, expires_at: new Date(Date.now() + 3600_000).toISOString() },
        risk_signals: [{ type: 'card_testing', score: 10, action: 'authorized' }],
        metadata: {},
      }),
    });
    const vt = ((await delegated.json()) as any).id as string;
    expect(delegated.status).toBe(201);
    const r = await admin.as(agentKey).request(`mutation($input: PayCheckoutWithDelegatedPaymentInput!) { payCheckoutWithDelegatedPayment(input: $input) { paymentIntent { id status } } }`, {
      input: { checkoutSessionId: s.id, token: vt },
    });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'paymentMethod' });
    const pi = (await shop.gql.ok(`query($id: ID!) { paymentIntent(id: $id) { status amountCaptured { amountMinor } } }`, { id: s.paymentIntent.id })).paymentIntent;
    expect(pi).toEqual({ status: 'REQUIRES_PAYMENT_METHOD', amountCaptured: { amountMinor: 0 } });
    expect(await count(`SELECT count(*) AS n FROM payment.billing_subscriptions WHERE checkout_session_id = $1`, [s.id])).toBe(0);
  });

  it("an offer's recurring price is taken by a SUBSCRIPTION session's line of it, and a bad one is refused", async () => {
    const offer = (await shop.gql.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Yearly plan', price: gbp(12000), recurring: { interval: 'year' } } })).createOffer;
    expect(offer.recurring).toEqual({ interval: 'YEAR', intervalCount: 1, trialDays: 0 });
    const s = (await shop.gql.ok(CREATE_SESSION, { input: { mode: 'SUBSCRIPTION', lineItems: [{ name: 'Yearly plan', unitAmount: gbp(12000), quantity: 1, offerId: offer.id }] } })).createCheckoutSession;
    expect(s.lineItems[0].recurring).toEqual({ interval: 'YEAR', intervalCount: 1, trialDays: 0 });
    const r = await shop.gql.request(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Bad', price: gbp(100), recurring: { interval: 'YEAR', intervalCount: 2 } } });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_RECURRING_PRICE', reason: 'recurring:interval_count' });
  });
});
