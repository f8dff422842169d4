// Typed, validated configuration. Each process's own config.ts calls these with process.env
// once and passes the frozen result down; nothing else reads the environment.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { queuePrefixFor, redisUrlProblem } from '../queue/redis.js';

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');
export type NodeEnv = z.infer<typeof nodeEnv>;

/** A Redis URL: a server's (redis://, rediss://) or a cluster's (redis+cluster://, rediss+cluster://). */
export const redisUrlString = z.string().superRefine((url, ctx) => {
  const problem = redisUrlProblem(url);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** REDIS_URL, the local server by default. */
export const redisUrl = redisUrlString.default('redis://127.0.0.1:6379');

/** QUEUE_PREFIX: letters, digits, _ and -; or already hash-tagged for a cluster (`{handoff}`). */
export const queuePrefix = z
  .string()
  .regex(/^(\{[A-Za-z0-9_-]+\}|[A-Za-z0-9_-]+)$/, 'QUEUE_PREFIX may hold letters, digits, _ and - only (or be one such name in braces)')
  .default('handoff');

/** Settings every Handoff process shares. */
export const baseConfigSchema = z.object({
  NODE_ENV: nodeEnv,
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/handoff'),
  /** One server (`redis://…`) or a Redis Cluster (`redis+cluster://host:port,host:port…`): shared/src/queue/redis.ts. */
  REDIS_URL: redisUrl,
  /** On a cluster, parseEnv hash-tags it (`{handoff}`): every key of the run in one slot. */
  QUEUE_PREFIX: queuePrefix,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HMAC secret the gateway signs principals with; subgraphs verify with it. */
  HANDOFF_INTERNAL_SECRET: z.string().min(32, 'HANDOFF_INTERNAL_SECRET must be at least 32 characters').optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * How much a worker process (BullMQ consumers, relays, schedulers) lowers its own CPU priority
   * (nice) at start: under load the servers that answer requests and acknowledge webhooks come first, and
   * the backlog is worked off with what CPU is left. 0 keeps the default priority.
   */
  WORKER_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * How far V8 lets the heap grow past what the last full GC kept before the next (percent; 0 =
   * V8's own factor, up to 4×). Applied by every process's main (shared/src/runtime/heap.ts).
   */
  HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(300).default(50),
  /**
   * The outbox relay's sweep (every process with a relay): how long after its claim a routed row's
   * jobs must still be missing from Redis (a flush or restart, or a relay that died after its
   * claim) to be added again, and how often rows are checked.
   */
  OUTBOX_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(10_000),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  /** Where each subgraph answers (the gateway's routes, and signed service-to-service calls). */
  MERCHANT_URL: z.string().url().default('http://127.0.0.1:4001/graphql'),
  CHECKOUT_SESSION_URL: z.string().url().default('http://127.0.0.1:4002/graphql'),
  PAYMENT_INTENT_URL: z.string().url().default('http://127.0.0.1:4003/graphql'),
  CONVERSION_LEDGER_URL: z.string().url().default('http://127.0.0.1:4004/graphql'),
  /** The public origin of the gateway: hosted page URLs and the sandbox PSP's webhook target. */
  PUBLIC_BASE_URL: z.string().url().default('http://localhost:4000'),
});

export type BaseEnv = z.infer<typeof baseConfigSchema>;

/**
 * A PostgreSQL streaming replica for BI and reporting reads, in the subgraphs that have them
 * (conversion-ledger, checkout-session: each extends its schema with these). Unset: every read
 * goes to DATABASE_URL. docs/architecture.md ("Read replica") says which reads go where.
 */
export const readReplicaConfigSchema = z.object({
  DATABASE_READ_URL: z.string().url().optional(),
  /** Replica lag above which reporting reads go to the primary instead (seconds). */
  DATABASE_READ_MAX_LAG_SECONDS: z.coerce.number().min(0).max(86_400).default(30),
  /** How often the replica's lag is measured (ms): the resolution of the lag figure. */
  DATABASE_READ_LAG_CHECK_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
});

export interface ReadReplicaSettings {
  url: string;
  maxLagSeconds: number;
  checkIntervalMs: number;
}

/** The replica settings of a parsed environment, or undefined when DATABASE_READ_URL is unset. */
export function readReplicaSettings(env: z.infer<typeof readReplicaConfigSchema>): ReadReplicaSettings | undefined {
  if (!env.DATABASE_READ_URL) return undefined;
  return { url: env.DATABASE_READ_URL, maxLagSeconds: env.DATABASE_READ_MAX_LAG_SECONDS, checkIntervalMs: env.DATABASE_READ_LAG_CHECK_MS };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses `env` with `schema`; throws a ConfigError naming every bad variable. */
export function parseEnv<S extends z.ZodTypeAny>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // Empty strings count as "not set", so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const data = result.data as Record<string, unknown>;
  // On a Redis Cluster the run's keys share one hash tag (shared/src/queue/redis.ts).
  if (typeof data.REDIS_URL === 'string' && typeof data.QUEUE_PREFIX === 'string') data.QUEUE_PREFIX = queuePrefixFor(data.REDIS_URL, data.QUEUE_PREFIX);
  return deepFreeze(result.data);
}

/** The internal signing secret: required in production, random per process tree otherwise. */
export function internalSecretFor(env: BaseEnv): string {
  if (env.HANDOFF_INTERNAL_SECRET) return env.HANDOFF_INTERNAL_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(['HANDOFF_INTERNAL_SECRET: required when NODE_ENV=production']);
  }
  return devInternalSecret;
}
const devInternalSecret = randomBytes(32).toString('base64url');

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * A 32-byte key (base64 or hex). Required in production; elsewhere a random one per process
 * tree (the all-in-one launcher keeps one in .data/ so stored secrets survive restarts).
 */
export function encryptionKeyFor(value: string | undefined, env: NodeEnv): Buffer {
  if (value) {
    const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
    if (key.length !== 32) throw new ConfigError(['HANDOFF_ENCRYPTION_KEY: must be 32 bytes, base64 or hex']);
    return key;
  }
  if (env === 'production') throw new ConfigError(['HANDOFF_ENCRYPTION_KEY: required when NODE_ENV=production']);
  return devEncryptionKey;
}
const devEncryptionKey = randomBytes(32);
