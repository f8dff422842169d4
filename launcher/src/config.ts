// The all-in-one launcher's settings: the only file in this package that reads the environment.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { nodeEnv, parseEnv } from '@handoff/shared';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const schema = z.object({
  NODE_ENV: nodeEnv,
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  HANDOFF_ADMIN_KEY: z.string().optional(),
  HANDOFF_INTERNAL_SECRET: z.string().min(32).optional(),
  HANDOFF_ENCRYPTION_KEY: z.string().optional(),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('handoff'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HANDOFF_DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  DEMO_DATA: z.enum(['true', 'false']).default('true'),
});

export type LauncherConfig = z.infer<typeof schema>;

export function loadLauncherConfig(env: Record<string, string | undefined> = process.env): LauncherConfig {
  return parseEnv(schema, env);
}
