// The ioredis client factory, on its own so that code which only needs Redis (the gateway's
// pub/sub and key slots) does not load BullMQ through queue.ts.
import { Redis } from 'ioredis';

/**
 * An ioredis client. Workers block on Redis and BullMQ insists on `maxRetriesPerRequest: null`
 * for them; everything else keeps ioredis's default so a command fails instead of waiting
 * forever while Redis is down.
 */
export function createRedis(url: string, opts: { forBullmqWorker?: boolean } = {}): Redis {
  return new Redis(url, opts.forBullmqWorker ? { maxRetriesPerRequest: null } : {});
}
