// Schema `ledger`: conversions, plus the platform's idempotency and outbox tables.
// A migration is a snapshot: it names its schema itself rather than following a constant.
import {
  createIdempotencyTableSql,
  createOutboxTableSql,
  dropIdempotencyTableSql,
  dropOutboxTableSql,
  sqlMigration,
} from '@handoff/shared';

const SCHEMA = 'ledger';

export const CreateConversions1795293700000 = sqlMigration(
  'CreateConversions1795293700000',
  [
    `CREATE TABLE "${SCHEMA}".conversions (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      -- the recommending agent; null when a merchant reports a conversion no agent earned
      agent_id text NULL,
      status text NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'VALIDATED', 'PAYABLE', 'PAID', 'CLAWED_BACK', 'DISPUTED', 'REJECTED')),
      conversion_path text NOT NULL CHECK (conversion_path IN ('VERIFIED_PAYMENT', 'MERCHANT_REPORTED')),
      -- verified | pending_validation | flagged:<reason>
      verification text NOT NULL CHECK (verification <> ''),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      transaction_value_minor bigint NOT NULL CHECK (transaction_value_minor >= 0),
      order_reference text NULL,
      validation_period_days integer NOT NULL CHECK (validation_period_days >= 0),
      validates_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    // Tenant lists and BI filters page by (created_at, id) within a merchant or an agent.
    `CREATE INDEX conversions_merchant_idx ON "${SCHEMA}".conversions (merchant_id, created_at, id)`,
    `CREATE INDEX conversions_agent_idx ON "${SCHEMA}".conversions (agent_id, created_at, id) WHERE agent_id IS NOT NULL`,
    // The validation job looks for pending conversions whose window has passed.
    `CREATE INDEX conversions_pending_validation_idx ON "${SCHEMA}".conversions (validates_at) WHERE status = 'PENDING'`,
    ...createIdempotencyTableSql(SCHEMA),
    ...createOutboxTableSql(SCHEMA),
  ],
  [...dropOutboxTableSql(SCHEMA), ...dropIdempotencyTableSql(SCHEMA), `DROP TABLE IF EXISTS "${SCHEMA}".conversions`],
);
