// createDataSource / runMigrations against real PostgreSQL: one schema per subgraph, migrations
// only (never synchronize), applied once even when replicas start together.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { assertIdentifier, createDataSource, runMigrations, sqlMigration } from '../src/persistence/index.js';

const schema = `t_persist_${randomBytes(4).toString('hex')}`;
const opened: DataSource[] = [];

const CreateThings = sqlMigration(
  'CreateThings1700000000001',
  [`CREATE TABLE "${schema}".things (id text PRIMARY KEY)`],
  [`DROP TABLE "${schema}".things`],
);
// Slow on purpose: a replica that did not wait for the lock would run it a second time and fail.
const AddName = sqlMigration(
  'AddName1700000000002',
  ['SELECT pg_sleep(0.2)', `ALTER TABLE "${schema}".things ADD COLUMN name text NOT NULL DEFAULT ''`],
  [`ALTER TABLE "${schema}".things DROP COLUMN name`],
);

function dataSource(migrations: Function[] = [CreateThings, AddName]): DataSource {
  const ds = createDataSource({ url: testEnv().databaseUrl, schema, entities: [], migrations, poolSize: 2 });
  opened.push(ds);
  return ds;
}

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: testEnv().databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const ds of opened) if (ds.isInitialized) await ds.destroy();
  await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

describe('createDataSource', () => {
  it('never synchronizes or runs migrations by itself, and names its schema and application', () => {
    const ds = dataSource();
    expect(ds.options).toMatchObject({ type: 'postgres', schema, synchronize: false, migrationsRun: false, migrationsTableName: 'migrations' });
    expect((ds.options as { applicationName?: string }).applicationName).toBe(`handoff-${schema}`);
  });

  it('refuses a schema name that is not a plain SQL identifier', () => {
    for (const bad of ['Merchant', 'a-b', 'x"; DROP SCHEMA public; --', '', '1abc', 'a'.repeat(64)]) {
      expect(() => createDataSource({ url: testEnv().databaseUrl, schema: bad, entities: [], migrations: [] })).toThrow(/Not a safe SQL identifier/);
      expect(() => assertIdentifier(bad)).toThrow();
    }
    expect(() => assertIdentifier('ledger')).not.toThrow();
  });
});

describe('runMigrations', () => {
  it('creates the schema and applies each migration once, even with five replicas starting together', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => runMigrations(dataSource())));
    expect(results.flat().sort()).toEqual(['AddName1700000000002', 'CreateThings1700000000001']);
    const applied = await sql<{ name: string }>(`SELECT name FROM "${schema}".migrations ORDER BY id`);
    expect(applied.map((r) => r.name)).toEqual(['CreateThings1700000000001', 'AddName1700000000002']);
    const cols = await sql<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, 'things'],
    );
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'name']);
    // The migrations table lives in the subgraph's schema, not in public.
    const elsewhere = await sql(`SELECT 1 FROM information_schema.tables WHERE table_name = 'migrations' AND table_schema = 'public'`);
    expect(elsewhere).toEqual([]);
  });

  it('a later start applies only what is new', async () => {
    expect(await runMigrations(dataSource())).toEqual([]);
    const AddIndex = sqlMigration('AddIndex1700000000003', [`CREATE INDEX things_name_idx ON "${schema}".things (name)`], [`DROP INDEX "${schema}".things_name_idx`]);
    expect(await runMigrations(dataSource([CreateThings, AddName, AddIndex]))).toEqual(['AddIndex1700000000003']);
  });

  it('a failing migration rolls back alone and is not recorded; the next start retries it', async () => {
    const Broken = sqlMigration(
      'Broken1700000000004',
      [`CREATE TABLE "${schema}".half_done (id int)`, 'SELECT no_such_function()'],
      [`DROP TABLE "${schema}".half_done`],
    );
    await expect(runMigrations(dataSource([CreateThings, AddName, Broken]))).rejects.toThrow(/no_such_function/);
    expect(await sql(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half_done'`, [schema])).toEqual([]);
    expect(await sql(`SELECT 1 FROM "${schema}".migrations WHERE name = 'Broken1700000000004'`)).toEqual([]);
    // The advisory lock was released: another run gets it and proceeds.
    expect(await runMigrations(dataSource([CreateThings, AddName]))).toEqual([]);
  });
});
