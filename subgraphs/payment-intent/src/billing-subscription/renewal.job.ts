// The renewal scheduler (issue 22; docs/recurring.md) as BullMQ work:
//   - one job scheduler (upserted on every start: one whatever the replicas) runs `scan-due`
//     every few minutes; the scan reads due subscriptions (billing_subscriptions_due_idx:
//     TRIALING / ACTIVE / PAST_DUE with next_renewal_at <= now) in batches (keyset on
//     (next_renewal_at, id)) and enqueues one `renew` job per (subscription, period, due time)
//     in batches of RENEWAL_BATCH_SIZE per `renew` job (a job's BullMQ round trips paid once per
//     batch, not per renewal), with a deterministic job id (from its renewals' own ids), so two
//     scans, two replicas or a retried scan that see the same due set add each batch once;
//   - a `renew` job runs its plain renewals in set-based statements (renewal-batch.ts chargeBatch:
//     one transaction, a handful of statements for the batch) and the others through
//     chargeOffSession (billing-renewal.ts) in turn; a renewal that throws leaves the others
//     charged, and the job retries with only the ones that failed (a single-renewal job,
//     { subscriptionId, period }, runs chargeOffSession). The job id is a convenience, not
//     the guard: after a Redis flush the scan adds the job again, a retried job runs twice, two
//     workers may meet; the subscription's row lock, the unique invoice per period, the unique
//     live intent per (subscription, period) and the PSP keys per (subscription, period, attempt)
//     keep it to one charge per attempt (billing-renewals.int.spec.ts / renewal-scheduler.int.spec.ts).
import { createHash } from 'node:crypto';
import { safeJobId, startWorker, type Logger } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { Queue, type Job, type Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { chargeOffSession, type RenewalDeps, type RenewalResult } from './billing-renewal.js';
import { chargeBatch, refKey, type BatchOutcome, type RenewalRef } from './renewal-batch.js';
import { linkUnlinkedStripeSubscriptions, tellStripeOfCancellations } from './stripe-billing-link.js';

export const RENEWAL_QUEUE = 'billing-renewals';
export const RENEWAL_SCAN_SCHEDULER_ID = 'billing-renewals-scan';
export const RENEWAL_SCAN_JOB = 'scan-due';
export const RENEWAL_JOB = 'renew';
/** Every 5 minutes: a renewal is charged within minutes of its date. */
export const RENEWAL_SCAN_EVERY_MS = 5 * 60_000;
/**
 * Renewals run at once per worker process. Each holds one database connection for its transaction,
 * PSP calls included, so this stays well under the pool (DB_POOL_SIZE, 10 by default) and leaves
 * connections to the webhook ingest and the outbox relay; 2 left a PSP's latency (two calls per
 * renewal) as the ceiling (bench:renewals, bench/RESULTS.md).
 */
export const RENEWAL_CONCURRENCY = 4;
/**
 * Renewals per `renew` job, run one after the other: BullMQ's per-job work (add, lock, complete,
 * the completed set's trim: Redis round trips and their CPU) paid once per 25 renewals.
 */
export const RENEWAL_BATCH_SIZE = 25;

export type { RenewalRef } from './renewal-batch.js';

export type RenewalJobData = RenewalRef | { renewals: RenewalRef[] } | { asOf?: string };

export interface DueRenewal {
  subscriptionId: string;
  period: number;
  dueAt: Date;
  /**
   * The row's next_renewal_at to the microsecond (timestamptz as text): the keyset's exact position.
   * A JavaScript Date keeps milliseconds only, so rows written with microseconds (SQL's now()) would
   * all sort after a Date cursor taken from one of them, and the scan would read the same page again.
   */
  dueAtExact?: string;
}

/** Due subscriptions at `now`, oldest due first, after the keyset cursor (`dueAt`: a Date, or a DueRenewal's dueAtExact). */
export async function findDueRenewals(dataSource: DataSource, now: Date, limit: number, after: { dueAt: Date | string; id: string } | null = null): Promise<DueRenewal[]> {
  const rows: { id: string; current_period: number; next_renewal_at: Date; due_exact: string }[] = await dataSource.query(
    `SELECT id, current_period, next_renewal_at, next_renewal_at::text AS due_exact FROM payment.billing_subscriptions
      WHERE status IN ('TRIALING', 'ACTIVE', 'PAST_DUE') AND next_renewal_at <= $1
        AND provider_subscription_id IS NULL -- Stripe Billing renews a linked STRIPE subscription (stripe-billing-link.ts)
        AND ($2::timestamptz IS NULL OR (next_renewal_at, id) > ($2::timestamptz, $3::text))
      ORDER BY next_renewal_at, id LIMIT $4`,
    [now, after?.dueAt ?? null, after?.id ?? '', limit],
  );
  return rows.map((r) => ({ subscriptionId: r.id, period: Number(r.current_period) + 1, dueAt: new Date(r.next_renewal_at), dueAtExact: r.due_exact }));
}

/** The job id of a renewal's run: the same for every scan that finds the same (subscription, period, due time). */
export const renewalJobId = (r: DueRenewal) => safeJobId('renewal', r.subscriptionId, String(r.period), String(r.dueAt.getTime()));

/** The job id of a batch of renewals: the same for every scan that cuts the same batch. */
export const renewalBatchJobId = (batch: readonly DueRenewal[]) =>
  safeJobId('renewals', createHash('sha256').update(batch.map(renewalJobId).join('\n')).digest('hex').slice(0, 32));

/** Enqueues a `renew` job per `perJob` due subscriptions, reading them `batchSize` at a time; returns how many were found. */
export async function enqueueDueRenewals(queue: Queue<RenewalJobData>, dataSource: DataSource, now: Date, batchSize = 200, perJob = RENEWAL_BATCH_SIZE): Promise<number> {
  let found = 0;
  let after: { dueAt: Date | string; id: string } | null = null;
  for (;;) {
    const batch = await findDueRenewals(dataSource, now, batchSize, after);
    if (batch.length === 0) return found;
    found += batch.length;
    const jobs: DueRenewal[][] = [];
    for (let i = 0; i < batch.length; i += perJob) jobs.push(batch.slice(i, i + perJob));
    await queue.addBulk(
      jobs.map((rs) => ({
        name: RENEWAL_JOB,
        data: { renewals: rs.map((r) => ({ subscriptionId: r.subscriptionId, period: r.period })) },
        // A job that failed all its attempts (the database refusing connections for a while) is removed, not kept:
        // a kept failed job holds its deterministic id, so the next scan could not add the still-due renewals again
        // and they would never be charged (bench:renewals stalled so). The worker logs the failure (startWorker).
        opts: { jobId: renewalBatchJobId(rs), attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 1000, removeOnFail: true },
      })),
    );
    const last = batch[batch.length - 1]!;
    after = { dueAt: last.dueAtExact ?? last.dueAt, id: last.subscriptionId };
    if (batch.length < batchSize) return found;
  }
}

/** Creates or updates the one scan scheduler; returns the queue (the caller closes it). */
export async function upsertRenewalScheduler(connection: RedisClient, prefix: string, everyMs = RENEWAL_SCAN_EVERY_MS): Promise<Queue<RenewalJobData>> {
  const queue = new Queue<RenewalJobData>(RENEWAL_QUEUE, { connection, prefix });
  await queue.upsertJobScheduler(RENEWAL_SCAN_SCHEDULER_ID, { every: everyMs }, { name: RENEWAL_SCAN_JOB, data: {}, opts: { attempts: 3, removeOnComplete: 100, removeOnFail: 100 } });
  return queue;
}

export function startRenewalWorker(opts: {
  deps: RenewalDeps;
  queue: Queue<RenewalJobData>;
  connection: RedisClient;
  prefix: string;
  logger: Logger;
  concurrency?: number;
}): Worker<RenewalJobData> {
  const now = opts.deps.now ?? (() => new Date());
  return startWorker<RenewalJobData, RenewalResult | RenewalResult[] | number>({
    name: RENEWAL_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    logger: opts.logger,
    concurrency: opts.concurrency ?? RENEWAL_CONCURRENCY,
    processor: async (job) => {
      if (job.name === RENEWAL_SCAN_JOB) {
        const data = job.data as { asOf?: string };
        // Due renewals first: Stripe's latency never delays the sandbox's charges.
        const found = await enqueueDueRenewals(opts.queue, opts.deps.dataSource, data.asOf ? new Date(data.asOf) : now());
        // STRIPE subscriptions started at checkout get Stripe Billing's Subscription (stripe-billing-link.ts)…
        await linkUnlinkedStripeSubscriptions(opts.deps, opts.logger);
        // …and Stripe is told of the ones Handoff canceled (now or at period end), or it would keep invoicing them.
        await tellStripeOfCancellations(opts.deps, opts.logger);
        return found;
      }
      if ('renewals' in job.data) return renewBatch(opts.deps, job as unknown as Job<{ renewals: RenewalRef[] }>, opts.logger);
      const { subscriptionId, period } = job.data as RenewalRef;
      return chargeOffSession(opts.deps, subscriptionId, period);
    },
  });
}

/**
 * A batch job's renewals: the plain ones in set-based statements (renewal-batch.ts chargeBatch: one
 * transaction, a handful of statements for the whole batch), the others (an invoice already there,
 * dunning retries, cancel at period end, pending proration, a PSP call without an answer) one after
 * the other through chargeOffSession (each its own transaction under its subscription's row lock).
 * One that throws does not stop the others; the job then keeps only the failed ones and throws, so
 * BullMQ's retry runs just those. A batch transaction that fails as a whole (rolled back) leaves all
 * its renewals to chargeOffSession, which sends the same PSP keys (a charge made is answered again, not made twice).
 */
export async function renewBatch(deps: RenewalDeps, job: Job<{ renewals: RenewalRef[] }>, logger: Logger): Promise<RenewalResult[]> {
  const refs = job.data.renewals;
  let batch: BatchOutcome;
  try {
    batch = await chargeBatch(deps, refs);
  } catch (err) {
    logger.warn({ err, renewals: refs.length }, 'batch renewal rolled back; its renewals run one by one');
    batch = { done: new Map(), rest: [...refs] };
  }
  const results: RenewalResult[] = [];
  const failed: RenewalRef[] = [];
  let firstError: unknown;
  for (const r of refs) {
    const done = batch.done.get(refKey(r));
    if (done) {
      batch.done.delete(refKey(r)); // a ref twice in one job: the second runs chargeOffSession (already_paid)
      results.push(done);
      continue;
    }
    try {
      results.push(await chargeOffSession(deps, r.subscriptionId, r.period));
    } catch (err) {
      failed.push(r);
      firstError ??= err;
      logger.warn({ err, subscriptionId: r.subscriptionId, period: r.period }, 'renewal failed; its job retries it');
    }
  }
  if (failed.length === 0) return results;
  await job.updateData({ renewals: failed });
  const message = firstError instanceof Error ? firstError.message : String(firstError);
  throw new Error(`${failed.length} of ${results.length + failed.length} renewals failed (first: ${message})`);
}

/** The package's renewal work (app.ts startWorkers): the scan scheduler and the renew worker. */
export async function startRenewals(opts: { deps: RenewalDeps; connection: RedisClient; prefix: string; logger: Logger; everyMs?: number }): Promise<{ close(): Promise<void> }> {
  const queue = await upsertRenewalScheduler(opts.connection, opts.prefix, opts.everyMs);
  const worker = startRenewalWorker({ deps: opts.deps, queue, connection: opts.connection, prefix: opts.prefix, logger: opts.logger.child({ component: 'renewals' }) });
  return {
    close: async () => {
      await worker.close();
      await queue.close();
    },
  };
}
