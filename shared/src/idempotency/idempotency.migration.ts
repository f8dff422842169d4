// SQL for the per-schema idempotency table; each subgraph's TypeORM migration runs it.
import { qualifiedTable } from './schema-name.js';

export function createIdempotencyTableSql(schema: string): string[] {
  const table = qualifiedTable(schema, 'idempotency_keys');
  return [
    `CREATE TABLE ${table} (
      scope text NOT NULL,
      key text NOT NULL,
      operation text NOT NULL,
      request_hash text NOT NULL,
      response jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    )`,
    // purgeExpired deletes by age.
    `CREATE INDEX idempotency_keys_created_at_idx ON ${table} (created_at)`,
  ];
}

export function dropIdempotencyTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS ${qualifiedTable(schema, 'idempotency_keys')}`];
}
