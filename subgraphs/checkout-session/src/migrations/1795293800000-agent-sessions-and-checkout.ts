// Agent sessions and recommendations; line items, attribution, metadata and the payment intent
// on checkout sessions. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const AgentSessionsAndCheckout1795293800000 = sqlMigration(
  'AgentSessionsAndCheckout1795293800000',
  [
    `CREATE TABLE "${SCHEMA}".agent_sessions (
      id text PRIMARY KEY,
      agent_id text NOT NULL,
      query text NULL,
      status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CHECKOUT', 'CONVERTED', 'EXPIRED')),
      expires_at timestamptz NOT NULL,
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX agent_sessions_agent_idx ON "${SCHEMA}".agent_sessions (agent_id, id)`,
    `CREATE INDEX agent_sessions_active_expiry_idx ON "${SCHEMA}".agent_sessions (expires_at) WHERE status = 'ACTIVE'`,
    `CREATE TABLE "${SCHEMA}".recommendations (
      id text PRIMARY KEY,
      agent_session_id text NOT NULL REFERENCES "${SCHEMA}".agent_sessions (id),
      agent_id text NOT NULL,
      offer_id text NOT NULL,
      merchant_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX recommendations_session_idx ON "${SCHEMA}".recommendations (agent_session_id, id)`,
    `CREATE INDEX recommendations_merchant_idx ON "${SCHEMA}".recommendations (merchant_id, id)`,
    `ALTER TABLE "${SCHEMA}".checkout_sessions
      ADD COLUMN customer_email text NULL,
      ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
      ADD COLUMN agent_session_id text NULL REFERENCES "${SCHEMA}".agent_sessions (id),
      ADD COLUMN recommendation_id text NULL REFERENCES "${SCHEMA}".recommendations (id),
      ADD COLUMN offer_id text NULL,
      ADD COLUMN aap_code text NULL CHECK (char_length(aap_code) <= 500),
      ADD COLUMN payment_intent_id text NULL,
      -- set once cancelPaymentIntentsForCheckout has answered for an expired session
      ADD COLUMN payment_intents_canceled_at timestamptz NULL`,
    // The expiry job retries cancelling the intents of expired sessions until it has succeeded.
    `CREATE INDEX checkout_sessions_cancel_pending_idx ON "${SCHEMA}".checkout_sessions (updated_at)
      WHERE status = 'EXPIRED' AND payment_intents_canceled_at IS NULL`,
    `CREATE TABLE "${SCHEMA}".checkout_line_items (
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      position integer NOT NULL CHECK (position >= 0),
      name text NOT NULL,
      unit_amount_minor bigint NOT NULL CHECK (unit_amount_minor > 0),
      quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
      total_minor bigint NOT NULL CHECK (total_minor > 0),
      offer_id text NULL,
      PRIMARY KEY (checkout_session_id, position)
    )`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".checkout_line_items`,
    `DROP INDEX IF EXISTS "${SCHEMA}".checkout_sessions_cancel_pending_idx`,
    `ALTER TABLE "${SCHEMA}".checkout_sessions
      DROP COLUMN IF EXISTS customer_email, DROP COLUMN IF EXISTS metadata, DROP COLUMN IF EXISTS agent_session_id,
      DROP COLUMN IF EXISTS recommendation_id, DROP COLUMN IF EXISTS offer_id, DROP COLUMN IF EXISTS aap_code,
      DROP COLUMN IF EXISTS payment_intent_id, DROP COLUMN IF EXISTS payment_intents_canceled_at`,
    `DROP TABLE IF EXISTS "${SCHEMA}".recommendations`,
    `DROP TABLE IF EXISTS "${SCHEMA}".agent_sessions`,
  ],
);
