// Canceling a billing subscription (issue 22 lifecycle, lifecycle/cancel.ts) against a real
// database: at period end sets the flag only (status and renewal date kept, asked twice: one
// event); now → CANCELED with its open invoices VOID and no next renewal; a canceled one →
// SUBSCRIPTION_ALREADY_CANCELED with nothing written; two cancels raced concurrently: the row
// lock lets one move it and the other gets SUBSCRIPTION_ALREADY_CANCELED; another merchant:
// BILLING_SUBSCRIPTION_NOT_FOUND; an agent: FORBIDDEN.
import { ErrorCode, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { createInvoiceForPeriod } from '../src/billing-subscription/billing-subscription.changes.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { cancelBillingSubscription } from '../src/billing-subscription/lifecycle/cancel.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { admin, asMerchant, newId, startPaymentsHarness, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let db: DataSource;

const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1500, quantity: 2 }] };
const codeOf = async (p: Promise<unknown>) => p.then(() => 'resolved', (e: { extensions?: { code?: string } }) => e.extensions?.code ?? String(e));
const updatedEvents = async (id: string) =>
  Number((await db.query(`SELECT count(*) AS n FROM payment.outbox WHERE topic = 'webhook_event.subscription.updated' AND payload->'object'->>'id' = $1`, [id]))[0].n);

async function active(merchantId = newId('m')): Promise<BillingSubscriptionEntity> {
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 3000, amountCapturedMinor: 3000, amountRefundedMinor: 0,
    provider: 'TEST', paymentMethodId: 'pm_sbx_int_test', metadata: {}, billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1,
    billingPlan: { ...PLAN, card: { brand: 'visa', last4: '4242' } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: billingSubscriptionIdFor(sessionId) });
}

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
}, 120_000);

afterAll(async () => h?.close());

describe('cancelBillingSubscription', () => {
  it('at period end: sets cancelAtPeriodEnd, keeps the status and the renewal date; asked again writes nothing', async () => {
    const sub = await active();
    const flagged = await cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, true);
    expect(flagged).toMatchObject({ status: 'ACTIVE', cancelAtPeriodEnd: true, canceledAt: null, version: 2 });
    expect(flagged.nextRenewalAt).toEqual(sub.nextRenewalAt);
    expect(await updatedEvents(sub.id)).toBe(1);
    const again = await cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, true);
    expect(again.version).toBe(2);
    expect(await updatedEvents(sub.id)).toBe(1);
  });

  it('now: CANCELED, no next renewal, open invoices VOID; a second cancel is SUBSCRIPTION_ALREADY_CANCELED and writes nothing', async () => {
    const sub = await active();
    const { invoice } = await db.transaction((m) => createInvoiceForPeriod(m, sub, 2, 3000));
    const canceled = await cancelBillingSubscription(db, admin, sub.id, false);
    expect(canceled).toMatchObject({ status: 'CANCELED', nextRenewalAt: null, cancelAtPeriodEnd: false });
    expect(canceled.canceledAt).toBeInstanceOf(Date);
    expect((await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ id: invoice.id })).status).toBe('VOID');
    const events = await updatedEvents(sub.id);
    expect(await codeOf(cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, false))).toBe(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED);
    expect(await codeOf(cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, true))).toBe(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED);
    expect(await updatedEvents(sub.id)).toBe(events);
    expect((await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: sub.id })).version).toBe(canceled.version);
  });

  it('two cancels raced concurrently: one moves it, the other is SUBSCRIPTION_ALREADY_CANCELED (serialized by the row lock)', async () => {
    const sub = await active();
    const results = await Promise.all([0, 1, 2].map(() => codeOf(cancelBillingSubscription(db, asMerchant(sub.merchantId), sub.id, false))));
    expect(results.filter((r) => r === 'resolved')).toHaveLength(1);
    expect(results.filter((r) => r === ErrorCode.SUBSCRIPTION_ALREADY_CANCELED)).toHaveLength(2);
    expect(await updatedEvents(sub.id)).toBe(1);
  });

  it("another merchant's is not found, an agent may not cancel, a malformed id is not found; nothing written", async () => {
    const sub = await active();
    expect(await codeOf(cancelBillingSubscription(db, asMerchant(newId('m')), sub.id, false))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect(await codeOf(cancelBillingSubscription(db, { kind: 'AGENT', keyId: 'key_a', agentId: 'agent_a' }, sub.id, false))).toBe(ErrorCode.FORBIDDEN);
    expect(await codeOf(cancelBillingSubscription(db, admin, 'bsub_nope', false))).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect((await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: sub.id })).status).toBe('ACTIVE');
    expect(await updatedEvents(sub.id)).toBe(0);
  });
});

describe('cancelBillingSubscription through the subgraph\'s GraphQL', () => {
  const CANCEL = `mutation($id: ID!, $atPeriodEnd: Boolean) { cancelBillingSubscription(id: $id, atPeriodEnd: $atPeriodEnd) { id status cancelAtPeriodEnd } }`;

  it('a merchant cancels its own at period end then now; another merchant gets BILLING_SUBSCRIPTION_NOT_FOUND; again: SUBSCRIPTION_ALREADY_CANCELED', async () => {
    const sub = await active();
    const own = asMerchant(sub.merchantId);
    expect((await h.call(own, CANCEL, { id: sub.id, atPeriodEnd: true })).data?.cancelBillingSubscription).toEqual({ id: sub.id, status: 'ACTIVE', cancelAtPeriodEnd: true });
    expect((await h.call(asMerchant(newId('m')), CANCEL, { id: sub.id })).errors?.[0]?.extensions?.code).toBe(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND);
    expect((await h.call(own, CANCEL, { id: sub.id })).data?.cancelBillingSubscription).toEqual({ id: sub.id, status: 'CANCELED', cancelAtPeriodEnd: false });
    expect((await h.call(own, CANCEL, { id: sub.id })).errors?.[0]?.extensions?.code).toBe(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED);
  });
});
