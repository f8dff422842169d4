// Outbound webhooks (issue 19): a merchant's endpoints (URL, event filter, signing secret
// encrypted as the PSP connector secrets are, the previous one kept for 24 hours after a
// rotation), the events recorded once from the `outbound-webhook-events` queue (id = a function
// of the producer's outbox row), one delivery per event and endpoint with its retry state, every
// attempt's log, and the notices a merchant is shown (an endpoint disabled after 5 days of
// failures). CHECK constraints repeat the services' rules.
import { sqlMigration } from '@handoff/shared';
import { SCHEMA_NAME } from '../constants.js';

const s = `"${SCHEMA_NAME}"`;

const up = [
  `CREATE TABLE ${s}.webhook_endpoints (
    id text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES ${s}.merchants (id),
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 64),
    description text NULL CHECK (length(description) BETWEEN 1 AND 500),
    enabled boolean NOT NULL,
    disabled_reason text NULL CHECK (disabled_reason IN ('MANUAL', 'FAILING')),
    secret_ciphertext text NOT NULL,
    previous_secret_ciphertext text NULL,
    previous_secret_expires_at timestamptz NULL,
    failing_since timestamptz NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz NULL,
    CONSTRAINT webhook_endpoints_previous_secret CHECK ((previous_secret_ciphertext IS NULL) = (previous_secret_expires_at IS NULL)),
    CONSTRAINT webhook_endpoints_disabled_reason CHECK (enabled = (disabled_reason IS NULL))
  )`,
  // A merchant's live endpoints, in creation order (and the fan-out's lookup).
  `CREATE INDEX webhook_endpoints_merchant_idx ON ${s}.webhook_endpoints (merchant_id, id) WHERE deleted_at IS NULL`,

  `CREATE TABLE ${s}.webhook_events (
    id text PRIMARY KEY CHECK (id ~ '^evt_[0-9a-f]{24}$'),
    merchant_id text NOT NULL,
    type text NOT NULL CHECK (type ~ '^[a-z_]+\\.[a-z_]+$'),
    payload json NOT NULL,
    created timestamptz NOT NULL,
    source text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
  )`,
  // replayWebhookEvents: a merchant's events since a time.
  `CREATE INDEX webhook_events_merchant_created_idx ON ${s}.webhook_events (merchant_id, created, id)`,

  `CREATE TABLE ${s}.webhook_deliveries (
    id text PRIMARY KEY,
    event_id text NOT NULL REFERENCES ${s}.webhook_events (id),
    endpoint_id text NOT NULL REFERENCES ${s}.webhook_endpoints (id),
    merchant_id text NOT NULL,
    status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    round_attempts int NOT NULL DEFAULT 0 CHECK (round_attempts >= 0),
    seq int NOT NULL DEFAULT 0 CHECK (seq >= 0),
    armed_at timestamptz NOT NULL,
    next_attempt_at timestamptz NULL,
    locked_until timestamptz NULL,
    last_attempt_at timestamptz NULL,
    last_status_code int NULL,
    last_error text NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz NULL,
    CONSTRAINT webhook_deliveries_event_endpoint_key UNIQUE (event_id, endpoint_id),
    CONSTRAINT webhook_deliveries_pending_next CHECK ((status = 'PENDING') = (next_attempt_at IS NOT NULL))
  )`,
  // An endpoint's delivery log, newest first.
  `CREATE INDEX webhook_deliveries_endpoint_idx ON ${s}.webhook_deliveries (endpoint_id, id)`,
  // The sweep: pending deliveries whose attempt is overdue.
  `CREATE INDEX webhook_deliveries_due_idx ON ${s}.webhook_deliveries (next_attempt_at) WHERE status = 'PENDING'`,

  `CREATE TABLE ${s}.webhook_delivery_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id text NOT NULL REFERENCES ${s}.webhook_deliveries (id),
    attempted_at timestamptz NOT NULL,
    url text NOT NULL,
    succeeded boolean NOT NULL,
    status_code int NULL CHECK (status_code BETWEEN 100 AND 999),
    error text NULL,
    latency_ms int NOT NULL CHECK (latency_ms >= 0),
    response_excerpt text NULL CHECK (octet_length(response_excerpt) <= 1024),
    CONSTRAINT webhook_delivery_attempts_outcome CHECK (succeeded = (error IS NULL AND status_code BETWEEN 200 AND 299))
  )`,
  `CREATE INDEX webhook_delivery_attempts_delivery_idx ON ${s}.webhook_delivery_attempts (delivery_id, id)`,

  `CREATE TABLE ${s}.merchant_notices (
    id text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES ${s}.merchants (id),
    kind text NOT NULL,
    subject_id text NULL,
    message text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX merchant_notices_merchant_idx ON ${s}.merchant_notices (merchant_id, id)`,
];

const down = [
  `DROP TABLE IF EXISTS ${s}.merchant_notices`,
  `DROP TABLE IF EXISTS ${s}.webhook_delivery_attempts`,
  `DROP TABLE IF EXISTS ${s}.webhook_deliveries`,
  `DROP TABLE IF EXISTS ${s}.webhook_events`,
  `DROP TABLE IF EXISTS ${s}.webhook_endpoints`,
];

export const MerchantOutboundWebhooks1795500100000 = sqlMigration('MerchantOutboundWebhooks1795500100000', up, down);
