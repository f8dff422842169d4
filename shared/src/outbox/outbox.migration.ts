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

/**
 * The outbox's `job_key` (a later migration of each package that has an outbox): the smallest row
 * id of the relay's claim that published the row, which names the claim's one job per routed
 * queue (outboxBatchJobId). NULL on rows claimed before it (their jobs are per row, outboxJobId).
 */
export function addOutboxJobKeySql(schema: string): string[] {
  return [`ALTER TABLE ${qualifiedTable(schema, 'outbox')} ADD COLUMN job_key bigint NULL`];
}

export function dropOutboxJobKeySql(schema: string): string[] {
  return [`ALTER TABLE ${qualifiedTable(schema, 'outbox')} DROP COLUMN IF EXISTS job_key`];
}

export function dropOutboxTableSql(schema: string): string[] {
  return [`DROP TABLE IF EXISTS ${qualifiedTable(schema, 'outbox')}`];
}
