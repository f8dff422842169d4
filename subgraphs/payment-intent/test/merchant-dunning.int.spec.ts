// The dunning schedule the merchant sets (issue 22 item 4; docs/recurring.md "Dunning the merchant
// sets"), against the real merchant subgraph, database and sandbox PSP: setDunningSettings as the
// merchant (stored, read back, the merchant.updated event and audit row), bad schedules refused
// with INVALID_DUNNING_SCHEDULE and nothing written, another merchant's refused, and renewals
// reading it through the merchant port (MerchantDunningSettings, as the worker does): a merchant's
// own one-retry-then-CANCELED schedule is followed while another merchant keeps the default.
import { createLogger, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { MerchantDunningSettings } from '../src/billing-subscription/dunning-settings.js';
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
const DECLINE = '4000000000000002';
const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 900, quantity: 1 }] };
const SET = `mutation($m: ID, $input: DunningSettingsInput!) { setDunningSettings(merchantId: $m, input: $input) { dunning { retryDays finalStatus } updatedAt } }`;
const READ = `query($m: ID) { billingSettings(merchantId: $m) { dunning { retryDays finalStatus } updatedAt } }`;

async function subscriptionOf(merchantId: string, card: string): Promise<BillingSubscriptionEntity> {
  const token = await connectors.for((await credentials.get(merchantId))!).tokenizeTestCard({ manager: db.manager }, card);
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'GBP', amountMinor: 900,
    amountCapturedMinor: 900, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token, metadata: {},
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1, billingPlan: { ...PLAN, card: { brand: 'visa', last4: card.slice(-4) } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: intent.billingSubscriptionId });
}

const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string, period: number) => db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: id, period });

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  const port = MerchantPort.over(h.merchantUrl, h.secret);
  credentials = new MerchantCredentialsClient(port, 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('dunning-test', 'silent'))));
  deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return`, dunningFor: new MerchantDunningSettings((id) => port.dunningSettings(id), 0).get };
}, 120_000);

afterAll(async () => h?.close());

describe('billingSettings / setDunningSettings', () => {
  it('reads the default until set; the merchant sets its own (stored, event and audit row); an admin names the merchant', async () => {
    const m = await h.testMerchant();
    const fresh = await h.callMerchant(asMerchant(m.id), READ, {});
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data!.billingSettings).toEqual({ dunning: { retryDays: [1, 3, 5, 7], finalStatus: 'UNPAID' }, updatedAt: null });
    const set = await h.callMerchant(asMerchant(m.id), SET, { input: { retryDays: [2, 9], finalStatus: 'canceled' } });
    expect(set.errors).toBeUndefined();
    expect(set.data!.setDunningSettings.dunning).toEqual({ retryDays: [2, 9], finalStatus: 'CANCELED' });
    const read = await h.callMerchant(admin, READ, { m: m.id });
    expect(read.data!.billingSettings.dunning).toEqual({ retryDays: [2, 9], finalStatus: 'CANCELED' });
    expect(read.data!.billingSettings.updatedAt).not.toBeNull();
    const mdb = h.merchant.dataSource;
    const events = await mdb.query(`SELECT payload FROM merchant.outbox WHERE topic = 'merchant.updated' AND aggregate_id = $1 AND payload->'changed' ? 'billingSettings'`, [m.id]);
    expect(events).toHaveLength(1);
    const audits = await mdb.query(`SELECT payload FROM merchant.outbox WHERE topic LIKE 'audit.billing_settings.%' AND aggregate_id = $1`, [`${m.id}:dunning`]);
    expect(audits).toHaveLength(1);
  });

  it.each([
    [[], 'dunning:retry_count'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'dunning:retry_count'],
    [[0, 3], 'dunning:retry_day'],
    [[3, 61], 'dunning:retry_day'],
    [[3, 3], 'dunning:not_increasing'],
    [[5, 2], 'dunning:not_increasing'],
  ])('refuses retry days %j with INVALID_DUNNING_SCHEDULE %s, nothing written', async (retryDays, reason) => {
    const m = await h.testMerchant();
    const res = await h.callMerchant(asMerchant(m.id), SET, { input: { retryDays, finalStatus: 'UNPAID' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_DUNNING_SCHEDULE', reason });
    expect(await h.merchant.dataSource.query(`SELECT 1 FROM merchant.billing_settings WHERE merchant_id = $1`, [m.id])).toHaveLength(0);
  });

  it('refuses an unknown final status, and another merchant\'s settings (MERCHANT_NOT_FOUND)', async () => {
    const m = await h.testMerchant();
    const other = await h.testMerchant();
    const bad = await h.callMerchant(asMerchant(m.id), SET, { input: { retryDays: [1], finalStatus: 'PAUSED' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_DUNNING_SCHEDULE', reason: 'dunning:final_status' });
    const theirs = await h.callMerchant(asMerchant(m.id), SET, { m: other.id, input: { retryDays: [1], finalStatus: 'UNPAID' } });
    expect(theirs.errors?.[0]?.extensions?.code).toBe('MERCHANT_NOT_FOUND');
    const read = await h.callMerchant(asMerchant(m.id), READ, { m: other.id });
    expect(read.errors?.[0]?.extensions?.code).toBe('MERCHANT_NOT_FOUND');
    expect(await h.merchant.dataSource.query(`SELECT 1 FROM merchant.billing_settings WHERE merchant_id IN ($1, $2)`, [m.id, other.id])).toHaveLength(0);
  });
});

describe('renewals follow the merchant\'s schedule', () => {
  it("one retry after 4 days then CANCELED for the merchant that set it; the default 1, 3, 5, 7 for one that did not", async () => {
    const own = await h.testMerchant();
    const set = await h.callMerchant(asMerchant(own.id), SET, { input: { retryDays: [4], finalStatus: 'CANCELED' } });
    expect(set.errors).toBeUndefined();
    const plain = await h.testMerchant();
    const a = await subscriptionOf(own.id, DECLINE);
    const b = await subscriptionOf(plain.id, DECLINE);
    let now = new Date(a.currentPeriodEnd!.getTime() + 60_000);
    const clocked: RenewalDeps = { ...deps, now: () => now };
    expect((await chargeOffSession(clocked, a.id, 2)).outcome).toBe('declined');
    expect((await invoiceOf(a.id, 2)).nextAttemptAt).toEqual(new Date(a.currentPeriodEnd!.getTime() + 4 * DAY));
    now = new Date(a.currentPeriodEnd!.getTime() + 4 * DAY + 60_000);
    expect((await chargeOffSession(clocked, a.id, 2)).outcome).toBe('gave_up');
    expect(await subOf(a.id)).toMatchObject({ status: 'CANCELED', nextRenewalAt: null });
    expect(await invoiceOf(a.id, 2)).toMatchObject({ status: 'UNCOLLECTIBLE', attempts: 2 });

    now = new Date(b.currentPeriodEnd!.getTime() + 60_000);
    expect((await chargeOffSession(clocked, b.id, 2)).outcome).toBe('declined');
    expect((await invoiceOf(b.id, 2)).nextAttemptAt).toEqual(new Date(b.currentPeriodEnd!.getTime() + 1 * DAY));
    expect(await subOf(b.id)).toMatchObject({ status: 'PAST_DUE' });
  });
});
