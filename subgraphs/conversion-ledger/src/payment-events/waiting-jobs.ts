// Refund and dispute events that arrive before their payment's conversion is recorded (a PSP
// sends in any order; a backlog reorders more) fail with ConversionNotYetRecorded and retry with
// exponential backoff: after a few failures that is a wait of a minute or more after the
// conversion exists. Instead, each such job is remembered under its payment's key (a Redis set,
// shared by every worker replica), and recording the conversion promotes them to run now. The
// backoff stays as the fallback: a lost set (Redis flushed) only costs the wait.
import type { Queue } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';

const KEEP_S = 24 * 3600;

export class WaitingForConversion {
  constructor(
    private readonly redis: RedisClient,
    private readonly queue: Queue,
    private readonly prefix: string,
  ) {}

  private key(paymentKey: string): string {
    return `${this.prefix}:ledger:waiting-for-conversion:${paymentKey}`;
  }

  async add(paymentKey: string, jobId: string): Promise<void> {
    const k = this.key(paymentKey);
    await this.redis.multi().sadd(k, jobId).expire(k, KEEP_S).exec();
  }

  /** Runs now every job that waits for this payment's conversion and is in its backoff; returns how many. */
  async promote(paymentKey: string): Promise<number> {
    const k = this.key(paymentKey);
    const ids = await this.redis.smembers(k);
    if (ids.length === 0) return 0;
    await this.redis.del(k);
    let promoted = 0;
    for (const id of ids) {
      const job = await this.queue.getJob(id);
      if (job && (await job.isDelayed())) {
        // It may have left the delayed set meanwhile (its backoff ended): then it runs anyway.
        await job.promote().then(
          () => (promoted += 1),
          () => undefined,
        );
      }
    }
    return promoted;
  }
}
