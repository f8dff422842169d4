// Recurring billing end to end through the gateway (issue 22): a merchant whose commission terms
// pay EVERY_RENEWAL for 2 periods sells a monthly plan; an agent recommends it and checks out (a
// SUBSCRIPTION session carrying the signed attribution); the buyer pays on the hosted page's pay
// route with a sandbox test card; period 1 is PAID and earns commission 1. The billing clock
// (advanceBillingClock, three racing calls) makes the renewal due now and the renewal queue
// charges it once: period 2 PAID in billingSubscription.invoices, a second verified conversion for
// the builder; a refund of that renewal claws back that period's commission only; period 3 pays
// and (periods: 2) earns nothing. A plan paid with the off-session-declining card (4000…0341):
// the renewal declines → PAST_DUE with its dunning schedule (1, 3, 5, 7 days) in GraphQL, each
// retry made due by the clock, then UNPAID. A plan with a 7-day trial: nothing charged or earned at
// checkout; the clock ends the trial and period 1, charged off-session, earns the commission.
// ACP: a recurring offer makes a SUBSCRIPTION session paid at continue_url; no mode change by update.
// The books balance after every test. The clock's
// guards: another merchant's subscription, an agent, a Stripe-billed or production deployment
// (the last in test-clock/billing-clock.spec.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { Client } from 'pg';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { scratchDatabase } from '../support/scratch-database.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const START = `mutation($input: StartAgentSessionInput) { startAgentSession(input: $input) { id } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { paymentId checkoutSession { id mode url lineItems { recurring { interval intervalCount } } } } }`;
const ADVANCE = `mutation($id: ID!, $period: Int) { advanceBillingClock(id: $id, period: $period) { id status nextRenewalAt currentPeriod } }`;
const SUB_FIELDS = `id status currentPeriod currentPeriodStart currentPeriodEnd nextRenewalAt
  invoices { id period status attempts nextAttemptAt periodStart periodEnd amount { amountMinor } paymentIntent { id status } }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { ${SUB_FIELDS} } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { status billingSubscription { ${SUB_FIELDS} } } }`;
const CONVERSIONS = `query($filter: ConversionFilter) { conversions(filter: $filter, first: 100) { edges { node {
  id status verification subscriptionId billingPeriod agent { id } paymentIntent { id }
  commission { amount { amountMinor } builderPayout { amountMinor } networkFee { amountMinor } }
  ledgerEntries { kind transactionId } } } } }`;
const REFUND = `mutation($id: ID!, $key: String) { refundPaymentIntent(id: $id, idempotencyKey: $key) { id status } }`;
const LEDGER_CHECK = `query { ledgerCheck { balanced unbalancedTransactions balanceMismatches conversionMismatches overdrawnAccounts } }`;

const DAY_MS = 86_400_000;

let handoff: RunningHandoff;
let admin: GqlClient;
let merchant: GqlClient;
let merchantId: string;
let other: GqlClient;
let agent: GqlClient;
let agentId: string;
let offerId: string;
let trialOfferId: string;
let oneTimeOfferId: string;
let agentKey: string;
/** The sandbox PSP's own database (a scratch one), to count what it charged. */
let pspDb: { url: string; drop(): Promise<void> };
let psp: Client;

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

const paymentDb = () => handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app.dataSource;
const sub = async (id: string) => (await merchant.ok(SUB, { id })).billingSubscription;
const conversionsOf = async (subscriptionId: string) =>
  ((await merchant.ok(CONVERSIONS, { filter: { merchantId } })).conversions.edges as Array<{ node: any }>)
    .map((e) => e.node)
    .filter((c) => c.subscriptionId === subscriptionId)
    .sort((a, b) => a.billingPeriod - b.billingPeriod);

/** The agent recommends the monthly plan and checks out; the buyer pays on the hosted page's pay route with `card`. */
async function agentSubscription(card: string, offer = offerId, trialDays = 0): Promise<{ subscriptionId: string; checkoutIntentId: string }> {
  const session = (await agent.ok(START, { input: { query: 'monthly plan' } })).startAgentSession;
  const rec = (await agent.ok(RECOMMEND, { input: { sessionId: session.id, offerId: offer } })).recommend;
  const checkout = (await agent.ok(CHECKOUT, { input: { sessionId: session.id, recommendationId: rec.id } })).checkout;
  expect(checkout.checkoutSession.mode).toBe('SUBSCRIPTION');
  expect(checkout.checkoutSession.lineItems).toEqual([{ recurring: { interval: 'MONTH', intervalCount: 1 } }]);
  // The intent carries the signed attribution (renewals copy it from the subscription).
  const [intent] = await paymentDb().query(`SELECT metadata FROM payment.payment_intents WHERE id = $1`, [checkout.paymentId]);
  expect(Object.keys(intent.metadata)).toContain('aap_code');

  const csId = checkout.checkoutSession.id as string;
  const secret = new URL(checkout.checkoutSession.url).searchParams.get('cs')!;
  const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${csId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ card: { number: card, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const s = await until(
    () => merchant.ok(SESSION_SUB, { id: csId }).then((d) => d.checkoutSession),
    (x) => x.status === 'COMPLETE' && x.billingSubscription?.status === (trialDays > 0 ? 'TRIALING' : 'ACTIVE'),
    'the subscription started',
  );
  // A trial charges nothing at checkout: no invoice until its end pays period 1.
  if (trialDays > 0) expect(s.billingSubscription.invoices).toEqual([]);
  else expect(s.billingSubscription.invoices).toMatchObject([{ period: 1, status: 'PAID', attempts: 1, paymentIntent: { id: checkout.paymentId, status: 'SUCCEEDED' } }]);
  return { subscriptionId: s.billingSubscription.id, checkoutIntentId: checkout.paymentId };
}

beforeAll(async () => {
  pspDb = await scratchDatabase('sbx');
  handoff = await startTestHandoff({ sandboxDatabaseUrl: pspDb.url });
  psp = new Client({ connectionString: pspDb.url });
  await psp.connect();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  merchantId = (await admin.ok(CREATE_MERCHANT, {
    input: {
      name: 'Renewing Plans', country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0, conversionFlow: { type: 'instant_checkout' },
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' }, recurring: { rule: 'EVERY_RENEWAL', periods: 2 } },
    },
  })).createMerchant.id;
  await admin.ok(CONNECT, { id: merchantId });
  merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
  offerId = (await admin.ok(CREATE_OFFER, {
    input: { merchantId, name: 'Pro monthly', provider: 'Renewing Plans', price: { amountMinor: 1500, currency: 'GBP' }, recurring: { interval: 'MONTH', intervalCount: 1, trialDays: 0 } },
  })).createOffer.id;
  trialOfferId = (await admin.ok(CREATE_OFFER, {
    input: { merchantId, name: 'Pro monthly, 7 days free', provider: 'Renewing Plans', price: { amountMinor: 1200, currency: 'GBP' }, recurring: { interval: 'MONTH', intervalCount: 1, trialDays: 7 } },
  })).createOffer.id;
  agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Plan finder', builderName: 'Plan Builder Ltd' } })).registerAgent.id;
  agentKey = (await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key;
  agent = admin.as(agentKey);
  oneTimeOfferId = (await admin.ok(CREATE_OFFER, {
    input: { merchantId, name: 'SIM card', provider: 'Renewing Plans', price: { amountMinor: 300, currency: 'GBP' } },
  })).createOffer.id;
  const otherId = (await admin.ok(CREATE_MERCHANT, {
    input: { name: 'Someone Else', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } },
  })).createMerchant.id;
  other = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: otherId } })).createApiKey.key);
}, 120_000);

afterEach(async () => {
  expect((await admin.ok(LEDGER_CHECK)).ledgerCheck).toEqual({
    balanced: true, unbalancedTransactions: [], balanceMismatches: [], conversionMismatches: [], overdrawnAccounts: [],
  });
});

afterAll(async () => {
  await psp?.end();
  await handoff?.stop();
  await pspDb?.drop();
});

describe('recurring billing end to end: renewals, recurring commissions, dunning', () => {
  it('an agent-sold monthly plan renews on the billing clock; each paid period earns the builder commission up to the terms; a refunded renewal claws back its own', async () => {
    const { subscriptionId, checkoutIntentId } = await agentSubscription('4242424242424242');
    const [first] = await until(() => conversionsOf(subscriptionId), (cs) => cs.length === 1 && cs[0].status === 'PENDING', 'period 1 conversion');
    expect(first).toMatchObject({ billingPeriod: 1, verification: 'verified', agent: { id: agentId }, paymentIntent: { id: checkoutIntentId }, commission: { amount: { amountMinor: 800 } } });

    // Three racing advances for period 2: one move of the clock, one renewal job, one charge for
    // period 2. A call that arrives after the renewal ran finds the subscription past period 2 and
    // moves nothing (without `period`, it would make period 3 due: CI once saw that race).
    const before = await sub(subscriptionId);
    const advanced = await Promise.all([1, 2, 3].map(() => merchant.ok(ADVANCE, { id: subscriptionId, period: 2 })));
    for (const a of advanced) {
      const moved = a.advanceBillingClock;
      if (moved.currentPeriod === 1) expect(Date.parse(moved.nextRenewalAt)).toBeLessThanOrEqual(Date.now());
      else expect(moved.currentPeriod).toBe(2);
    }
    const renewed = await until(() => sub(subscriptionId), (s) => s.invoices.some((i: any) => i.period === 2 && i.status === 'PAID'), 'invoice 2 PAID');
    expect(renewed).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    // Late and retried calls for period 2, after it renewed: nothing moves, nothing is charged.
    const late = (await merchant.ok(ADVANCE, { id: subscriptionId, period: 2 })).advanceBillingClock;
    expect(late).toMatchObject({ currentPeriod: 2, nextRenewalAt: renewed.nextRenewalAt });
    expect(Date.parse(late.nextRenewalAt)).toBeGreaterThan(Date.now());
    // A period beyond the next is refused: the clock makes one period due at a time.
    expect(await merchant.errorCode(ADVANCE, { id: subscriptionId, period: 4 })).toBe('BAD_USER_INPUT');
    // The timeline moved back by one period: period 2 starts where period 1 ended, now due by the clock.
    expect(Date.parse(renewed.currentPeriodStart)).toBe(Date.parse(renewed.invoices[0].periodEnd));
    expect(Date.parse(renewed.currentPeriodStart)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(before.currentPeriodEnd) - Date.parse(renewed.currentPeriodStart)).toBeGreaterThan(27 * DAY_MS);
    const invoice2 = renewed.invoices.find((i: any) => i.period === 2);
    expect(invoice2).toMatchObject({ attempts: 1, amount: { amountMinor: 1500 }, paymentIntent: { status: 'SUCCEEDED' } });
    const intents = await paymentDb().query(
      `SELECT id, metadata, checkout_session_id FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`,
      [subscriptionId],
    );
    expect(intents).toHaveLength(1);
    expect(intents[0].checkout_session_id).toBeNull();
    expect(intents[0].metadata.aap_code).toBeTruthy();
    // One payment at the sandbox PSP for period 2, however many advances raced.
    const charged = await psp.query(`SELECT status, amount_received_minor::int AS received FROM sandbox.payments WHERE description = $1`, [`Subscription ${subscriptionId}, period 2`]);
    expect(charged.rows).toEqual([{ status: 'succeeded', received: 1500 }]);

    // The builder's second commission: a verified conversion of period 2.
    const two = await until(() => conversionsOf(subscriptionId), (cs) => cs.length === 2, 'period 2 conversion');
    expect(two[1]).toMatchObject({ billingPeriod: 2, status: 'PENDING', verification: 'verified', agent: { id: agentId }, paymentIntent: { id: invoice2.paymentIntent.id }, commission: { amount: { amountMinor: 800 } } });

    // A refund of the renewal claws back period 2's commission; period 1's stands.
    await merchant.ok(REFUND, { id: invoice2.paymentIntent.id, key: `refund-${subscriptionId}-2` });
    const clawed = await until(() => conversionsOf(subscriptionId), (cs) => cs[1]?.status === 'CLAWED_BACK', 'period 2 clawed back');
    expect(clawed[1].commission).toMatchObject({ amount: { amountMinor: 0 }, builderPayout: { amountMinor: 0 }, networkFee: { amountMinor: 0 } });
    expect(clawed[1].ledgerEntries.map((e: any) => e.kind)).toEqual(expect.arrayContaining(['commission']));
    expect(clawed[0]).toMatchObject({ billingPeriod: 1, status: 'PENDING', commission: { amount: { amountMinor: 800 } } });

    // Period 3 renews and pays; EVERY_RENEWAL for 2 periods: it records no conversion.
    await merchant.ok(ADVANCE, { id: subscriptionId, period: 3 });
    const third = await until(() => sub(subscriptionId), (s) => s.invoices.some((i: any) => i.period === 3 && i.status === 'PAID'), 'invoice 3 PAID');
    expect(third.currentPeriod).toBe(3);
    expect(third.invoices.find((i: any) => i.period === 3)).toMatchObject({ attempts: 1, paymentIntent: { status: 'SUCCEEDED' } });
    // The ledger handled period 3's payment as paying no commission (ledger.uncommissioned_payments), no conversion.
    const ledgerDb = handoff.subgraphs.find((s) => s.name === 'conversion-ledger')!.app.dataSource;
    const uncommissioned = await until(
      () => ledgerDb.query(`SELECT billing_period, recurring_rule FROM ledger.uncommissioned_payments WHERE subscription_id = $1`, [subscriptionId]),
      (rows: any[]) => rows.length > 0,
      'period 3 recorded without commission',
    );
    expect(uncommissioned).toEqual([{ billing_period: 3, recurring_rule: 'EVERY_RENEWAL' }]);
    expect((await conversionsOf(subscriptionId)).map((c) => c.billingPeriod)).toEqual([1, 2]);
  });

  it('a renewal the card declines goes PAST_DUE with its dunning schedule in GraphQL, retried on the clock, then UNPAID', async () => {
    const { subscriptionId } = await agentSubscription('4000000000000341');
    await merchant.ok(ADVANCE, { id: subscriptionId });
    const pastDue = await until(() => sub(subscriptionId), (s) => s.status === 'PAST_DUE', 'PAST_DUE');
    const invoice = pastDue.invoices.find((i: any) => i.period === 2);
    expect(invoice).toMatchObject({ status: 'OPEN', attempts: 1, paymentIntent: { status: 'REQUIRES_PAYMENT_METHOD' } });
    expect(pastDue.currentPeriod).toBe(1);
    const start = Date.parse(invoice.periodStart);
    // The schedule: retries 1, 3, 5 and 7 days after the period's start; the subscription's next renewal is the next retry.
    const schedule = [1, 3, 5, 7];
    expect(Date.parse(invoice.nextAttemptAt) - start).toBe(schedule[0]! * DAY_MS);
    expect(pastDue.nextRenewalAt).toBe(invoice.nextAttemptAt);

    for (let attempt = 2; attempt <= 5; attempt++) {
      await merchant.ok(ADVANCE, { id: subscriptionId });
      const s = await until(() => sub(subscriptionId), (x) => x.invoices.find((i: any) => i.period === 2).attempts === attempt, `attempt ${attempt}`);
      const inv = s.invoices.find((i: any) => i.period === 2);
      if (attempt < 5) {
        expect(s.status).toBe('PAST_DUE');
        expect(inv.status).toBe('OPEN');
        // The clock moved the whole timeline: the schedule is still counted from the period's (moved) start.
        expect(Date.parse(inv.nextAttemptAt) - Date.parse(inv.periodStart)).toBe(schedule[attempt - 1]! * DAY_MS);
        expect(s.nextRenewalAt).toBe(inv.nextAttemptAt);
      } else {
        expect(s).toMatchObject({ status: 'UNPAID', nextRenewalAt: null, currentPeriod: 1 });
        expect(inv).toMatchObject({ status: 'UNCOLLECTIBLE', nextAttemptAt: null });
      }
    }
    // One intent for the period, one payment at the PSP, nothing received.
    const intents = await paymentDb().query(`SELECT id, status FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [subscriptionId]);
    expect(intents).toHaveLength(1);
    const atPsp = await psp.query(`SELECT status, amount_received_minor::int AS received FROM sandbox.payments WHERE description = $1`, [`Subscription ${subscriptionId}, period 2`]);
    expect(atPsp.rows).toEqual([{ status: 'requires_payment_method', received: 0 }]);
    // UNPAID renews no more: the clock has nothing to make due.
    const after = (await merchant.ok(ADVANCE, { id: subscriptionId })).advanceBillingClock;
    expect(after).toMatchObject({ status: 'UNPAID', nextRenewalAt: null });
    // Only period 1 earned (the declined renewal paid nothing).
    expect((await conversionsOf(subscriptionId)).map((c) => c.billingPeriod)).toEqual([1]);
  });

  it('a plan with a trial: nothing charged at checkout, no commission; the clock ends the trial, period 1 is charged off-session and earns the builder its commission', async () => {
    const { subscriptionId, checkoutIntentId } = await agentSubscription('4242424242424242', trialOfferId, 7);
    const trialing = await sub(subscriptionId);
    expect(Date.parse(trialing.nextRenewalAt) - Date.now()).toBeGreaterThan(6 * DAY_MS);
    await merchant.ok(ADVANCE, { id: subscriptionId });
    const active = await until(() => sub(subscriptionId), (s) => s.status === 'ACTIVE', 'the trial ended, period 1 paid');
    expect(active.currentPeriod).toBe(1);
    expect(active.invoices).toMatchObject([{ period: 1, status: 'PAID', attempts: 1, amount: { amountMinor: 1200 }, paymentIntent: { status: 'SUCCEEDED' } }]);
    // The trial's end starts period 1 (the anchor): the subscription and its invoice agree.
    expect(active.currentPeriodStart).toBe(active.invoices[0].periodStart);
    const [one] = await until(() => conversionsOf(subscriptionId), (cs) => cs.length === 1, 'period 1 conversion');
    expect(one).toMatchObject({ billingPeriod: 1, status: 'PENDING', verification: 'verified', agent: { id: agentId }, paymentIntent: { id: active.invoices[0].paymentIntent.id }, commission: { amount: { amountMinor: 800 } } });
    // The checkout's 0 (the trial) made no conversion of its own.
    const all = (await merchant.ok(CONVERSIONS, { filter: { merchantId } })).conversions.edges.map((e: any) => e.node);
    expect(all.filter((c: any) => c.paymentIntent?.id === checkoutIntentId)).toEqual([]);
  });

  it('ACP: a recurring offer makes a SUBSCRIPTION session the buyer pays at continue_url; lines that make no subscription and a mode change are refused', async () => {
    const acp = async (path: string, body: unknown) => {
      const res = await fetch(`${handoff.gatewayUrl}/acp/${merchantId}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json', 'api-version': '2026-04-17', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const SESSION = `query($id: ID!) { checkoutSession(id: $id) { mode status lineItems { offer { id } recurring { interval } } billingSubscription { status invoices { period status } } } }`;
    const created = await acp('/checkout_sessions', { line_items: [{ id: offerId }, { id: oneTimeOfferId }], currency: 'gbp', capabilities: {} });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect((await merchant.ok(SESSION, { id })).checkoutSession).toMatchObject({
      mode: 'SUBSCRIPTION', lineItems: [{ offer: { id: offerId }, recurring: { interval: 'MONTH' } }, { offer: { id: oneTimeOfferId }, recurring: null }],
    });
    // ACP's create defers the payment intent; the agent prepares it, then the buyer pays at
    // continue_url (the hosted page): the subscription starts with the monthly line.
    await agent.ok(`mutation($id: ID!) { prepareAgentCheckoutPayment(id: $id) { id paymentIntent { id } } }`, { id });
    const secret = new URL(created.body.continue_url).searchParams.get('cs')!;
    const paid = await fetch(`${handoff.gatewayUrl}/api/checkout/${id}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } }),
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    const s = await until(() => merchant.ok(SESSION, { id }).then((d) => d.checkoutSession), (x) => x.billingSubscription?.status === 'ACTIVE', 'ACP subscription ACTIVE');
    expect(s.billingSubscription.invoices).toEqual([{ period: 1, status: 'PAID' }]);

    // A trial with a one-time line makes no subscription: refused, nothing created.
    const mixed = await acp('/checkout_sessions', { line_items: [{ id: trialOfferId }, { id: oneTimeOfferId }], currency: 'gbp', capabilities: {} });
    expect(mixed.status).toBe(422);
    expect(mixed.body).toMatchObject({ type: 'invalid_request', code: 'subscription_lines_invalid', param: '$.line_items' });
    // A PAYMENT session cannot become a subscription by an update: refused, its lines unchanged.
    const plain = await acp('/checkout_sessions', { line_items: [{ id: oneTimeOfferId }], currency: 'gbp', capabilities: {} });
    expect(plain.status).toBe(201);
    const updated = await acp(`/checkout_sessions/${plain.body.id}`, { line_items: [{ id: offerId }] });
    expect(updated.status).toBe(422);
    expect(updated.body.code).toBe('subscription_lines_invalid');
    expect((await merchant.ok(SESSION, { id: plain.body.id })).checkoutSession).toMatchObject({ mode: 'PAYMENT', lineItems: [{ offer: { id: oneTimeOfferId }, recurring: null }] });
  });

  it('the clock is the owner\'s: another merchant gets BILLING_SUBSCRIPTION_NOT_FOUND, an agent FORBIDDEN; nothing moves', async () => {
    const [row] = await paymentDb().query(`SELECT id, next_renewal_at, version FROM payment.billing_subscriptions WHERE merchant_id = $1 AND status = 'ACTIVE' LIMIT 1`, [merchantId]);
    expect(row).toBeTruthy();
    expect(await other.errorCode(ADVANCE, { id: row.id })).toBe('BILLING_SUBSCRIPTION_NOT_FOUND');
    expect(await agent.errorCode(ADVANCE, { id: row.id })).toBe('FORBIDDEN');
    expect(await merchant.errorCode(ADVANCE, { id: 'bsub_000000000000000000000000' })).toBe('BILLING_SUBSCRIPTION_NOT_FOUND');
    expect(await merchant.errorCode(ADVANCE, { id: 'not an id' })).toBe('BILLING_SUBSCRIPTION_NOT_FOUND');
    const [after] = await paymentDb().query(`SELECT next_renewal_at, version FROM payment.billing_subscriptions WHERE id = $1`, [row.id]);
    expect(after).toEqual({ next_renewal_at: row.next_renewal_at, version: row.version });
  });
});

describe('MILESTONE recurring commission through the gateway', () => {
  it('terms MILESTONE at the third paid period: periods 1, 2 and 4 earn nothing; the builder earns once, when period 3 is paid', async () => {
    const shopId = (await admin.ok(CREATE_MERCHANT, {
      input: {
        name: 'Milestone Plans', country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0, conversionFlow: { type: 'instant_checkout' },
        commissionTerms: { type: 'CPA', cpa: { amountMinor: 900, currency: 'GBP' }, recurring: { rule: 'MILESTONE', paidPeriod: 3 } },
      },
    })).createMerchant.id as string;
    await admin.ok(CONNECT, { id: shopId });
    const shop = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: shopId } })).createApiKey.key);
    const plan = (await admin.ok(CREATE_OFFER, {
      input: { merchantId: shopId, name: 'Milestone monthly', provider: 'Milestone Plans', price: { amountMinor: 2000, currency: 'GBP' }, recurring: { interval: 'MONTH', intervalCount: 1, trialDays: 0 } },
    })).createOffer.id as string;
    const session = (await agent.ok(START, { input: { query: 'milestone plan' } })).startAgentSession;
    const rec = (await agent.ok(RECOMMEND, { input: { sessionId: session.id, offerId: plan } })).recommend;
    const checkout = (await agent.ok(CHECKOUT, { input: { sessionId: session.id, recommendationId: rec.id } })).checkout;
    const paid = await fetch(`${handoff.gatewayUrl}/api/checkout/${checkout.checkoutSession.id}/pay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${new URL(checkout.checkoutSession.url).searchParams.get('cs')!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } }),
    });
    expect(paid.status, await paid.clone().text()).toBe(200);
    const started = await until(() => shop.ok(SESSION_SUB, { id: checkout.checkoutSession.id }).then((d) => d.checkoutSession), (x) => x.billingSubscription?.status === 'ACTIVE', 'ACTIVE');
    const id = started.billingSubscription.id as string;
    const ledgerDb = handoff.subgraphs.find((s) => s.name === 'conversion-ledger')!.app.dataSource;
    const uncommissioned = () => ledgerDb.query(`SELECT billing_period, recurring_rule FROM ledger.uncommissioned_payments WHERE subscription_id = $1 ORDER BY billing_period`, [id]);
    const conversions = async () =>
      ((await shop.ok(CONVERSIONS, { filter: { merchantId: shopId } })).conversions.edges as Array<{ node: any }>).map((e) => e.node).filter((c) => c.subscriptionId === id);
    /** The ledger has handled period `n`'s payment (as uncommissioned or as a conversion). */
    const handled = (n: number) =>
      until(async () => ({ u: await uncommissioned(), c: await conversions() }), (x) => x.u.some((r: any) => r.billing_period === n) || x.c.some((c) => c.billingPeriod === n), `period ${n} handled by the ledger`);
    const renew = async (n: number) => {
      await shop.ok(ADVANCE, { id });
      await until(() => shop.ok(SUB, { id }).then((d) => d.billingSubscription), (s) => s.invoices.some((i: any) => i.period === n && i.status === 'PAID'), `invoice ${n} PAID`);
      return handled(n);
    };

    // Periods 1 and 2 paid: recorded without commission, no conversion.
    await handled(1);
    let state = await renew(2);
    expect(state.u).toEqual([{ billing_period: 1, recurring_rule: 'MILESTONE' }, { billing_period: 2, recurring_rule: 'MILESTONE' }]);
    expect(state.c).toEqual([]);
    // Period 3, the milestone: one verified conversion with the builder's commission.
    state = await renew(3);
    expect(state.c).toHaveLength(1);
    expect(state.c[0]).toMatchObject({ billingPeriod: 3, status: 'PENDING', verification: 'verified', agent: { id: agentId }, commission: { amount: { amountMinor: 900 } } });
    // Period 4: nothing more.
    state = await renew(4);
    expect(state.u.map((r: any) => r.billing_period)).toEqual([1, 2, 4]);
    expect(state.c.map((c: any) => c.billingPeriod)).toEqual([3]);
  });
});
