// The all-in-one launcher's settings: the only file in this package that reads the environment.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { nodeEnv, parseEnv, redisUrlString } from '@handoff/shared';
import { queuePrefixFor } from '@handoff/shared/queue/redis';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  NODE_ENV: nodeEnv,
  DATABASE_URL: z.string().url().optional(),
  /**
   * Passed on to conversion-ledger and checkout-session only when set (shared/src/config/config.ts):
   * their BI reads on a streaming replica of DATABASE_URL's database. Unset: every read on DATABASE_URL.
   */
  DATABASE_READ_URL: z.string().url().optional(),
  DATABASE_READ_MAX_LAG_SECONDS: z.coerce.number().min(0).max(86_400).optional(),
  DATABASE_READ_LAG_CHECK_MS: z.coerce.number().int().min(50).max(60_000).optional(),
  /** A server (redis://) or a Redis Cluster (redis+cluster://host:port,host:port…), passed on to every process. */
  REDIS_URL: redisUrlString.optional(),
  PORT: port.default(4000),
  /** The subgraphs' ports: any free port when unset (only the gateway's is public). */
  MERCHANT_PORT: port.optional(),
  CHECKOUT_SESSION_PORT: port.optional(),
  PAYMENT_INTENT_PORT: port.optional(),
  CONVERSION_LEDGER_PORT: port.optional(),
  /** The sandbox PSP's port (any free port when unset), or PSP_SANDBOX_URL: one that runs elsewhere (none is started). */
  PSP_SANDBOX_PORT: port.optional(),
  PSP_SANDBOX_URL: z.string().url().optional(),
  /** The sandbox's operator key: needed with PSP_SANDBOX_URL (the one it was started with); generated otherwise. */
  PSP_SANDBOX_ADMIN_KEY: z.string().min(32).optional(),
  /** Passed on to the gateway (gateway/src/config.ts). */
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).optional(),
  METRICS_TOKEN: z.string().optional(),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  HANDOFF_ADMIN_KEY: z.string().optional(),
  HANDOFF_INTERNAL_SECRET: z.string().min(32).optional(),
  HANDOFF_ENCRYPTION_KEY: z.string().optional(),
  /** On a Redis Cluster, used hash-tagged (`{…}`), which may also be given as is. */
  QUEUE_PREFIX: z.string().regex(/^(\{[A-Za-z0-9_-]+\}|[A-Za-z0-9_-]+)$/).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HANDOFF_DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  DEMO_DATA: z.enum(['true', 'false']).default('true'),
});

export type LauncherConfig = Omit<z.infer<typeof schema>, 'QUEUE_PREFIX'> & {
  QUEUE_PREFIX: string;
  /** The database `npm start` creates on a local or embedded PostgreSQL (without DATABASE_URL). */
  databaseName: string;
};

/**
 * One name per data directory: the database and the queue prefix belong with the secrets in
 * `.data/` that encrypted what they hold, so two checkouts (each its own `.data/`) running
 * side by side on one PostgreSQL and Redis never share them, and a restart finds its own again.
 */
export function instanceSuffix(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 8);
}

/** What `npm start` passes on of the read replica's settings: only those that are set. */
export function readReplicaEnv(config: Pick<LauncherConfig, 'DATABASE_READ_URL' | 'DATABASE_READ_MAX_LAG_SECONDS' | 'DATABASE_READ_LAG_CHECK_MS'>): Record<string, string> {
  const env: Record<string, string> = {};
  if (config.DATABASE_READ_URL !== undefined) env.DATABASE_READ_URL = config.DATABASE_READ_URL;
  if (config.DATABASE_READ_MAX_LAG_SECONDS !== undefined) env.DATABASE_READ_MAX_LAG_SECONDS = String(config.DATABASE_READ_MAX_LAG_SECONDS);
  if (config.DATABASE_READ_LAG_CHECK_MS !== undefined) env.DATABASE_READ_LAG_CHECK_MS = String(config.DATABASE_READ_LAG_CHECK_MS);
  return env;
}

export function loadLauncherConfig(env: Record<string, string | undefined> = process.env): LauncherConfig {
  const parsed = parseEnv(schema, env);
  const suffix = instanceSuffix(parsed.HANDOFF_DATA_DIR);
  const queuePrefix = parsed.QUEUE_PREFIX ?? `handoff-${suffix}`;
  return { ...parsed, QUEUE_PREFIX: parsed.REDIS_URL ? queuePrefixFor(parsed.REDIS_URL, queuePrefix) : queuePrefix, databaseName: `handoff_${suffix}` };
}
