// Billing subscriptions' service in payment-intent (issue 22; docs/recurring.md) against a real
// database: the start from a SUBSCRIPTION checkout's succeeded payment is once per session even
// when two transactions race it (one subscription, one invoice, one subscription.created); the
// functions the renewal and lifecycle work calls (changeSubscription, createInvoiceForPeriod,
// changeInvoice) keep to their state tables with nothing written on a refusal, invoice a period
// once when two renewals race it, and refuse a stale version; reads are tenant-scoped through
// the subgraph's GraphQL (another merchant: null and an empty list; an agent of another checkout: null).
import { ErrorCode, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment, type StoredBillingPlan } from '../src/billing-subscription/billing-checkout.js';
import { changeInvoice, changeSubscription, createInvoiceForPeriod, lockSubscription } from '../src/billing-subscription/billing-subscription.changes.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus } from '../src/billing-subscription/billing-subscription.states.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { asMerchant, newId, startPaymentsHarness, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let db: DataSource;

const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1500, quantity: 2 }] };

/** A succeeded intent paying period 1 of `sessionId`'s subscription, as the confirm leaves it (not stored: the start reads only the entity). */
function paidIntent(merchantId: string, sessionId: string, plan: StoredBillingPlan = PLAN, amountMinor = 3000): PaymentIntentEntity {
  return Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'),
    merchantId,
    checkoutSessionId: sessionId,
    status: 'SUCCEEDED',
    currency: 'GBP',
    amountMinor,
    amountCapturedMinor: amountMinor,
    amountRefundedMinor: 0,
    provider: 'TEST',
    paymentMethodId: 'pm_sbx_int_test',
    metadata: { aap_agent_id: 'agent_int' },
    billingSubscriptionId: billingSubscriptionIdFor(sessionId),
    billingPeriod: plan.trialDays > 0 ? null : 1,
    billingPlan: { ...plan, card: { brand: 'visa', last4: '4242' } },
  });
}

const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);
const codeOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { extensions?: { code?: string } }) => e.extensions?.code ?? String(e));

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
}, 120_000);

afterAll(async () => h?.close());

describe('billing subscriptions: start at checkout', () => {
  it('starts ACTIVE with invoice 1 PAID, period 1 one month long, once even when two transactions race the same session', async () => {
    const merchantId = newId('m');
    const sessionId = newId('cs');
    const intent = paidIntent(merchantId, sessionId);
    const started = await Promise.all([1, 2, 3].map(() => db.transaction((m) => startSubscriptionFromPayment(m, intent))));
    expect(started.filter((s) => s !== null)).toHaveLength(1);
    const id = billingSubscriptionIdFor(sessionId);
    const sub = await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
    expect(sub).toMatchObject({ status: 'ACTIVE', currentPeriod: 1, paymentMethodId: 'pm_sbx_int_test', paymentMethodLast4: '4242', checkoutPaymentIntentId: intent.id });
    expect(sub.currentPeriodEnd!.getUTCDate()).toBe(Math.min(sub.currentPeriodStart!.getUTCDate(), new Date(Date.UTC(sub.currentPeriodEnd!.getUTCFullYear(), sub.currentPeriodEnd!.getUTCMonth() + 1, 0)).getUTCDate()));
    expect(sub.nextRenewalAt).toEqual(sub.currentPeriodEnd);
    const invoices = await db.getRepository(BillingInvoiceEntity).findBy({ subscriptionId: id });
    expect(invoices).toHaveLength(1);
    expect(invoices[0]).toMatchObject({ period: 1, status: 'PAID', amountMinor: 3000, attempts: 1, paymentIntentId: intent.id });
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.subscription.created' AND payload->'object'->>'id' = $1`, [id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.paid' AND payload->'object'->>'subscription_id' = $1`, [id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'audit.billing_subscription.created' AND aggregate_id = $1`, [id])).toBe(1);
  });

  it('starts TRIALING with no invoice, its first renewal at the trial end', async () => {
    const sessionId = newId('cs');
    await db.transaction((m) => startSubscriptionFromPayment(m, paidIntent(newId('m'), sessionId, { ...PLAN, trialDays: 10 }, 0)));
    const sub = await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: billingSubscriptionIdFor(sessionId) });
    expect(sub).toMatchObject({ status: 'TRIALING', currentPeriod: 0 });
    expect(sub.trialEnd!.getTime() - sub.trialStart!.getTime()).toBe(10 * 86_400_000);
    expect(sub.nextRenewalAt).toEqual(sub.trialEnd);
    expect(sub.billingCycleAnchor).toEqual(sub.trialEnd);
    expect(await count(`SELECT count(*) AS n FROM payment.billing_invoices WHERE subscription_id = $1`, [sub.id])).toBe(0);
  });
});

describe('billing subscriptions: the functions renewals and lifecycle call', () => {
  async function active(): Promise<BillingSubscriptionEntity> {
    const sessionId = newId('cs');
    await db.transaction((m) => startSubscriptionFromPayment(m, paidIntent(newId('m'), sessionId)));
    return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: billingSubscriptionIdFor(sessionId) });
  }

  it('invoices a period once when two renewals race it, bounded from the anchor', async () => {
    const sub = await active();
    const results = await Promise.all([1, 2, 3, 4].map(() => db.transaction((m) => createInvoiceForPeriod(m, sub, 2, 3000))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.invoice.id)).size).toBe(1);
    const inv = results[0]!.invoice;
    expect(inv).toMatchObject({ period: 2, status: 'OPEN', amountMinor: 3000, currency: 'GBP' });
    expect(inv.periodStart).toEqual(sub.currentPeriodEnd);
    expect(await count(`SELECT count(*) AS n FROM payment.billing_invoices WHERE subscription_id = $1 AND period = 2`, [sub.id])).toBe(1);
  });

  it('moves through the state table with subscription.updated; refuses what it does not allow, writing nothing', async () => {
    const sub = await active();
    const pastDue = await db.transaction(async (m) => changeSubscription(m, (await lockSubscription(m, sub.id))!, {}, BillingSubscriptionStatus.PAST_DUE));
    expect(pastDue).toMatchObject({ status: 'PAST_DUE', version: 2 });
    const updated = await db.query(`SELECT payload FROM payment.outbox WHERE topic = 'webhook_event.subscription.updated' AND payload->'object'->>'id' = $1`, [sub.id]);
    expect(updated).toHaveLength(1);
    expect(updated[0].payload.previousAttributes).toEqual({ status: 'active' });
    const canceled = await db.transaction(async (m) => changeSubscription(m, (await lockSubscription(m, sub.id))!, { canceledAt: new Date(), nextRenewalAt: null }, BillingSubscriptionStatus.CANCELED));
    expect(canceled.status).toBe('CANCELED');
    // Canceling a canceled subscription: refused, nothing written.
    const outboxBefore = await count(`SELECT count(*) AS n FROM payment.outbox WHERE aggregate_id = $1 OR payload->'object'->>'id' = $1`, [sub.id]);
    expect(await codeOf(db.transaction(async (m) => changeSubscription(m, (await lockSubscription(m, sub.id))!, {}, BillingSubscriptionStatus.CANCELED)))).toBe(ErrorCode.INVALID_STATE_TRANSITION);
    expect(await codeOf(db.transaction(async (m) => changeSubscription(m, (await lockSubscription(m, sub.id))!, {}, BillingSubscriptionStatus.ACTIVE)))).toBe(ErrorCode.INVALID_STATE_TRANSITION);
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE aggregate_id = $1 OR payload->'object'->>'id' = $1`, [sub.id])).toBe(outboxBefore);
    expect((await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: sub.id })).version).toBe(3);
  });

  it('refuses a change made from a stale version (VERSION_CONFLICT), writing nothing', async () => {
    const sub = await active();
    await db.transaction((m) => changeSubscription(m, sub, { cancelAtPeriodEnd: true }));
    expect(await codeOf(db.transaction((m) => changeSubscription(m, sub, { cancelAtPeriodEnd: false })))).toBe(ErrorCode.VERSION_CONFLICT);
    expect((await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: sub.id })).cancelAtPeriodEnd).toBe(true);
  });

  it('pays an open invoice (invoice.paid) and never pays a void one', async () => {
    const sub = await active();
    const { invoice } = await db.transaction((m) => createInvoiceForPeriod(m, sub, 2, 3000));
    const failed = await db.transaction((m) => changeInvoice(m, sub, invoice, { attempts: 1 }, { failed: true }));
    expect(await count(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.invoice.payment_failed' AND payload->'object'->>'id' = $1`, [invoice.id])).toBe(1);
    const paid = await db.transaction((m) => changeInvoice(m, sub, failed, { attempts: 2 }, { to: BillingInvoiceStatus.PAID }));
    expect(paid.status).toBe('PAID');
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(await codeOf(db.transaction((m) => changeInvoice(m, sub, paid, {}, { to: BillingInvoiceStatus.VOID })))).toBe(ErrorCode.INVALID_STATE_TRANSITION);
    const { invoice: third } = await db.transaction((m) => createInvoiceForPeriod(m, sub, 3, 3000));
    const voided = await db.transaction((m) => changeInvoice(m, sub, third, {}, { to: BillingInvoiceStatus.VOID }));
    expect(await codeOf(db.transaction((m) => changeInvoice(m, sub, voided, {}, { to: BillingInvoiceStatus.PAID })))).toBe(ErrorCode.INVALID_STATE_TRANSITION);
    expect((await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ id: third.id })).status).toBe('VOID');
  });
});

describe('billing subscriptions: reads are the caller\'s', () => {
  const READ = `query($id: ID!) { billingSubscription(id: $id) { id status invoices { period status } paymentMethod { brand last4 } } }`;
  const LIST = `query { billingSubscriptions(first: 100) { totalCount edges { node { id } } } }`;

  it('a merchant reads its own subscription; another merchant and another agent see nothing', async () => {
    const merchantId = newId('m');
    const sessionId = newId('cs');
    await db.transaction((m) => startSubscriptionFromPayment(m, paidIntent(merchantId, sessionId)));
    const id = billingSubscriptionIdFor(sessionId);
    const own = await h.call(asMerchant(merchantId), READ, { id });
    expect(own.data?.billingSubscription).toMatchObject({ id, status: 'ACTIVE', invoices: [{ period: 1, status: 'PAID' }], paymentMethod: { brand: 'visa', last4: '4242' } });
    expect((await h.call(asMerchant(merchantId), LIST, {})).data?.billingSubscriptions.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
    const stranger = asMerchant(newId('m'));
    expect((await h.call(stranger, READ, { id })).data?.billingSubscription).toBeNull();
    expect((await h.call(stranger, LIST, {})).data?.billingSubscriptions.totalCount).toBe(0);
    expect((await h.call({ kind: 'AGENT', keyId: 'key_other', agentId: 'agent_other' }, READ, { id })).data?.billingSubscription).toBeNull();
    expect((await h.call({ kind: 'AGENT', keyId: 'key_int', agentId: 'agent_int' }, READ, { id })).data?.billingSubscription?.id).toBe(id);
    expect((await h.call(asMerchant(merchantId), READ, { id: 'not-an-id' })).data?.billingSubscription).toBeNull();
  });
});
