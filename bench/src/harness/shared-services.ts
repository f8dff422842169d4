// The machine's own PostgreSQL and Redis (127.0.0.1:5432 and :6379), for benches that measure
// Handoff on them (bench:system). Both servers are shared by everyone on the machine: this never
// stops, restarts or flushes them. A fresh database (dropped at the end) and a unique queue
// prefix (its keys deleted at the end, by SCAN on the prefix) keep a run to itself.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export interface SharedPostgres {
  /** postgres://postgres@127.0.0.1:5432/<database> */
  url: string;
  /** The server's admin URL (the `postgres` database). */
  adminUrl: string;
  database: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops the database (terminating what is still connected to it). */
  destroy(): Promise<void>;
}

export interface SharedRedis {
  url: string;
  /** The QUEUE_PREFIX of this run; every key of the run starts with it. */
  prefix: string;
  /** Deletes this run's keys (only those under its prefix). */
  destroy(): Promise<void>;
}

export const SHARED_PG_SERVER = process.env.BENCH_PG_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
export const SHARED_REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * A connection pool size per process that fits the shared server: Handoff's processes (subgraphs,
 * workers, the PSP sandbox) each open up to DB_POOL_SIZE (default 10) connections, 90 in all,
 * against max_connections 100 that other engineers' test stacks use too; under load every pool
 * fills and PostgreSQL answers "too many clients" (a 5xx mid-run). The free connections (less the
 * superuser reserve, those in use now and `reserve` for the bench's own clients and newcomers) are
 * shared between `processes`; at least 2 and at most 10 each.
 */
export async function poolSizeFitting(url: string, processes: number, reserve = 12): Promise<{ size: number; max: number; used: number }> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    const [r] = (await c.query(
      `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS su, (SELECT count(*) FROM pg_stat_activity)::int AS used`,
    )).rows as Array<{ max: number; su: number; used: number }>;
    const free = r!.max - r!.su - r!.used - reserve;
    return { size: Math.max(2, Math.min(10, Math.floor(free / processes))), max: r!.max, used: r!.used };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A fresh database on the shared server, named `<namePrefix>_<pid>_<random>`. */
export async function createSharedDatabase(namePrefix: string): Promise<SharedPostgres> {
  if (!/^[a-z_][a-z0-9_]*$/.test(namePrefix)) throw new Error(`bad database name prefix ${namePrefix}`);
  const database = `${namePrefix}_${process.pid}_${randomBytes(2).toString('hex')}`;
  const adminUrl = `${SHARED_PG_SERVER}/postgres`;
  await adminQuery(adminUrl, `CREATE DATABASE ${database}`);
  const url = `${SHARED_PG_SERVER}/${database}`;
  return {
    url,
    adminUrl,
    database,
    query: async <T>(sql: string, params: unknown[] = []) => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    destroy: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}

export function sharedRedis(prefix: string): SharedRedis {
  return {
    url: SHARED_REDIS_URL,
    prefix,
    destroy: async () => {
      const redis = new Redis(SHARED_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.unlink(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
