// Finalization and order handoff, hosted links (issue 20 items 4-5, seed 003 §8 and §12): the
// order a finalization creates (one per session, whatever races meet it: the unique key), with its
// receipt, lines and totals copied from the calculation snapshot; the finalization jobs (async
// finalizations and rollbacks, polled by id); a session's hosted links (their id is what a
// redirect return asks about). A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutOrders1795501000000 = sqlMigration(
  'CheckoutOrders1795501000000',
  [
    `CREATE TABLE "${SCHEMA}".orders (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL UNIQUE REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      receipt_id text NOT NULL UNIQUE,
      status text NOT NULL CHECK (status IN ('COMPLETED', 'ROLLING_BACK', 'ROLLED_BACK')),
      handed_off boolean NOT NULL,
      calculation_id text NULL,
      payment_intent_id text NULL,
      payment_status text NOT NULL CHECK (payment_status IN ('captured', 'authorized')),
      currency char(3) NOT NULL,
      sub_total_minor bigint NOT NULL,
      discount_total_minor bigint NOT NULL,
      tax_total_minor bigint NOT NULL,
      shipping_total_minor bigint NOT NULL,
      grand_total_minor bigint NOT NULL,
      lines jsonb NOT NULL,
      steps jsonb NOT NULL DEFAULT '[]'::jsonb,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      rollback_reason text NULL CHECK (length(rollback_reason) <= 500),
      rolled_back_at timestamptz NULL
    )`,
    `CREATE INDEX orders_merchant_idx ON "${SCHEMA}".orders (merchant_id, id)`,

    `CREATE TABLE "${SCHEMA}".finalization_jobs (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('FINALIZE', 'ROLLBACK')),
      status text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
      create_order boolean NOT NULL DEFAULT true,
      order_id text NULL,
      attempts integer NOT NULL DEFAULT 0,
      error_code text NULL,
      error_message text NULL CHECK (length(error_message) <= 2000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz NULL
    )`,
    `CREATE INDEX finalization_jobs_session_idx ON "${SCHEMA}".finalization_jobs (checkout_session_id, id)`,

    `CREATE TABLE "${SCHEMA}".hosted_links (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX hosted_links_session_idx ON "${SCHEMA}".hosted_links (checkout_session_id)`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".hosted_links`,
    `DROP TABLE IF EXISTS "${SCHEMA}".finalization_jobs`,
    `DROP TABLE IF EXISTS "${SCHEMA}".orders`,
  ],
);
