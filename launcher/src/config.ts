// The all-in-one launcher's settings: the only file in this package that reads the environment.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { nodeEnv, parseEnv } from '@handoff/shared';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  NODE_ENV: nodeEnv,
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
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
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
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

export function loadLauncherConfig(env: Record<string, string | undefined> = process.env): LauncherConfig {
  const parsed = parseEnv(schema, env);
  const suffix = instanceSuffix(parsed.HANDOFF_DATA_DIR);
  return { ...parsed, QUEUE_PREFIX: parsed.QUEUE_PREFIX ?? `handoff-${suffix}`, databaseName: `handoff_${suffix}` };
}
