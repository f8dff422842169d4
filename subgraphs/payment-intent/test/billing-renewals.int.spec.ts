// Renewals and dunning (issue 22 items 3-4; docs/recurring.md) against a real database and the
// sandbox PSP: chargeOffSession charges a period with the saved card off-session (success: the
// invoice PAID and the period advanced; several concurrent runs for the same period: one intent,
// one charge, one invoice paid; a replayed run charges nothing); a declining card makes the
// subscription PAST_DUE with invoice.payment_failed, retries only when the schedule says (the
// clock is injected, no sleeps) and ends UNPAID (or CANCELED when so configured) with the
// invoice UNCOLLECTIBLE; a card needing authentication leaves it PAST_DUE with the action recorded.
import { createLogger, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
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
let credentials: MerchantCredentialsClient;
let connectors: Connectors;

const DAY = 86_400_000;
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1500, quantity: 2 }] };
const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);

/** An ACTIVE subscription (period 1 paid at checkout) of a new TEST merchant, its saved card the sandbox's token of `card`. */
async function subscriptionWithCard(card: string, trialDays = 0): Promise<BillingSubscriptionEntity> {
  const merchant = await h.testMerchant();
  const creds = await credentials.get(merchant.id);
  const token = await connectors.for(creds!).tokenizeTestCard({ manager: db.manager }, card);
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId: merchant.id, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 3000,
    amountCapturedMinor: 3000, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token,
    metadata: { aap_agent_id: 'agent_renew', aap_code: 'code_renew' },
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: trialDays > 0 ? null : 1, billingPlan: { ...PLAN, trialDays, card: { brand: 'visa', last4: card.slice(-4) } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: intent.billingSubscriptionId });
}

const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string, period: number) => db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: id, period });

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('renewals-test', 'silent'))));
  deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return` };
}, 120_000);

afterAll(async () => h?.close());

describe('renewals: charge off-session', () => {
  it('pays period 2 with the saved card: invoice 2 PAID, the period advanced, the intent carrying recurring and the aap_* metadata', async () => {
    const sub = await subscriptionWithCard('4242424242424242');
    const r = await chargeOffSession(deps, sub.id, 2);
    expect(r.outcome).toBe('paid');
    const invoice = await invoiceOf(sub.id, 2);
    expect(invoice).toMatchObject({ status: 'PAID', amountMinor: 3000, attempts: 1, paymentIntentId: r.paymentIntentId });
    const after = await subOf(sub.id);
    expect(after).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect(after.currentPeriodStart).toEqual(invoice.periodStart);
    expect(after.nextRenewalAt).toEqual(invoice.periodEnd);
    expect(invoice.periodStart).toEqual(sub.currentPeriodEnd);
    const intent = await db.getRepository(PaymentIntentEntity).findOneByOrFail({ id: r.paymentIntentId! });
    expect(intent).toMatchObject({ status: 'SUCCEEDED', billingSubscriptionId: sub.id, billingPeriod: 2, checkoutSessionId: null, amountCapturedMinor: 3000 });
    expect(intent.metadata).toMatchObject({ aap_agent_id: 'agent_renew', aap_code: 'code_renew' });
    const succeeded = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'payment_intent.succeeded' AND aggregate_id = $1`, [intent.id]);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(succeeded[0].payload)).toContain(`"period":2`);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.paid' AND payload->'object'->>'subscription_id' = $1`, [sub.id])).toBe(2);
  });

  it("a trial's end charges period 1 off-session: TRIALING -> ACTIVE, invoice 1 PAID, the intent paying period 1", async () => {
    const sub = await subscriptionWithCard('4242424242424242', 10);
    expect(sub).toMatchObject({ status: 'TRIALING', currentPeriod: 0 });
    const r = await chargeOffSession(deps, sub.id, 1);
    expect(r.outcome).toBe('paid');
    expect(await invoiceOf(sub.id, 1)).toMatchObject({ status: 'PAID', amountMinor: 3000, paymentIntentId: r.paymentIntentId });
    const after = await subOf(sub.id);
    expect(after).toMatchObject({ status: 'ACTIVE', currentPeriod: 1 });
    expect(after.currentPeriodStart).toEqual(sub.trialEnd);
    expect(await db.getRepository(PaymentIntentEntity).findOneByOrFail({ id: r.paymentIntentId! })).toMatchObject({ billingSubscriptionId: sub.id, billingPeriod: 1, status: 'SUCCEEDED' });
  });

  it('canceled at period end: the due renewal charges nothing and ends the subscription CANCELED (no intent, no invoice left open)', async () => {
    const sub = await subscriptionWithCard('4242424242424242');
    await cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, true);
    const runs = await Promise.all([1, 2].map(() => chargeOffSession(deps, sub.id, 2)));
    expect(runs.map((r) => r.outcome).sort()).toEqual(['canceled', 'not_due']);
    expect(await subOf(sub.id)).toMatchObject({ status: 'CANCELED', currentPeriod: 1, nextRenewalAt: null, cancelAtPeriodEnd: false });
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM payment.billing_invoices WHERE subscription_id = $1 AND status = 'OPEN'`, [sub.id])).toBe(0);
  });

  it('charges once when several runs race the same period, and a replayed run charges nothing', async () => {
    const sub = await subscriptionWithCard('4242424242424242');
    const runs = await Promise.all([1, 2, 3, 4].map(() => chargeOffSession(deps, sub.id, 2)));
    expect(runs.filter((r) => r.outcome === 'paid')).toHaveLength(1);
    expect(runs.filter((r) => r.outcome === 'already_paid')).toHaveLength(3);
    const replay = await chargeOffSession(deps, sub.id, 2);
    expect(replay.outcome).toBe('already_paid');
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payment.billing_invoices WHERE subscription_id = $1 AND period = 2 AND status = 'PAID'`, [sub.id])).toBe(1);
    const intent = await db.getRepository(PaymentIntentEntity).findOneByOrFail({ billingSubscriptionId: sub.id, billingPeriod: 2 });
    const charges = await h.sandbox.dataSource.query(`SELECT count(*) AS n FROM sandbox.payments WHERE id = $1 AND status = 'succeeded'`, [intent.providerPaymentId]);
    expect(Number(charges[0].n)).toBe(1);
    expect((await subOf(sub.id)).currentPeriod).toBe(2);
  });

  it('a card needing authentication: PAST_DUE, the intent REQUIRES_ACTION with its next action; a rerun charges nothing more', async () => {
    const sub = await subscriptionWithCard('4000002760003184');
    const r = await chargeOffSession(deps, sub.id, 2);
    expect(r.outcome).toBe('requires_action');
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 1 });
    const intent = await db.getRepository(PaymentIntentEntity).findOneByOrFail({ id: r.paymentIntentId! });
    expect(intent.status).toBe('REQUIRES_ACTION');
    expect(intent.nextAction).not.toBeNull();
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'OPEN', attempts: 1, paymentIntentId: intent.id, nextAttemptAt: null });
    expect((await chargeOffSession(deps, sub.id, 2)).outcome).toBe('requires_action');
    expect((await invoiceOf(sub.id, 2)).attempts).toBe(1);
  });
});

describe('dunning', () => {
  it('a declining card: PAST_DUE, retries at days 1, 3, 5, 7 of the period (not before), then UNPAID with the invoice UNCOLLECTIBLE', async () => {
    const sub = await subscriptionWithCard('4000000000000002');
    const start = sub.currentPeriodEnd!.getTime(); // period 2's start: the renewal date
    let now = new Date(start + 60_000);
    const clocked: RenewalDeps = { ...deps, now: () => now };
    expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('declined');
    expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 1 });
    const failedEvents = () => count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.payment_failed' AND payload->'object'->>'subscription_id' = $1`, [sub.id]);
    expect(await failedEvents()).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.subscription.updated' AND payload->'object'->>'id' = $1 AND payload->'object'->>'status' = 'past_due'`, [sub.id])).toBe(1);
    for (const [i, day] of [1, 3, 5, 7].entries()) {
      const invoice = await invoiceOf(sub.id, 2);
      expect(invoice).toMatchObject({ status: 'OPEN', attempts: i + 1 });
      expect(invoice.nextAttemptAt).toEqual(new Date(start + day * DAY));
      expect((await subOf(sub.id)).nextRenewalAt).toEqual(new Date(start + day * DAY));
      now = new Date(start + day * DAY - 60_000); // a minute early: nothing charged
      expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('not_due');
      expect((await invoiceOf(sub.id, 2)).attempts).toBe(i + 1);
      now = new Date(start + day * DAY + 60_000);
      expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe(i < 3 ? 'declined' : 'gave_up');
      expect(await failedEvents()).toBe(i + 2);
    }
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'UNCOLLECTIBLE', attempts: 5, nextAttemptAt: null });
    expect(await subOf(sub.id)).toMatchObject({ status: 'UNPAID', nextRenewalAt: null });
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
    expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('not_due');
  });

  it('ends CANCELED when the schedule says so (a shorter schedule: one retry)', async () => {
    const sub = await subscriptionWithCard('4000000000009995');
    const start = sub.currentPeriodEnd!.getTime();
    let now = new Date(start);
    const clocked: RenewalDeps = { ...deps, now: () => now, dunning: { retryDays: [2], finalStatus: 'CANCELED' } };
    expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('declined');
    now = new Date(start + 2 * DAY);
    expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('gave_up');
    const after = await subOf(sub.id);
    expect(after).toMatchObject({ status: 'CANCELED', nextRenewalAt: null });
    expect(after.canceledAt).not.toBeNull();
    expect((await invoiceOf(sub.id, 2)).status).toBe('UNCOLLECTIBLE');
  });
});
