// The gateway's Redis client for operator concerns (worker heartbeats for readiness, the queues
// of every package for the operator routes and dashboard), made on first use so that a gateway
// that is only built (tests, the module-weight probe) opens nothing, and closed with the gateway.
import type { RedisClient } from '@handoff/shared/queue/redis';
import { createRedis } from '@handoff/shared/queue/redis';

export interface OpsRedis {
  get(): RedisClient;
  close(): Promise<void>;
}

export function opsRedis(url: string): OpsRedis {
  let client: RedisClient | undefined;
  return {
    get: () => (client ??= createRedis(url)),
    close: async () => {
      const c = client;
      client = undefined;
      if (c) await c.quit().catch(() => c.disconnect());
    },
  };
}
