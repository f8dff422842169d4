// The expiry sweep on a BullMQ job scheduler (upserted on every start, so there is exactly one):
// marks OPEN checkout sessions and ACTIVE agent sessions past their expiry EXPIRED, and cancels
// expired sessions' payment intents until payment-intent has answered.
import { startWorker, type Logger } from '@handoff/shared';
import { Queue, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { EXPIRY_QUEUE } from '../events.js';
import type { CheckoutLifecycleService } from './checkout-session.lifecycle.js';

export const EXPIRY_SCHEDULER_ID = 'expire-checkout-sessions';
export const EXPIRY_JOB_NAME = 'expire-due-sessions';

type ExpiryResult = Awaited<ReturnType<CheckoutLifecycleService['expireDue']>>;

export async function startExpiryScheduler(opts: {
  lifecycle: CheckoutLifecycleService;
  /** A worker connection (maxRetriesPerRequest: null); the caller closes it. */
  connection: RedisClient;
  prefix: string;
  everyMs: number;
  logger: Logger;
}): Promise<{ queue: Queue<Record<string, never>, ExpiryResult>; worker: Worker<Record<string, never>, ExpiryResult> }> {
  const queue = new Queue<Record<string, never>, ExpiryResult>(EXPIRY_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  await queue.upsertJobScheduler(
    EXPIRY_SCHEDULER_ID,
    { every: opts.everyMs },
    { name: EXPIRY_JOB_NAME, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
  );
  const worker = startWorker<Record<string, never>, ExpiryResult>({
    name: EXPIRY_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    logger: opts.logger,
    processor: async () => {
      const result = await opts.lifecycle.expireDue();
      if (result.checkoutSessions + result.agentSessions + result.canceled > 0) opts.logger.info(result, 'expired sessions');
      return result;
    },
  });
  return { queue, worker };
}
