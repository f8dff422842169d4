// The buyer's new card for a subscription (issue 22 item 4; docs/recurring.md "Card update"),
// against a real database and the sandbox PSP: replaceSubscriptionCard replaces the saved card and
// writes subscription.payment_method_updated; a PAST_DUE subscription's open invoice is retried at
// once with the new card; when the dunning job fires at the same moment (runs concurrently, both
// orders) the period is charged successfully exactly once (one intent, one succeeded sandbox
// payment, the invoice PAID once); a canceled subscription is refused, nothing written.
import { createLogger, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { replaceSubscriptionCard } from '../src/billing-subscription/card-update/replace-card.js';
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
const DECLINE = '4000000000000002';
const GOOD = '4242424242424242';
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1200, quantity: 1 }] };
const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);

async function tokenFor(merchantId: string, card: string) {
  return connectors.for((await credentials.get(merchantId))!).tokenizeTestCard({ manager: db.manager }, card);
}

/** An ACTIVE subscription whose saved card is `card`, period 1 paid. */
async function subscriptionWithCard(card: string): Promise<BillingSubscriptionEntity> {
  const merchant = await h.testMerchant();
  const token = await tokenFor(merchant.id, card);
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId: merchant.id, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 1200,
    amountCapturedMinor: 1200, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token, metadata: {},
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1, billingPlan: { ...PLAN, card: { brand: 'visa', last4: card.slice(-4) } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: intent.billingSubscriptionId });
}

/** A PAST_DUE subscription: its period-2 renewal declined once; `clock` is the run's time (a day in: the first retry is due). */
async function pastDue(): Promise<{ sub: BillingSubscriptionEntity; clocked: RenewalDeps }> {
  const sub = await subscriptionWithCard(DECLINE);
  const start = sub.currentPeriodEnd!.getTime();
  let now = new Date(start + 60_000);
  const clocked: RenewalDeps = { ...deps, now: () => now };
  expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('declined');
  expect(await subOf(sub.id)).toMatchObject({ status: 'PAST_DUE' });
  now = new Date(start + DAY + 60_000); // the dunning schedule's first retry is due
  return { sub, clocked };
}

const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string, period: number) => db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: id, period });
/** Succeeded payments at the sandbox (its own database) for the period's intents. */
async function succeededAtSandbox(subId: string, period: number): Promise<number> {
  const ids = (await db.query(`SELECT provider_payment_id AS id FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = $2`, [subId, period])).map((r: { id: string }) => r.id);
  const [row] = await h.sandbox.dataSource.query(`SELECT count(*) AS n FROM sandbox.payments WHERE id = ANY($1::text[]) AND status = 'succeeded'`, [ids]);
  return Number(row.n);
}

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('card-update-test', 'silent'))));
  deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return` };
}, 120_000);

afterAll(async () => h?.close());

describe('replaceSubscriptionCard', () => {
  it('an ACTIVE subscription: the card replaced, subscription.payment_method_updated written, nothing charged', async () => {
    const sub = await subscriptionWithCard(GOOD);
    const token = await tokenFor(sub.merchantId, '5555555555554444');
    const done = await replaceSubscriptionCard(deps, sub.id, { paymentMethodId: token, brand: 'mastercard', last4: '4444' });
    expect(done.retry).toBeNull();
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', paymentMethodId: token, paymentMethodBrand: 'mastercard', paymentMethodLast4: '4444' });
    const events = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.subscription.payment_method_updated' AND payload->'object'->>'id' = $1`, [sub.id]);
    expect(events).toHaveLength(1);
    expect(events[0].payload.object.payment_method).toEqual({ brand: 'mastercard', last4: '4444' });
    expect(JSON.stringify(events[0].payload)).not.toContain(token);
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(0);
  });

  it('a PAST_DUE subscription: the open invoice is retried at once with the new card -> PAID, ACTIVE, one successful charge', async () => {
    const { sub, clocked } = await pastDue();
    const token = await tokenFor(sub.merchantId, GOOD);
    const done = await replaceSubscriptionCard(clocked, sub.id, { paymentMethodId: token, brand: 'visa', last4: '4242' });
    expect(done.retry).toMatchObject({ outcome: 'paid', period: 2 });
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    expect(await invoiceOf(sub.id, 2)).toMatchObject({ status: 'PAID', attempts: 2 });
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
    // The dunning job's retry, later: nothing more.
    expect((await chargeOffSession(clocked, sub.id, 2)).outcome).toBe('already_paid');
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
  });

  it.each([1, 2, 3])('race %#: the card update and the dunning job at the same moment charge the period successfully exactly once', async () => {
    const { sub, clocked } = await pastDue();
    const token = await tokenFor(sub.merchantId, GOOD);
    const [update, job, job2] = await Promise.all([
      replaceSubscriptionCard(clocked, sub.id, { paymentMethodId: token, brand: 'visa', last4: '4242' }),
      chargeOffSession(clocked, sub.id, 2),
      chargeOffSession(clocked, sub.id, 2),
    ]);
    const outcomes = [update.retry?.outcome, job.outcome, job2.outcome];
    expect(outcomes).toContain('paid');
    expect(outcomes.filter((o) => o === 'paid')).toHaveLength(1);
    expect(await subOf(sub.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2, paymentMethodId: token });
    expect((await invoiceOf(sub.id, 2)).status).toBe('PAID');
    expect(await count(`SELECT count(*) AS n FROM payment.payment_intents WHERE billing_subscription_id = $1 AND billing_period = 2`, [sub.id])).toBe(1);
    expect(await succeededAtSandbox(sub.id, 2)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.paid' AND payload->'object'->>'subscription_id' = $1 AND payload->'object'->>'period' = '2'`, [sub.id])).toBe(1);
  });

  it('refuses a canceled subscription (SUBSCRIPTION_ALREADY_CANCELED) and an unknown one, nothing written', async () => {
    const sub = await subscriptionWithCard(GOOD);
    await cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, false);
    const before = await subOf(sub.id);
    const token = await tokenFor(sub.merchantId, '5555555555554444');
    await expect(replaceSubscriptionCard(deps, sub.id, { paymentMethodId: token, brand: 'mastercard', last4: '4444' })).rejects.toMatchObject({ extensions: { code: 'SUBSCRIPTION_ALREADY_CANCELED' } });
    expect(await subOf(sub.id)).toMatchObject({ paymentMethodId: before.paymentMethodId, version: before.version });
    await expect(replaceSubscriptionCard(deps, 'bsub_000000000000000000000000', { paymentMethodId: token, brand: null, last4: null })).rejects.toMatchObject({ extensions: { code: 'BILLING_SUBSCRIPTION_NOT_FOUND' } });
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.subscription.payment_method_updated' AND payload->'object'->>'id' = $1`, [sub.id])).toBe(0);
  });
});
