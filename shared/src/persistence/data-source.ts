// One PostgreSQL schema per subgraph, TypeORM migrations only (never synchronize).
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { Logger } from '../logging/logger.js';
import { tracePostgres } from '../tracing/pg-spans.js';

export interface DataSourceOptions {
  url: string;
  /** The subgraph's own Postgres schema: merchant, checkout, payment, ledger. */
  schema: string;
  entities: Function[];
  migrations: Function[];
  poolSize?: number;
  applicationName?: string;
  /** A read replica's: never installs extensions (a standby refuses every write). */
  readOnly?: boolean;
}

export function createDataSource(opts: DataSourceOptions): DataSource {
  assertIdentifier(opts.schema);
  // With tracing on, statements inside a trace get spans (wraps node-postgres once; else nothing).
  tracePostgres();
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    ...(opts.readOnly ? { installExtensions: false } : {}),
    applicationName: opts.applicationName ?? `handoff-${opts.schema}`,
    extra: {
      max: opts.poolSize ?? 10,
      // A statement stuck behind a lock must not hold a request forever.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: 5_000,
    },
  });
}

/**
 * Creates the schema if needed and runs pending migrations under an advisory lock, so replicas
 * starting together migrate once.
 */
export async function runMigrations(ds: DataSource, logger?: Logger): Promise<string[]> {
  const schema = (ds.options as { schema?: string }).schema;
  if (!schema) throw new Error('runMigrations needs a DataSource with a schema');
  assertIdentifier(schema);
  if (!ds.isInitialized) await ds.initialize();
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`handoff:migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const ran = await ds.runMigrations({ transaction: 'each' });
    for (const m of ran) logger?.info({ migration: m.name, schema }, 'migration applied');
    return ran.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`handoff:migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

export function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Not a safe SQL identifier: ${name}`);
}

/** A migration written as plain SQL lists; `down` reverses `up`. */
export function sqlMigration(name: string, up: string[], down: string[]): new () => MigrationInterface {
  const Migration = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner) {
      for (const sql of up) await q.query(sql);
    }
    async down(q: QueryRunner) {
      for (const sql of down) await q.query(sql);
    }
  };
  Object.defineProperty(Migration, 'name', { value: name });
  return Migration;
}
