// SQL for the per-schema outbox table; each subgraph's TypeORM migration runs it.
import { qualifiedTable } from '../idempotency/schema-name.js';

export function createOutboxTableSql(schema: string): string[] {
  const table = qualifiedTable(schema, 'outbox');
  return [
    `CREATE TABLE ${table} (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      aggregate_id text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz NULL,
      delivered_at timestamptz NULL,
      attempts int NOT NULL DEFAULT 0,
      request_id text NULL
    )`,
    // The relay and the sweep only ever look at undelivered rows; delivered ones pile up.
    `CREATE INDEX outbox_undelivered_idx ON ${table} (id) WHERE delivered_at IS NULL`,
  ];
}

export function dropOutboxTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS ${qualifiedTable(schema, 'outbox')}`];
}
