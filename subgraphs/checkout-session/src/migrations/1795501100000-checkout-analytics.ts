// Checkout analytics (issue 19 item 6, seed 003 §16): exports (one row per requested file, its
// status and size; the file itself as ordered chunks of whole rows, so neither writing nor
// downloading a year of data holds more than a chunk) and the indexes the KPIs and exports read by:
// sessions by creation time (every merchant's last 24 h for /metrics), a merchant's timeline entries
// and failures by time (an export's keyset pages). A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';
const ACTOR_KIND = `IN ('merchant', 'admin', 'agent', 'client', 'service', 'psp_webhook')`;

export const CheckoutAnalytics1795501100000 = sqlMigration(
  'CheckoutAnalytics1795501100000',
  [
    `CREATE INDEX checkout_sessions_created_idx ON "${SCHEMA}".checkout_sessions (created_at)`,
    `CREATE INDEX timeline_entries_merchant_at_idx ON "${SCHEMA}".timeline_entries (merchant_id, at, id)`,
    `CREATE INDEX checkout_failures_merchant_first_idx ON "${SCHEMA}".checkout_failures (merchant_id, first_failed_at, id)`,
    `CREATE TABLE "${SCHEMA}".checkout_exports (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('checkout_events', 'failed_sessions')),
      format text NOT NULL CHECK (format IN ('csv', 'ndjson')),
      range_from timestamptz NOT NULL,
      range_to timestamptz NOT NULL CHECK (range_to > range_from),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'ready', 'failed')),
      row_count bigint NOT NULL DEFAULT 0,
      byte_count bigint NOT NULL DEFAULT 0,
      chunk_count integer NOT NULL DEFAULT 0,
      failure_code text NULL,
      failure_message text NULL,
      requested_by_kind text NOT NULL CHECK (requested_by_kind ${ACTOR_KIND}),
      requested_by_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz NULL,
      completed_at timestamptz NULL,
      file_expires_at timestamptz NULL,
      CHECK ((status = 'ready') = (file_expires_at IS NOT NULL))
    )`,
    `CREATE INDEX checkout_exports_merchant_idx ON "${SCHEMA}".checkout_exports (merchant_id, id)`,
    `CREATE TABLE "${SCHEMA}".checkout_export_chunks (
      export_id text NOT NULL REFERENCES "${SCHEMA}".checkout_exports (id) ON DELETE CASCADE,
      seq integer NOT NULL CHECK (seq >= 0),
      data text NOT NULL,
      PRIMARY KEY (export_id, seq)
    )`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".checkout_export_chunks`,
    `DROP TABLE IF EXISTS "${SCHEMA}".checkout_exports`,
    `DROP INDEX IF EXISTS "${SCHEMA}".checkout_failures_merchant_first_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".timeline_entries_merchant_at_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".checkout_sessions_created_idx`,
  ],
);
