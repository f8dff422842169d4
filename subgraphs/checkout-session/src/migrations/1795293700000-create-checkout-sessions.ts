// Schema `checkout`: checkout sessions, plus the platform's idempotency and outbox tables.
// A migration is a snapshot: it names its schema itself rather than following a constant.
import {
  createIdempotencyTableSql,
  createOutboxTableSql,
  dropIdempotencyTableSql,
  dropOutboxTableSql,
  sqlMigration,
} from '@handoff/shared';

const SCHEMA = 'checkout';

export const CreateCheckoutSessions1795293700000 = sqlMigration(
  'CreateCheckoutSessions1795293700000',
  [
    `CREATE TABLE "${SCHEMA}".checkout_sessions (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      -- the agent whose checkout created it; null for merchant-created sessions
      agent_id text NULL,
      status text NOT NULL DEFAULT 'OPEN'
        CHECK (status IN ('OPEN', 'COMPLETE', 'EXPIRED', 'CANCELED')),
      mode text NOT NULL CHECK (mode IN ('PAYMENT', 'SUBSCRIPTION')),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      subtotal_minor bigint NOT NULL CHECK (subtotal_minor >= 0),
      discount_minor bigint NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
      tax_minor bigint NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
      shipping_minor bigint NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0),
      total_minor bigint NOT NULL CHECK (total_minor >= 0),
      success_url text NULL,
      cancel_url text NULL,
      expires_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    // Tenant lists page by (created_at, id) within a merchant or an agent.
    `CREATE INDEX checkout_sessions_merchant_idx ON "${SCHEMA}".checkout_sessions (merchant_id, created_at, id)`,
    `CREATE INDEX checkout_sessions_agent_idx ON "${SCHEMA}".checkout_sessions (agent_id, created_at, id) WHERE agent_id IS NOT NULL`,
    // The expiry job looks for open sessions past expires_at.
    `CREATE INDEX checkout_sessions_open_expiry_idx ON "${SCHEMA}".checkout_sessions (expires_at) WHERE status = 'OPEN'`,
    ...createIdempotencyTableSql(SCHEMA),
    ...createOutboxTableSql(SCHEMA),
  ],
  [...dropOutboxTableSql(SCHEMA), ...dropIdempotencyTableSql(SCHEMA), `DROP TABLE IF EXISTS "${SCHEMA}".checkout_sessions`],
);
