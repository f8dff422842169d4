// The webhook-ingest queue: one job per inbox row (deterministic id), whose worker applies the
// event. The inbox row is the truth: the sweep re-adds jobs Redis lost (a flush, a restart)
// for rows still unprocessed, and the intent's creation promotes jobs waiting for it.
import { currentTraceparent, preparedQuery, safeJobId, startWorker, type Logger } from '@handoff/shared';
import { Queue, type Job, type JobsOptions, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { DataSource } from 'typeorm';
import type { PspEventApplier } from './apply-psp-event.js';
import { PaymentNotKnownYet } from './apply-psp-event.js';

/** Package-private: payment-intent's own ingest work. */
export const WEBHOOK_INGEST_QUEUE = 'webhook-ingest';

export interface IngestJobData {
  inboxId: string;
  /** The webhook request's trace (tracing on): the ingest job's span continues it. */
  traceparent?: string;
}

export const ingestJobId = (inboxId: string) => safeJobId('webhook', 'inbox', inboxId);

const SWEEP_PAGE = 500;

export const INGEST_JOB_OPTIONS: JobsOptions = {
  // ~1 s, 2 s, 4 s … about 70 minutes in all; then the failed set (listable, replayable).
  attempts: 13,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600 },
  removeOnFail: false,
};

/** The job of an inbox row: always the same id, so adding it again is a no-op. */
const ingestJob = (inboxId: string, traceparent?: string) => ({
  name: 'apply-psp-event',
  data: (traceparent ? { inboxId, traceparent } : { inboxId }) as IngestJobData,
  opts: { ...INGEST_JOB_OPTIONS, jobId: ingestJobId(inboxId) },
});

export class IngestQueue {
  readonly queue: Queue<IngestJobData>;

  constructor(
    private readonly connection: RedisClient,
    prefix: string,
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {
    this.queue = new Queue<IngestJobData>(WEBHOOK_INGEST_QUEUE, { connection, prefix });
    this.queue.on('error', (err) => logger.warn({ err }, 'webhook-ingest queue error'));
  }

  private pending: Array<{ inboxId: string; traceparent?: string; resolve(): void; reject(err: unknown): void }> = [];

  /** Adding an existing id is a no-op in BullMQ, so this is safe to repeat. */
  async enqueue(inboxId: string): Promise<void> {
    const job = ingestJob(inboxId, currentTraceparent());
    await this.queue.add(job.name, job.data, job.opts);
  }

  /**
   * The same, coalesced: ids enqueued in one turn of the event loop (a committed batch of inbox
   * rows answers all its webhooks at once) are added in one addBulk, one Redis round trip.
   */
  enqueueSoon(inboxId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.pending.push({ inboxId, traceparent: currentTraceparent(), resolve, reject }) === 1) setImmediate(() => void this.flushPending());
    });
  }

  private async flushPending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.queue.addBulk(batch.map(({ inboxId, traceparent }) => ingestJob(inboxId, traceparent)));
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  /**
   * Re-adds the jobs Redis no longer has (a flush, a restart) for unprocessed rows older than
   * `olderThanMs`: every such row, a page at a time; each page's jobs are looked up in one
   * pipelined round trip and the missing ones added in one addBulk. (After a Redis restart in a
   * storm that is thousands of rows: checking 500 a run, one call each, left jobs unqueued for
   * a minute.) Racing the enqueue after a commit is harmless: adding an existing id is a no-op.
   */
  async sweep(olderThanMs = 5_000): Promise<number> {
    let afterId = '0';
    let added = 0;
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT w.id::text AS id FROM payment.webhook_inbox w
          WHERE w.processed_at IS NULL AND w.received_at <= now() - ($1::float8 * interval '1 millisecond') AND w.id > $2::bigint
          ORDER BY w.id LIMIT ${SWEEP_PAGE}`,
        [olderThanMs, afterId],
      );
      if (rows.length === 0) break;
      const lookup = this.connection.pipeline();
      for (const { id } of rows) lookup.exists(this.queue.toKey(ingestJobId(id)));
      const found = (await lookup.exec()) ?? [];
      const missing = rows.filter((_, i) => {
        const [err, exists] = found[i] ?? [null, 1];
        if (err) throw err;
        return exists === 0;
      });
      if (missing.length) {
        await this.queue.addBulk(missing.map(({ id }) => ingestJob(id)));
        added += missing.length;
      }
      if (rows.length < SWEEP_PAGE) break;
      afterId = rows[rows.length - 1]!.id;
    }
    if (added) this.logger.info({ added }, 'webhook jobs missing from Redis were re-added');
    return added;
  }

  /** An intent appeared: run now the jobs of events that were waiting for it. */
  async promoteWaitingFor(provider: string, providerPaymentId: string): Promise<void> {
    // After every intent created (a checkout's): a prepared statement, not a query builder.
    const rows = await preparedQuery<{ id: string }>(
      this.dataSource,
      'promote-waiting-webhooks',
      `SELECT w.id::text AS id FROM payment.webhook_inbox w WHERE w.processed_at IS NULL AND w.provider = $1 AND w.provider_payment_id = $2`,
      [provider, providerPaymentId],
    );
    for (const { id } of rows) await this.promote(String(id));
  }

  /**
   * Several intents appeared at once (a batch of renewals: billing-subscription/renewal-batch.ts): the
   * events waiting for any of them found in one query, their jobs run now instead of at their next retry.
   */
  async promoteWaitingForAll(payments: readonly { provider: string; providerPaymentId: string }[]): Promise<void> {
    if (payments.length === 0) return;
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT w.id::text AS id FROM payment.webhook_inbox w
        WHERE w.processed_at IS NULL AND (w.provider, w.provider_payment_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [payments.map((p) => p.provider), payments.map((p) => p.providerPaymentId)],
    );
    for (const { id } of rows) await this.promote(id);
  }

  private async promote(id: string): Promise<void> {
    const job = await this.queue.getJob(ingestJobId(id));
    if (!job) await this.enqueue(id);
    else if ((await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
    else if (await job.isFailed()) await job.retry('failed').catch(() => undefined);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export function startIngestWorker(opts: {
  connection: RedisClient;
  prefix: string;
  applier: PspEventApplier;
  logger: Logger;
  concurrency?: number;
}): Worker<IngestJobData> {
  return startWorker<IngestJobData, string>({
    name: WEBHOOK_INGEST_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    concurrency: opts.concurrency ?? 4,
    logger: opts.logger,
    processor: async (job: Job<IngestJobData>) => {
      try {
        return await opts.applier.apply(job.data.inboxId);
      } catch (err) {
        if (err instanceof PaymentNotKnownYet) opts.logger.info({ inboxId: job.data.inboxId, attempt: job.attemptsMade + 1 }, err.message);
        throw err; // retried with backoff; the inbox row stays unprocessed until it applies
      }
    },
  });
}
