// The billing subscription lifecycle commands (issue 22 item 2; docs/recurring.md "Lifecycle")
// against a real database and the sandbox PSP: pause (PAUSED, no renewal: the scan skips it and a
// renewal run charges nothing) and resume (before the paid period's end: the renewal date kept;
// after it: the cycle re-anchored at the resume and the next period charged); an item's quantity
// or price changed mid-period: exact proration lines pending, then the next renewal invoices the
// new price plus those lines (the lines on the invoice, the charge at the sandbox of that sum);
// a credit larger than the invoice: a 0 invoice paid without a charge and the rest carried; bad
// input and other tenants refused with stable codes, nothing written; two updates expecting the
// same version raced: one applies, the other VERSION_CONFLICT.
import { createLogger, ErrorCode, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { IsNull } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import { findDueRenewals } from '../src/billing-subscription/renewal.job.js';
import { cancelBillingSubscription } from '../src/billing-subscription/lifecycle/cancel.js';
import { BillingInvoiceLineEntity } from '../src/billing-subscription/lifecycle/invoice-line.entity.js';
import { pauseBillingSubscription, resumeBillingSubscription } from '../src/billing-subscription/lifecycle/pause.js';
import { updateBillingSubscription } from '../src/billing-subscription/lifecycle/update.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { MerchantPort } from '../src/ports/merchant.port.js';
import { Connectors } from '../src/psp/connectors.js';
import { MerchantCredentialsClient } from '../src/psp/merchant-credentials.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { admin, asMerchant, newId, startPaymentsHarness, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let db: DataSource;
let deps: RenewalDeps;
let credentials: MerchantCredentialsClient;
let connectors: Connectors;

const DAY = 86_400_000;
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1500, quantity: 2 }] };
const codeOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { extensions?: { code?: string } }) => e.extensions?.code ?? String(e));
const outboxCount = async (topic: string, id: string) =>
  Number((await db.query(`SELECT count(*) AS n FROM payment.outbox WHERE topic = $1 AND payload->'object'->>'id' = $2`, [topic, id]))[0].n);

async function subscription(): Promise<BillingSubscriptionEntity> {
  const merchant = await h.testMerchant();
  const creds = await credentials.get(merchant.id);
  const token = await connectors.for(creds!).tokenizeTestCard({ manager: db.manager }, '4242424242424242');
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId: merchant.id, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 3000,
    amountCapturedMinor: 3000, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token, metadata: {},
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1, billingPlan: { ...PLAN, card: { brand: 'visa', last4: '4242' } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: intent.billingSubscriptionId });
}

const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const pendingOf = (id: string) => db.getRepository(BillingInvoiceLineEntity).find({ where: { subscriptionId: id, invoiceId: IsNull() }, order: { createdAt: 'ASC', amountMinor: 'ASC' } });

/** Pins the current period to [2026-01-01, 2026-01-31) (30 days) so proration is checked against fixed arithmetic. */
const START = new Date('2026-01-01T00:00:00Z');
const END = new Date('2026-01-31T00:00:00Z');
async function pinPeriod(id: string): Promise<BillingSubscriptionEntity> {
  await db.getRepository(BillingSubscriptionEntity).update({ id }, { currentPeriodStart: START, currentPeriodEnd: END });
  return subOf(id);
}
const at = (days: number) => () => new Date(START.getTime() + days * DAY);

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('lifecycle-test', 'silent'))));
  deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return` };
}, 120_000);

afterAll(async () => h?.close());

describe('pause and resume', () => {
  it('pauses: PAUSED, no next renewal, subscription.paused; the scan skips it and a renewal run charges nothing', async () => {
    const sub = await subscription();
    await db.getRepository(BillingSubscriptionEntity).update({ id: sub.id }, { nextRenewalAt: new Date(Date.now() - DAY) }); // due
    const paused = await pauseBillingSubscription(db, asMerchant(sub.merchantId), sub.id);
    expect(paused).toMatchObject({ status: 'PAUSED', nextRenewalAt: null, version: sub.version + 1 });
    expect(await outboxCount('webhook_event.subscription.paused', sub.id)).toBe(1);
    expect(await outboxCount('webhook_event.subscription.updated', sub.id)).toBe(1);
    // Even a row whose renewal date stayed due (set behind the command's back) is not scanned nor charged.
    await db.getRepository(BillingSubscriptionEntity).update({ id: sub.id }, { nextRenewalAt: new Date(Date.now() - DAY) });
    const due = await findDueRenewals(db, new Date(), 10_000);
    expect(due.map((d) => d.subscriptionId)).not.toContain(sub.id);
    expect((await chargeOffSession(deps, sub.id, 2)).outcome).toBe('not_due');
    expect(await db.getRepository(PaymentIntentEntity).countBy({ billingSubscriptionId: sub.id, billingPeriod: 2 })).toBe(0);
    expect(await db.getRepository(BillingInvoiceEntity).countBy({ subscriptionId: sub.id, period: 2 })).toBe(0);
    // Pausing a paused one: the table refuses it, nothing written.
    expect(await codeOf(pauseBillingSubscription(db, asMerchant(sub.merchantId), sub.id))).toBe(ErrorCode.INVALID_STATE_TRANSITION);
    expect(await outboxCount('webhook_event.subscription.paused', sub.id)).toBe(1);
  });

  it('resumed before the paid period ends: ACTIVE, the next renewal at that end; resuming an active one is SUBSCRIPTION_NOT_PAUSED', async () => {
    const sub = await subscription();
    await pauseBillingSubscription(db, admin, sub.id);
    const resumed = await resumeBillingSubscription(db, asMerchant(sub.merchantId), sub.id);
    expect(resumed).toMatchObject({ status: 'ACTIVE', currentPeriod: 1 });
    expect(resumed.nextRenewalAt).toEqual(sub.currentPeriodEnd);
    expect(resumed.billingCycleAnchor).toEqual(sub.billingCycleAnchor);
    expect(await outboxCount('webhook_event.subscription.resumed', sub.id)).toBe(1);
    expect(await codeOf(resumeBillingSubscription(db, asMerchant(sub.merchantId), sub.id))).toBe(ErrorCode.SUBSCRIPTION_NOT_PAUSED);
    expect((await subOf(sub.id)).version).toBe(resumed.version);
  });

  it('resumed after the paid period ended: the cycle restarts at the resume and period 2 is charged now, for the items', async () => {
    const sub = await subscription();
    await pauseBillingSubscription(db, admin, sub.id);
    const resumeAt = new Date(sub.currentPeriodEnd!.getTime() + 10 * DAY + 3_600_000);
    const resumed = await resumeBillingSubscription(db, admin, sub.id, { now: () => resumeAt });
    expect(resumed.status).toBe('ACTIVE');
    expect(resumed.nextRenewalAt!.getTime()).toBeLessThanOrEqual(resumeAt.getTime());
    expect(resumeAt.getTime() - resumed.nextRenewalAt!.getTime()).toBeLessThan(4 * DAY); // a month's day clamp at most
    const r = await chargeOffSession(deps, sub.id, 2);
    expect(r.outcome).toBe('paid');
    const invoice = await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: sub.id, period: 2 });
    expect(invoice).toMatchObject({ status: 'PAID', amountMinor: 3000 });
    expect(invoice.periodStart).toEqual(resumed.nextRenewalAt);
    expect(invoice.periodEnd.getTime()).toBeGreaterThan(resumeAt.getTime());
  });

  it('a canceled subscription neither pauses nor resumes: SUBSCRIPTION_ALREADY_CANCELED; another merchant: BILLING_SUBSCRIPTION_NOT_FOUND', async () => {
    const sub = await subscription();
    expect(await codeOf(pauseBillingSubscription(db, asMerchant(newId('m')), sub.id))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect(await codeOf(resumeBillingSubscription(db, asMerchant(newId('m')), sub.id))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect(await codeOf(pauseBillingSubscription(db, admin, 'bsub_unknown'))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    await cancelBillingSubscription(db, admin, sub.id, false);
    expect(await codeOf(pauseBillingSubscription(db, admin, sub.id))).toBe(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED);
    expect(await codeOf(resumeBillingSubscription(db, admin, sub.id))).toBe(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED);
  });
});

describe('updateBillingSubscription: quantity and price changes with proration', () => {
  it('halfway through, 2 → 3 units: credit 1500, charge 2250 pending; the renewal invoices 4500 + 750 with its lines and charges that', async () => {
    const sub = await pinPeriod((await subscription()).id);
    const updated = await updateBillingSubscription(db, asMerchant(sub.merchantId), sub.id, { quantity: 3, expectedVersion: sub.version }, { now: at(15) });
    expect(updated.version).toBe(sub.version + 1);
    expect(await db.getRepository(BillingSubscriptionItemEntity).findOneByOrFail({ subscriptionId: sub.id, position: 0 })).toMatchObject({ quantity: 3, unitAmountMinor: 1500 });
    const pending = await pendingOf(sub.id);
    expect(pending.map((l) => [l.kind, l.amountMinor, l.quantity, l.unitAmountMinor])).toEqual([
      ['PRORATION', -1500, 2, 1500],
      ['PRORATION', 2250, 3, 1500],
    ]);
    const [event] = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.subscription.updated' AND payload->'object'->>'id' = $1`, [sub.id]);
    expect(event.payload.previousAttributes.items[0].quantity).toBe(2);
    expect(event.payload.object.items[0].quantity).toBe(3);

    const r = await chargeOffSession(deps, sub.id, 2);
    expect(r.outcome).toBe('paid');
    const invoice = await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: sub.id, period: 2 });
    expect(invoice).toMatchObject({ status: 'PAID', amountMinor: 5250 });
    const lines = await db.getRepository(BillingInvoiceLineEntity).find({ where: { invoiceId: invoice.id } });
    expect(lines.map((l) => [l.kind, l.amountMinor]).sort()).toEqual([['PRORATION', -1500], ['PRORATION', 2250], ['SUBSCRIPTION', 4500]].sort());
    expect(lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(invoice.amountMinor);
    expect(await pendingOf(sub.id)).toEqual([]);
    const intent = await db.getRepository(PaymentIntentEntity).findOneByOrFail({ id: r.paymentIntentId! });
    expect(intent).toMatchObject({ amountMinor: 5250, amountCapturedMinor: 5250, status: 'SUCCEEDED' });
    // The next period is the new price alone: the proration was invoiced once.
    expect((await chargeOffSession(deps, sub.id, 3)).outcome).toBe('paid');
    expect((await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: sub.id, period: 3 })).amountMinor).toBe(4500);
  });

  it('a price change a third of the way in rounds each side half-up in minor units (1500 → 1999 per unit, 2 units)', async () => {
    const sub = await pinPeriod((await subscription()).id);
    await updateBillingSubscription(db, admin, sub.id, { unitAmount: { amountMinor: 1999, currency: 'gbp' } }, { now: at(10) });
    // 20 of 30 days left: credit 3000 × 2/3 = 2000; charge 3998 × 2/3 = 2665.33 → 2665.
    expect((await pendingOf(sub.id)).map((l) => l.amountMinor)).toEqual([-2000, 2665]);
  });

  it('a downgrade whose credit exceeds the next invoice: a 0 invoice paid without a charge, the rest carried to the one after', async () => {
    const sub = await pinPeriod((await subscription()).id);
    // At the period's start, 2 × 1500 → 1 × 100: credit 3000, charge 100; next invoice 100 + 100 − 3000 = −2800 → 0, 2800 carried.
    await updateBillingSubscription(db, admin, sub.id, { quantity: 1, unitAmount: { amountMinor: 100, currency: 'GBP' } }, { now: at(0) });
    const r = await chargeOffSession(deps, sub.id, 2);
    expect(r).toMatchObject({ outcome: 'paid', paymentIntentId: null });
    expect(await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: sub.id, period: 2 })).toMatchObject({ status: 'PAID', amountMinor: 0 });
    expect(await db.getRepository(PaymentIntentEntity).countBy({ billingSubscriptionId: sub.id, billingPeriod: 2 })).toBe(0);
    expect((await subOf(sub.id)).currentPeriod).toBe(2);
    expect((await pendingOf(sub.id)).map((l) => [l.kind, l.amountMinor])).toEqual([['CREDIT_CARRIED', -2800]]);
  });

  it('refuses bad input, another currency, a canceled or unknown subscription and another tenant: stable codes, nothing written', async () => {
    const sub = await pinPeriod((await subscription()).id);
    const m = asMerchant(sub.merchantId);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { quantity: 0 }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { quantity: -2 }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { quantity: 1.5 }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, {}))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { unitAmount: { amountMinor: 0, currency: 'GBP' } }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { quantity: 2, position: 7 }))).toBe(ErrorCode.BAD_USER_INPUT);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { unitAmount: { amountMinor: 2000, currency: 'EUR' } }))).toBe(ErrorCode.SUBSCRIPTION_CURRENCY_MISMATCH);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { quantity: 3, expectedVersion: sub.version + 5 }))).toBe(ErrorCode.VERSION_CONFLICT);
    expect(await codeOf(updateBillingSubscription(db, asMerchant(newId('m')), sub.id, { quantity: 3 }))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect(await codeOf(updateBillingSubscription(db, m, 'bsub_unknown', { quantity: 3 }))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect(await codeOf(updateBillingSubscription(db, { kind: 'AGENT', keyId: 'k', agentId: 'a' }, sub.id, { quantity: 3 }))).toBe(ErrorCode.FORBIDDEN);
    expect((await subOf(sub.id)).version).toBe(sub.version);
    expect(await pendingOf(sub.id)).toEqual([]);
    expect(await db.getRepository(BillingSubscriptionItemEntity).findOneByOrFail({ subscriptionId: sub.id, position: 0 })).toMatchObject({ quantity: 2, unitAmountMinor: 1500 });
    await cancelBillingSubscription(db, m, sub.id, false);
    expect(await codeOf(updateBillingSubscription(db, m, sub.id, { quantity: 3 }))).toBe(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED);
  });

  it('a subscription Stripe Billing bills is neither paused nor changed here (SUBSCRIPTION_CHANGE_UNSUPPORTED), nothing written', async () => {
    const sub = await subscription();
    await db.getRepository(BillingSubscriptionEntity).update({ id: sub.id }, { provider: 'STRIPE' });
    expect(await codeOf(pauseBillingSubscription(db, admin, sub.id))).toBe(ErrorCode.SUBSCRIPTION_CHANGE_UNSUPPORTED);
    expect(await codeOf(updateBillingSubscription(db, admin, sub.id, { quantity: 3 }))).toBe(ErrorCode.SUBSCRIPTION_CHANGE_UNSUPPORTED);
    expect(await pendingOf(sub.id)).toEqual([]);
    expect((await subOf(sub.id)).version).toBe(sub.version);
  });

  it('an update raced with the renewal: its proration lands on exactly one invoice (this one or the next), never lost, never twice', async () => {
    for (let round = 0; round < 3; round++) {
      const sub = await pinPeriod((await subscription()).id);
      const [renewal] = await Promise.all([chargeOffSession(deps, sub.id, 2), updateBillingSubscription(db, admin, sub.id, { quantity: 3 }, { now: at(15) })]);
      expect(renewal.outcome).toBe('paid');
      const invoice = await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: sub.id, period: 2 });
      const onInvoice = await db.getRepository(BillingInvoiceLineEntity).find({ where: { invoiceId: invoice.id } });
      const pending = await pendingOf(sub.id);
      const prorations = [...onInvoice, ...pending].filter((l) => l.kind === 'PRORATION');
      // Whichever ran first, one credit and one charge exist; the lines on the invoice sum to what was charged.
      expect(prorations.map((l) => l.amountMinor).sort((x, y) => x - y)).toHaveLength(2);
      expect(onInvoice.reduce((t, l) => t + l.amountMinor, 0)).toBe(invoice.amountMinor);
      const intent = await db.getRepository(PaymentIntentEntity).findOneByOrFail({ id: renewal.paymentIntentId! });
      expect(intent.amountCapturedMinor).toBe(invoice.amountMinor);
      // Update first: the invoice is the new price + both lines; renewal first: the old price, the lines pending.
      expect([4500 + 750, 3000]).toContain(invoice.amountMinor);
      expect(pending.length === 0).toBe(invoice.amountMinor === 5250);
    }
  });

  it('two updates expecting the same version, raced: one applies, the other is VERSION_CONFLICT (one set of proration lines)', async () => {
    const sub = await pinPeriod((await subscription()).id);
    const m = asMerchant(sub.merchantId);
    const results = await Promise.all([3, 4, 5].map((quantity) => codeOf(updateBillingSubscription(db, m, sub.id, { quantity, expectedVersion: sub.version }, { now: at(15) }))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(1);
    expect(results.filter((r) => r === ErrorCode.VERSION_CONFLICT)).toHaveLength(2);
    const after = await subOf(sub.id);
    expect(after.version).toBe(sub.version + 1);
    const pending = await pendingOf(sub.id);
    expect(pending).toHaveLength(2);
    const item = await db.getRepository(BillingSubscriptionItemEntity).findOneByOrFail({ subscriptionId: sub.id, position: 0 });
    expect(pending[1]!.quantity).toBe(item.quantity);
    expect(pending[1]!.amountMinor).toBe((1500 * item.quantity) / 2);
  });
});
