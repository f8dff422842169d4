// Runs once per `vitest run`: makes this run's own PostgreSQL database and Redis queue prefix,
// so concurrent runs never collide, and drops the database afterwards. It also makes a migrated
// template database (TEST_TEMPLATE_DATABASE) that each end-to-end file copies into a database of
// its own (test/support/scratch-database.ts migratedDatabase): e2e files run two at a time, and
// one file's stack (its outbox relay, a global settlement) never touches another's rows.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup() {
  const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const dbName = `handoff_test_${suffix}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  process.env.TEST_DATABASE_URL = url.toString();
  process.env.TEST_QUEUE_PREFIX = `handoff-test-${suffix}`;
  process.env.TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const template = await migratedTemplate(`handoff_tmpl_${suffix}`, process.env.TEST_REDIS_URL, process.env.TEST_QUEUE_PREFIX);
  if (template) process.env.TEST_TEMPLATE_DATABASE = template;

  return async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      if (template) await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await c.end();
    }
    await flushQueuePrefix(process.env.TEST_REDIS_URL!, process.env.TEST_QUEUE_PREFIX!);
  };
}

async function flushQueuePrefix(redisUrl: string, prefix: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis gone at teardown: nothing to clean.
  } finally {
    redis.disconnect();
  }
}

/**
 * A database with every subgraph's migrations applied, by the built launcher's `migrate` (`npm
 * test` builds first), that nothing connects to afterwards, so CREATE DATABASE … TEMPLATE can
 * copy it. Without a build it is not made: each e2e file's database then starts empty and its
 * stack migrates it (slower, same result). A stack started on a copy still runs its migrations,
 * so a copy made by a stale build only has the newer ones applied on top.
 */
async function migratedTemplate(name: string, redisUrl: string, queuePrefix: string): Promise<string | null> {
  const migrate = fileURLToPath(new URL('../../launcher/dist/migrate.js', import.meta.url));
  if (!existsSync(migrate)) return null;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const env = { ...process.env, DATABASE_URL: url.toString(), REDIS_URL: redisUrl, QUEUE_PREFIX: `${queuePrefix}-tmpl`, NODE_ENV: 'test', LOG_LEVEL: 'error' };
  await promisify(execFile)(process.execPath, [migrate], { env, timeout: 180_000 });
  return name;
}
