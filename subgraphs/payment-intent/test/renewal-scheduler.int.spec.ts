// The renewal scheduler (issue 22; docs/recurring.md) over real Redis (BullMQ), PostgreSQL and the
// sandbox PSP: the scan finds due subscriptions in batches and enqueues one `renew` job per batch
// of due renewals (ids from the renewals it holds); several scans (cutting different batches),
// two workers, two direct retries of the same renewal and a Redis flush followed by a batch job
// and a single job for it added again all meet one due subscription: one intent, one charge at
// the sandbox, invoice 2 PAID once. A batch whose one renewal fails charges the others and
// retries only the failed one.
import { createLogger, createRedis, type SubscriptionPlanTerms } from '@handoff/shared';
import { Queue, type Job, type Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { billingSubscriptionIdFor, startSubscriptionFromPayment } from '../src/billing-subscription/billing-checkout.js';
import { BillingInvoiceEntity, BillingSubscriptionEntity } from '../src/billing-subscription/billing-subscription.entity.js';
import { chargeOffSession, type RenewalDeps } from '../src/billing-subscription/billing-renewal.js';
import {
  enqueueDueRenewals,
  findDueRenewals,
  renewBatch,
  RENEWAL_JOB,
  RENEWAL_QUEUE,
  renewalBatchJobId,
  renewalJobId,
  startRenewalWorker,
  type RenewalJobData,
  type RenewalRef,
} from '../src/billing-subscription/renewal.job.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { MerchantPort } from '../src/ports/merchant.port.js';
import { Connectors } from '../src/psp/connectors.js';
import { MerchantCredentialsClient } from '../src/psp/merchant-credentials.js';
import { SandboxAccounts } from '../src/psp/sandbox/sandbox-accounts.js';
import { SandboxClient } from '../src/psp/sandbox/sandbox-client.js';
import { SandboxPsp } from '../src/psp/sandbox/sandbox-connector.js';
import { newId, startPaymentsHarness, waitFor, type PaymentsHarness } from './support.js';

let h: PaymentsHarness;
let db: DataSource;
let deps: RenewalDeps;
let credentials: MerchantCredentialsClient;
let connectors: Connectors;
const closers: (() => Promise<unknown>)[] = [];

const PLAN: SubscriptionPlanTerms = { interval: 'MONTH', intervalCount: 1, trialDays: 0, items: [{ position: 0, name: 'Pro', offerId: null, unitAmountMinor: 1200, quantity: 1 }] };

async function subscriptionWithCard(card: string): Promise<BillingSubscriptionEntity> {
  const merchant = await h.testMerchant();
  const token = await connectors.for((await credentials.get(merchant.id))!).tokenizeTestCard({ manager: db.manager }, card);
  const sessionId = newId('cs');
  const intent = Object.assign(new PaymentIntentEntity(), {
    id: newId('pi'), merchantId: merchant.id, checkoutSessionId: sessionId, status: 'SUCCEEDED', currency: 'EUR', amountMinor: 1200,
    amountCapturedMinor: 1200, amountRefundedMinor: 0, provider: 'TEST', paymentMethodId: token, metadata: { aap_agent_id: 'agent_sched' },
    billingSubscriptionId: billingSubscriptionIdFor(sessionId), billingPeriod: 1, billingPlan: { ...PLAN, card: null },
  });
  await db.transaction((m) => startSubscriptionFromPayment(m, intent));
  return db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: intent.billingSubscriptionId });
}

beforeAll(async () => {
  h = await startPaymentsHarness();
  db = h.payments.dataSource;
  credentials = new MerchantCredentialsClient(MerchantPort.over(h.merchantUrl, h.secret), 0);
  const client = new SandboxClient({ url: h.sandboxUrl, adminKey: h.sandboxAdminKey, timeoutMs: 10_000 });
  connectors = new Connectors(new SandboxPsp(client, new SandboxAccounts(client, h.gatewayUrl, credentials, createLogger('renewal-scheduler-test', 'silent'))));
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await h?.close();
});

describe('renewal scheduler', () => {
  it('finds due subscriptions in batches (keyset), not the ones not yet due', async () => {
    const a = await subscriptionWithCard('4242424242424242');
    const b = await subscriptionWithCard('4242424242424242');
    const now = new Date(Math.max(a.nextRenewalAt!.getTime(), b.nextRenewalAt!.getTime()) + 1000);
    const ids = new Set([a.id, b.id]);
    const seen: string[] = [];
    let after: { dueAt: Date; id: string } | null = null;
    for (;;) {
      const page = await findDueRenewals(db, now, 1, after);
      if (page.length === 0) break;
      expect(page).toHaveLength(1);
      seen.push(page[0]!.subscriptionId);
      after = { dueAt: page[0]!.dueAt, id: page[0]!.subscriptionId };
    }
    expect(seen.filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
    const early = await findDueRenewals(db, new Date(a.nextRenewalAt!.getTime() - 1000), 1000);
    expect(early.map((r) => r.subscriptionId)).not.toContain(a.id);
    expect((await findDueRenewals(db, now, 1000)).find((r) => r.subscriptionId === a.id)?.period).toBe(2);

    // Both due at the same microsecond (rows written by SQL's now(), finer than a JavaScript Date): pages of 1 still
    // see each once and end (a millisecond cursor would sort before both and read the same page forever).
    await db.query(`UPDATE payment.billing_subscriptions SET next_renewal_at = '2020-01-01 00:00:00.123456+00' WHERE id = ANY($1)`, [[a.id, b.id]]);
    const exact: string[] = [];
    let cursor: { dueAt: Date | string; id: string } | null = null;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(100);
      const page = await findDueRenewals(db, now, 1, cursor);
      if (page.length === 0) break;
      exact.push(page[0]!.subscriptionId);
      cursor = { dueAt: page[0]!.dueAtExact!, id: page[0]!.subscriptionId };
    }
    expect(exact.filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    expect(new Set(exact).size).toBe(exact.length);
  });

  it('one charge and one invoice paid when scans, two workers, a retry and a Redis flush meet the same renewal', async () => {
    const sub = await subscriptionWithCard('4242424242424242');
    const now = new Date(sub.nextRenewalAt!.getTime() + 60_000);
    deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return`, now: () => now };
    const prefix = `${h.queuePrefix}-renew`;
    const redis = createRedis(testEnv().redisUrl, { forBullmqWorker: true });
    closers.push(() => redis.quit());
    const queue = new Queue<RenewalJobData>(RENEWAL_QUEUE, { connection: redis, prefix });
    closers.push(() => queue.close());
    const logger = createLogger('renewal-worker-test', 'silent');
    const workers: Worker[] = [1, 2].map(() => startRenewalWorker({ deps, queue, connection: redis, prefix, logger, concurrency: 3 }));
    for (const w of workers) closers.push(() => w.close());

    // Three scans at once (pages of 1, 2 and 200 due subscriptions, batches of 1, 2 and 3 per job: each
    // scan's batches differ, so the same renewal is in three jobs) and two direct runs (a retried job, another replica) at once.
    const [s1, s2, s3, d1, d2] = await Promise.all([
      enqueueDueRenewals(queue, db, now, 1, 1),
      enqueueDueRenewals(queue, db, now, 2, 2),
      enqueueDueRenewals(queue, db, now, 200, 3),
      chargeOffSession(deps, sub.id, 2),
      chargeOffSession(deps, sub.id, 2),
    ]);
    expect(Math.min(s1, s2, s3)).toBeGreaterThanOrEqual(0);
    const invoice = await waitFor(async () => {
      const i = await db.getRepository(BillingInvoiceEntity).findOneBy({ subscriptionId: sub.id, period: 2 });
      return i?.status === 'PAID' ? i : null;
    }, 20_000, 'invoice 2 paid');
    // The scanned jobs (if a scan saw the subscription before it was paid) finish too. Not 'delayed':
    // the scans also take other files' due subscriptions in this run's database, and one of those
    // that fails waits out its retry's backoff (a batch retries only its failed renewals).
    await waitFor(async () => {
      const counts = await queue.getJobCounts('waiting', 'active');
      return Object.values(counts).every((n) => n === 0) ? true : null;
    }, 60_000, 'the renew jobs done');

    // A Redis flush: the queue's data gone, the renewal added again as a batch job and as a single job
    // (a retried scan, a job from before batches): neither charges.
    await queue.obliterate({ force: true });
    const due = { subscriptionId: sub.id, period: 2, dueAt: sub.nextRenewalAt! };
    const batchId = renewalBatchJobId([due]);
    const jobId = renewalJobId(due);
    await queue.add(RENEWAL_JOB, { renewals: [{ subscriptionId: sub.id, period: 2 }] }, { jobId: batchId });
    await queue.add(RENEWAL_JOB, { subscriptionId: sub.id, period: 2 }, { jobId });
    for (const id of [batchId, jobId]) await waitFor(async () => ((await (await queue.getJob(id))?.isCompleted()) ? true : null), 20_000, `the replayed job ${id} done`);
    expect((await queue.getJob(batchId))?.returnvalue).toMatchObject([{ outcome: 'already_paid' }]);
    expect((await queue.getJob(jobId))?.returnvalue).toMatchObject({ outcome: 'already_paid' });
    // The next scan does not find it (its renewal moved to period 2's end).
    expect((await findDueRenewals(db, now, 1000)).map((r) => r.subscriptionId)).not.toContain(sub.id);

    expect([d1.outcome, d2.outcome].every((o) => o === 'paid' || o === 'already_paid')).toBe(true);
    const intents = await db.getRepository(PaymentIntentEntity).findBy({ billingSubscriptionId: sub.id, billingPeriod: 2 });
    expect(intents).toHaveLength(1);
    expect(invoice).toMatchObject({ attempts: 1, paymentIntentId: intents[0]!.id, amountMinor: 1200 });
    const charges = await h.sandbox.dataSource.query(`SELECT count(*) AS n FROM sandbox.payments WHERE metadata->>'aap_agent_id' = 'agent_sched' AND id = $1 AND status = 'succeeded'`, [intents[0]!.providerPaymentId]);
    expect(Number(charges[0].n)).toBe(1);
    expect(await db.getRepository(BillingSubscriptionEntity).findOneByOrFail({ id: sub.id })).toMatchObject({ status: 'ACTIVE', currentPeriod: 2 });
  }, 120_000);

  it('a batch job whose one renewal fails charges the others, then retries only the failed one', async () => {
    const a = await subscriptionWithCard('4242424242424242');
    const b = await subscriptionWithCard('4242424242424242');
    const now = new Date(Math.max(a.nextRenewalAt!.getTime(), b.nextRenewalAt!.getTime()) + 60_000);
    deps = { dataSource: db, credentials, connectors, returnUrl: `${h.gatewayUrl}/return`, now: () => now };
    const redis = createRedis(testEnv().redisUrl);
    closers.push(() => redis.quit());
    // No worker on this queue: the job is run here, as the worker would run it.
    const queue = new Queue<RenewalJobData>(RENEWAL_QUEUE, { connection: redis, prefix: `${h.queuePrefix}-batch` });
    closers.push(() => queue.close());
    const missing = { subscriptionId: newId('bsub'), period: 2 }; // unknown: BILLING_SUBSCRIPTION_NOT_FOUND
    const renewals: RenewalRef[] = [{ subscriptionId: a.id, period: 2 }, missing, { subscriptionId: b.id, period: 2 }];
    const added = await queue.add(RENEWAL_JOB, { renewals });
    const job = (await queue.getJob(added.id!)) as unknown as Job<{ renewals: RenewalRef[] }>;
    const logger = createLogger('renewal-batch-test', 'silent');

    await expect(renewBatch(deps, job, logger)).rejects.toThrow(/1 of 3 renewals failed/);
    for (const s of [a, b]) {
      expect(await db.getRepository(BillingInvoiceEntity).findOneByOrFail({ subscriptionId: s.id, period: 2 })).toMatchObject({ status: 'PAID', attempts: 1 });
      expect(await db.getRepository(PaymentIntentEntity).countBy({ billingSubscriptionId: s.id, billingPeriod: 2 })).toBe(1);
    }
    // The job's retry holds only the failed renewal (in Redis, as the next attempt reads it).
    expect((await queue.getJob(added.id!))?.data).toEqual({ renewals: [missing] });

    // The whole batch again (a Redis flush, the scan adding it back): the paid ones charge nothing.
    const again = await queue.add(RENEWAL_JOB, { renewals: [renewals[0]!, renewals[2]!] });
    const results = await renewBatch(deps, (await queue.getJob(again.id!)) as unknown as Job<{ renewals: RenewalRef[] }>, logger);
    expect(results.map((r) => r.outcome)).toEqual(['already_paid', 'already_paid']);
    const charges = await h.sandbox.dataSource.query(
      `SELECT count(*) AS n FROM sandbox.payments WHERE status = 'succeeded' AND id IN (SELECT unnest($1::text[]))`,
      [(await db.getRepository(PaymentIntentEntity).findBy([{ billingSubscriptionId: a.id, billingPeriod: 2 }, { billingSubscriptionId: b.id, billingPeriod: 2 }])).map((i) => i.providerPaymentId)],
    );
    expect(Number(charges[0].n)).toBe(2);
  }, 120_000);
});
