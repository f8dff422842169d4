// The delivery queue (package-private: the merchant subgraph adds and works its jobs). A job is
// one scheduled attempt of one delivery: `{ deliveryId, seq }`, job id `<deliveryId>-<seq>`, so
// re-adding a scheduled attempt is a no-op and a job whose `seq` is no longer the delivery's
// (a replay re-armed it) does nothing. Waits between attempts are BullMQ delays; PostgreSQL is
// the record (next_attempt_at), and the sweep re-adds an overdue attempt whose job Redis lost.
import { currentTraceparent, safeJobId, type Logger } from '@handoff/shared';
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-deliveries';

export interface DeliveryJob {
  deliveryId: string;
  seq: number;
  /** The trace the attempt continues (tracing on): the event's, carried from its intake. */
  traceparent?: string;
}

export interface ScheduledAttempt extends DeliveryJob {
  at: Date;
}

export const deliveryJobId = (j: DeliveryJob) => safeJobId(j.deliveryId, String(j.seq));

const JOB_OPTIONS: JobsOptions = {
  // A job is one attempt; its own retries are for Handoff's failures (PostgreSQL or Redis away), not the receiver's.
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Adds delivery jobs. Its connection is a plain one (commands fail rather than wait while Redis is down). */
export class DeliveryQueue {
  private queue: Queue<DeliveryJob> | undefined;
  private connection: RedisClient | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  /** Adds each attempt's job, delayed until its time (now if due). */
  async schedule(attempts: readonly ScheduledAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const now = Date.now();
    const traceparent = currentTraceparent();
    await this.open().addBulk(
      attempts.map((a) => ({
        name: 'deliver',
        data: { deliveryId: a.deliveryId, seq: a.seq, ...(traceparent ? { traceparent } : {}) },
        opts: { ...JOB_OPTIONS, jobId: deliveryJobId(a), delay: Math.max(0, a.at.getTime() - now) },
      })),
    );
  }

  /**
   * Re-adds overdue attempts whose job is gone (Redis lost it) or finished without moving the
   * delivery on (its process died mid-attempt). Jobs waiting, delayed or running are left alone.
   */
  async ensureScheduled(attempts: readonly ScheduledAttempt[]): Promise<number> {
    const queue = this.open();
    const missing: ScheduledAttempt[] = [];
    for (const a of attempts) {
      const id = deliveryJobId(a);
      const state = await queue.getJobState(id);
      if (state === 'completed' || state === 'failed') await queue.remove(id);
      if (state === 'unknown' || state === 'completed' || state === 'failed') missing.push(a);
    }
    await this.schedule(missing);
    return missing.length;
  }

  async close(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
    this.connection?.disconnect();
    this.queue = undefined;
    this.connection = undefined;
  }

  private open(): Queue<DeliveryJob> {
    if (!this.queue) {
      this.connection = this.redis.duplicate();
      this.queue = new Queue<DeliveryJob>(WEBHOOK_DELIVERY_QUEUE, { connection: this.connection, prefix: this.prefix });
      this.queue.on('error', (err) => this.logger.warn({ err, queue: WEBHOOK_DELIVERY_QUEUE }, 'delivery queue error'));
    }
    return this.queue;
  }
}
