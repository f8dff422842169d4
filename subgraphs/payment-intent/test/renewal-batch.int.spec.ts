// A batch of renewals in set-based statements (renewal-batch.ts chargeBatch; docs/recurring.md
// "Renewals in batches") against a real database and the sandbox PSP: a batch where some cards
// decline, one needs authentication and one is processing charges the good ones in the batch's
// statements and takes the others through dunning one by one; replayed (a retried job, a Redis
// flush) it charges nothing more; two batches and a single run racing the same renewals charge
// each once; and a renewal charged in a batch writes the same rows (intent, timeline, invoice,
// subscription, outbox events with their webhook events, audit and pub/sub rows) as one charged
// by chargeOffSession.
import { createLogger, type SubscriptionPlanTerms } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import { chargeBatch, refKey, type RenewalRef } from '../src/billing-subscription/renewal-batch.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { MerchantPort } from '../src/ports/merchant.port.js';
import { Connectors } from '../src/psp/connectors.js';
import { MerchantCredentialsClient } from '../src/psp/merchant-credentials.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { newId, startPaymentsHarness, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let db: DataSource;
let deps: RenewalDeps;
let credentials: MerchantCredentialsClient;
let connectors: Connectors;
let merchantId: string;

const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Team', offerId: null, unitAmountMinor: 900, quantity: 3 }] };

/** An ACTIVE subscription of the file's merchant (period 1 paid at checkout), its saved card the sandbox's token of `card`. */
async function subscriptionWithCard(card: string): Promise<BillingSubscriptionEntity> {
  const token = await connectors.for((await credentials.get(merchantId))!).tokenizeTestCard({ manager: db.manager }, card);
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'EUR', amountMinor: 2700,
    amountCapturedMinor: 2700, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token, metadata: { aap_agent_id: 'agent_batch' },
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1, billingPlan: { ...PLAN, card: { brand: 'visa', last4: card.slice(-4) } },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: intent.billingSubscriptionId });
}

const ref = (s: BillingSubscriptionEntity): RenewalRef => ({ subscriptionId: s.id, period: 2 });
const subOf = (id: string) => db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id });
const invoiceOf = (id: string) => db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: id, period: 2 });
const intentsOf = (id: string) => db.getRepository(PaymentIntentEntity).findBy({ billingSubscriptionId: id, billingPeriod: 2 });
const sandboxCharges = async (ids: string[]) =>
  (await h.sandbox.dataSource.query(`SELECT id, status FROM sandbox.payments WHERE metadata->>'aap_agent_id' = 'agent_batch' AND description = ANY($1)`, [
    ids.map((id) => `Subscription ${id}, period 2`),
  ])) as { id: string; status: string }[];

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('renewal-batch-test', 'silent'))));
  merchantId = (await h.testMerchant()).id;
}, 120_000);

afterAll(async () => h?.close());

describe('renewals in batches', () => {
  it('charges the good cards in the batch and takes declines, an authentication and a processing card through dunning one by one; a replay charges nothing', async () => {
    const good = [await subscriptionWithCard('4242424242424242'), await subscriptionWithCard('4242424242424242'), await subscriptionWithCard('4242424242424242')];
    const declined = await subscriptionWithCard('4000000000000002');
    const offSession = await subscriptionWithCard('4000000000000341');
    const sca = await subscriptionWithCard('4000002760003184');
    const processing = await subscriptionWithCard('4000000000000077');
    const all = [good[0]!, declined, good[1]!, sca, offSession, processing, good[2]!];
    const now = new Date(Math.max(...all.map((s) => s.nextRenewalAt!.getTime())) + 60_000);
    deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return`, now: () => now };

    const out = await chargeBatch(deps, all.map(ref));
    expect(out.rest).toEqual([]);
    const outcome = (s: BillingSubscriptionEntity) => out.done.get(refKey(ref(s)))?.outcome;
    expect(good.map(outcome)).toEqual(['paid', 'paid', 'paid']);
    expect([outcome(declined), outcome(offSession), outcome(sca), outcome(processing)]).toEqual(['declined', 'declined', 'requires_action', 'pending']);

    for (const s of good) {
      const [intent, ...more] = await intentsOf(s.id);
      expect(more).toHaveLength(0);
      expect(intent).toMatchObject({ status: 'SUCCEEDED', amountMinor: 2700, amountCapturedMinor: 2700, version: 2, checkoutSessionId: null });
      expect(await invoiceOf(s.id)).toMatchObject({ status: 'PAID', attempts: 1, amountMinor: 2700, paymentIntentId: intent!.id, nextAttemptAt: null, version: 2 });
      expect(await subOf(s.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2, version: s.version + 1 });
    }
    for (const s of [declined, offSession]) {
      expect(await subOf(s.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 1 });
      const invoice = await invoiceOf(s.id);
      expect(invoice).toMatchObject({ status: 'OPEN', attempts: 1 });
      expect(invoice.nextAttemptAt!.getTime()).toBe(invoice.periodStart.getTime() + 86_400_000); // the schedule's first retry: day 1
      expect((await intentsOf(s.id)).map((i) => i.status)).toEqual(['REQUIRES_PAYMENT_METHOD']);
    }
    expect(await subOf(sca.id)).toMatchObject({ status: 'PAST_DUE', currentPeriod: 1 });
    expect((await intentsOf(sca.id)).map((i) => i.status)).toEqual(['REQUIRES_ACTION']);
    expect((await intentsOf(processing.id)).map((i) => i.status)).toEqual(['PROCESSING']);
    const charges = await sandboxCharges(all.map((s) => s.id));
    expect(charges).toHaveLength(all.length);
    // The processing card settles at the sandbox a moment later (its webhook pays the invoice then): 3 or 4 succeeded.
    expect(charges.filter((c) => c.status === 'succeeded').length).toBeGreaterThanOrEqual(3);
    expect(charges.filter((c) => c.status === 'requires_payment_method')).toHaveLength(2);
    expect(charges.filter((c) => c.status === 'requires_action')).toHaveLength(1);

    // The same batch again (a retried job, a Redis flush and a rescan): nothing charged, nothing written twice.
    const again = await chargeBatch(deps, all.map(ref));
    expect(again.done.size).toBe(0);
    expect(again.rest).toHaveLength(all.length);
    const rerun = await Promise.all(again.rest.map((r) => chargeOffSession(deps, r.subscriptionId, r.period)));
    expect(rerun.map((r) => r.outcome)).toEqual(['already_paid', 'not_due', 'already_paid', 'requires_action', 'not_due', expect.stringMatching(/^(pending|already_paid)$/), 'already_paid']);
    expect(await sandboxCharges(all.map((s) => s.id))).toHaveLength(all.length);
    for (const s of all) expect(await intentsOf(s.id)).toHaveLength(1);
  }, 120_000);

  it('two batches and a single run racing the same renewals charge each once', async () => {
    const subs = [await subscriptionWithCard('4242424242424242'), await subscriptionWithCard('4242424242424242'), await subscriptionWithCard('4242424242424242')];
    const now = new Date(Math.max(...subs.map((s) => s.nextRenewalAt!.getTime())) + 60_000);
    deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return`, now: () => now };
    const [a, b, single] = await Promise.all([
      chargeBatch(deps, subs.map(ref)),
      chargeBatch(deps, [...subs].reverse().map(ref)),
      chargeOffSession(deps, subs[1]!.id, 2),
    ]);
    // Each renewal paid by exactly one of them; the others found it paid (or left it to chargeOffSession, which finds it paid).
    for (const s of subs) {
      const payers = [a.done.get(refKey(ref(s)))?.outcome, b.done.get(refKey(ref(s)))?.outcome, s.id === subs[1]!.id ? single.outcome : undefined].filter((o) => o === 'paid');
      expect(payers).toHaveLength(1);
      expect(await intentsOf(s.id)).toHaveLength(1);
      expect(await invoiceOf(s.id)).toMatchObject({ status: 'PAID', attempts: 1 });
      expect(await subOf(s.id)).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
    }
    for (const r of [...a.rest, ...b.rest]) expect((await chargeOffSession(deps, r.subscriptionId, r.period)).outcome).toBe('already_paid');
    const charges = await sandboxCharges(subs.map((s) => s.id));
    expect(charges.map((c) => c.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  }, 120_000);

  it('a renewal charged in a batch writes the same rows as one charged by chargeOffSession', async () => {
    const single = await subscriptionWithCard('4242424242424242');
    const batched = await subscriptionWithCard('4242424242424242');
    const now = new Date(Math.max(single.nextRenewalAt!.getTime(), batched.nextRenewalAt!.getTime()) + 60_000);
    deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return`, now: () => now };
    const lastOutbox = async () => String((await db.query(`SELECT coalesce(max(id), 0) AS id FROM payment.outbox`))[0].id);
    const since = new Map<string, string>();
    since.set(single.id, await lastOutbox());
    expect((await chargeOffSession(deps, single.id, 2)).outcome).toBe('paid');
    since.set(batched.id, await lastOutbox());
    expect((await chargeBatch(deps, [ref(batched)])).done.get(refKey(ref(batched)))?.outcome).toBe('paid');

    /** What a renewal wrote, with its own ids and times taken out: the same shape either way. */
    const written = async (s: BillingSubscriptionEntity) => {
      const [intent] = await intentsOf(s.id);
      const invoice = await invoiceOf(s.id);
      const ids: [string, string][] = [
        [intent!.id, '<pi>'], [s.id, '<sub>'], [invoice.id, '<inv>'], [intent!.providerPaymentId!, '<psp>'], [s.checkoutSessionId, '<cs>'],
        [s.paymentMethodId!, '<pm>'], [s.checkoutPaymentIntentId ?? '<none>', '<checkout-pi>'],
      ];
      const clean = (v: unknown) => {
        let text = JSON.stringify(v);
        for (const [id, as] of ids) text = text.split(id).join(as);
        // Times (ISO strings, Unix seconds) differ between the two renewals: their shape is compared, not their values.
        return JSON.parse(text.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"').replace(/"(\w*(?:created|updated|_at|_start|_end))":\d+/g, '"$1":0')) as unknown;
      };
      const outbox = (await db.query(
        `SELECT topic, payload FROM payment.outbox
          WHERE id > $4 AND (aggregate_id = ANY($1) OR payload::text LIKE '%' || $2 || '%' OR payload::text LIKE '%' || $3 || '%') ORDER BY id`,
        [[intent!.id, s.id, invoice.id], s.id, intent!.id, since.get(s.id)],
      )) as { topic: string; payload: Record<string, unknown> }[];
      // The sandbox's webhook may have been applied to either by now (psp.* timeline rows, psp_event.* rows): not the renewal's own.
      const timeline = (await db.query(`SELECT type, data FROM payment.payment_events WHERE payment_intent_id = $1 AND type NOT LIKE 'psp.%' ORDER BY id`, [intent!.id])) as unknown[];
      const { id: _i, createdAt: _c, updatedAt: _u, providerPaymentId: _p, billingSubscriptionId: _b, description: _d, ...intentFields } = intent!;
      const { id: _ii, subscriptionId: _s, createdAt: _ic, updatedAt: _iu, paidAt, paymentIntentId: _pi, periodStart: _ps, periodEnd: _pe, ...invoiceFields } = invoice;
      // Subscription events (subscription.*, billing_subscription.*) and the rest, each in the order written.
      return clean({ intentFields, invoiceFields, paid: paidAt !== null, timeline, outbox: outbox.filter((r) => !r.topic.startsWith('psp_event.')) });
    };
    const [a, b] = [await written(single), await written(batched)];
    expect((b as { outbox: unknown[] }).outbox.length).toBeGreaterThanOrEqual(8);
    expect(b).toEqual(a);
  }, 120_000);
});
