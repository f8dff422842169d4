// `npm run migrate` (launcher/dist/migrate.js, built by `npm test` before vitest runs): every
// subgraph's migrations in its own schema; a second run has nothing to do; a bad database is
// a clear message and exit code 1.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { migrateAll } from '../src/migrate.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/migrate.js', import.meta.url));
const SCHEMAS = ['checkout', 'ledger', 'merchant', 'payment'];

function cli(env: Record<string, string>) {
  return run(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env }, timeout: 60_000 });
}

describe('npm run migrate', () => {
  it('migrates every subgraph into its own schema; running it again applies nothing', async () => {
    const env = { DATABASE_URL: testEnv().databaseUrl, REDIS_URL: testEnv().redisUrl, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    await migrateAll(env);
    const again = await migrateAll(env);
    expect(again).toEqual({ merchant: [], 'checkout-session': [], 'payment-intent': [], 'conversion-ledger': [] });
    const client = new pg.Client({ connectionString: testEnv().databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ schema: string; n: number }>(
        `SELECT table_schema AS schema, count(*)::int AS n FROM information_schema.tables
          WHERE table_name = 'migrations' AND table_schema = ANY($1) GROUP BY table_schema ORDER BY 1`,
        [SCHEMAS],
      );
      expect(rows.map((r) => r.schema)).toEqual(SCHEMAS);
      for (const schema of SCHEMAS) {
        const { rows: applied } = await client.query(`SELECT count(*)::int AS n FROM "${schema}".migrations`);
        expect(applied[0].n, schema).toBeGreaterThan(0);
      }
    } finally {
      await client.end();
    }
  });

  it('the CLI prints each subgraph and exits 0', { timeout: 90_000 }, async () => {
    expect(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`).toBe(true);
    const { stdout } = await cli({ DATABASE_URL: testEnv().databaseUrl, REDIS_URL: testEnv().redisUrl });
    expect(stdout.trim().split('\n').sort()).toEqual([
      'checkout-session: up to date',
      'conversion-ledger: up to date',
      'merchant: up to date',
      'payment-intent: up to date',
    ]);
  });

  it('the CLI names a bad DATABASE_URL and exits 1', { timeout: 90_000 }, async () => {
    const failed = await cli({ DATABASE_URL: 'not a url' }).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/DATABASE_URL/);
    expect(failed?.stderr).not.toMatch(/\n\s+at /);
  });
});
