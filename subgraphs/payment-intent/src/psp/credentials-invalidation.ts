// Drops a merchant's remembered PSP credentials as soon as its connector changes (reconnected,
// secret rotated): the merchant subgraph announces `merchant.updated` with `changed` naming
// `paymentConnector` on its pub/sub channel. Pub/sub is best effort, so after any reconnection to
// Redis (messages may have been missed) every merchant is forgotten; the TTL bounds the rest.
import { createRedis, eventsChannel, MERCHANT_UPDATED_TOPIC, type Logger, type OutboxJobData } from '@handoff/shared';
import type { RedisClient } from '@handoff/shared/queue/redis';

export { MERCHANT_UPDATED_TOPIC };

export interface Forgetful {
  forget(merchantId: string): void;
  clear(): void;
}

/** The merchant whose credentials a pub/sub message invalidates, if any. */
export function invalidatedMerchant(message: string): string | null {
  let data: Partial<OutboxJobData>;
  try {
    data = JSON.parse(message) as Partial<OutboxJobData>;
  } catch {
    return null;
  }
  if (data.topic !== MERCHANT_UPDATED_TOPIC || typeof data.aggregateId !== 'string') return null;
  const changed = (data.payload as { changed?: unknown } | undefined)?.changed;
  return Array.isArray(changed) && changed.includes('paymentConnector') ? data.aggregateId : null;
}

export function listenForCredentialChanges(opts: { redisUrl: string; queuePrefix: string; cache: Forgetful; logger: Logger }): { close(): Promise<void> } {
  const sub: RedisClient = createRedis(opts.redisUrl, { forBullmqWorker: true });
  const channel = eventsChannel(opts.queuePrefix, MERCHANT_UPDATED_TOPIC);
  let readyBefore = false;
  sub.on('error', (err) => opts.logger.warn({ err }, 'credentials invalidation: Redis error'));
  sub.on('ready', () => {
    // ioredis subscribes again by itself; what was published meanwhile is gone.
    if (readyBefore) opts.cache.clear();
    readyBefore = true;
  });
  sub.on('message', (_channel: string, message: string) => {
    const merchantId = invalidatedMerchant(message);
    if (merchantId) opts.cache.forget(merchantId);
  });
  sub.subscribe(channel).catch((err: unknown) => opts.logger.warn({ err }, 'credentials invalidation: could not subscribe'));
  return {
    close: async () => {
      sub.disconnect();
    },
  };
}
