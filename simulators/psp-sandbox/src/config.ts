// The sandbox PSP's configuration: the only file of the package that reads the environment.
// It is an external system to Handoff: it needs its own database schema and Redis queues, the
// key of its operator (accounts and dashboard), and nothing of Handoff's secrets.
import { createLogger, parseEnv, queuePrefix, redisUrl, type Logger } from '@handoff/shared';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/handoff'),
  /** A server or a Redis Cluster (redis+cluster://…); on a cluster QUEUE_PREFIX is hash-tagged: shared/src/config/config.ts. */
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: queuePrefix,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Where the sandbox's API listens. */
  PSP_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /**
   * The sandbox operator's key: sets up merchant accounts (their webhook endpoint and signing
   * secret, which yields their secret key) and drives the dashboard (refund, dispute, failed
   * deliveries). Handoff's payment-intent holds it too, as a platform holds its PSP platform key.
   */
  PSP_SANDBOX_ADMIN_KEY: z.string().min(32, 'PSP_SANDBOX_ADMIN_KEY must be at least 32 characters'),
  /** How long the sandbox keeps a PROCESSING payment (test card 4000 0000 0000 0077) before it succeeds. */
  SANDBOX_PROCESSING_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** The outbox relay's sweep: see shared/src/config/config.ts. */
  OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(10_000),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
});

export type SandboxEnv = z.infer<typeof schema>;

export interface SandboxConfig {
  env: SandboxEnv;
  port: number;
  adminKey: string;
  processingDelayMs: number;
  logger: Logger;
}

export function loadSandboxConfig(env: Record<string, string | undefined> = process.env): SandboxConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.PSP_SANDBOX_PORT,
    adminKey: parsed.PSP_SANDBOX_ADMIN_KEY,
    processingDelayMs: parsed.SANDBOX_PROCESSING_DELAY_MS,
    logger: createLogger('psp-sandbox', parsed.LOG_LEVEL),
  });
}
