// The hold expiry sweep on a BullMQ job scheduler (upserted on every start, so there is exactly
// one): releases every inventory reservation past its expiry (ReservationService.releaseDue).
// Idempotent: a hold is ended once (its state moves from active in the releasing transaction); a
// hold extended meanwhile is left alone.
import { startWorker, type Logger } from '@handoff/shared';
import { Queue, type Worker } from 'bullmq';
import type { RedisClient } from '@handoff/shared/queue/redis';
import { RESERVATION_EXPIRY_QUEUE } from '../events.js';
import type { ReservationService } from './reservation.service.js';

export const RESERVATION_EXPIRY_SCHEDULER_ID = 'release-expired-holds';
export const RESERVATION_EXPIRY_JOB_NAME = 'release-due-holds';

export async function startReservationExpiryScheduler(opts: {
  reservations: ReservationService;
  /** A worker connection (maxRetriesPerRequest: null); the caller closes it. */
  connection: RedisClient;
  prefix: string;
  everyMs: number;
  logger: Logger;
}): Promise<{ queue: Queue<Record<string, never>, number>; worker: Worker<Record<string, never>, number> }> {
  const queue = new Queue<Record<string, never>, number>(RESERVATION_EXPIRY_QUEUE, { connection: opts.connection, prefix: opts.prefix });
  await queue.upsertJobScheduler(
    RESERVATION_EXPIRY_SCHEDULER_ID,
    { every: opts.everyMs },
    { name: RESERVATION_EXPIRY_JOB_NAME, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
  );
  const worker = startWorker<Record<string, never>, number>({
    name: RESERVATION_EXPIRY_QUEUE,
    prefix: opts.prefix,
    connection: opts.connection,
    logger: opts.logger,
    processor: async () => {
      const released = await opts.reservations.releaseDue();
      if (released > 0) opts.logger.info({ released }, 'released expired inventory holds');
      return released;
    },
  });
  return { queue, worker };
}
