// Remediation of failed checkouts (issue 19, seed 003 §15) and the payment rules a merchant sets
// (§17): a session's confirmation attempts (counted at each commitment to paying, reset by a
// `retry_payment` resolution); failures (one open per session, with its reason, who recorded it
// and when, and how, when and by whom it was resolved) and the support notes, with their authors;
// and the indexes the transaction limits read (a merchant's payments of the day, an email's of
// the hour). A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';
const ACTOR_KIND = `IN ('merchant', 'admin', 'agent', 'client', 'service', 'psp_webhook')`;

export const CheckoutRemediation1795500700000 = sqlMigration(
  'CheckoutRemediation1795500700000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_session_terms ADD COLUMN payment_attempts integer NOT NULL DEFAULT 0 CHECK (payment_attempts >= 0)`,
    `CREATE INDEX checkout_session_terms_committed_idx ON "${SCHEMA}".checkout_session_terms (payment_committed_at) WHERE payment_committed_at IS NOT NULL`,
    `CREATE INDEX checkout_sessions_merchant_email_idx ON "${SCHEMA}".checkout_sessions (merchant_id, lower(customer_email)) WHERE customer_email IS NOT NULL`,

    `CREATE TABLE "${SCHEMA}".checkout_failures (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      category text NOT NULL CHECK (category IN ('payment_declined', 'inventory_shortfall', 'fraud_block', 'validation', 'payment_amount_mismatch')),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
      message text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
      detail jsonb NOT NULL DEFAULT '{}'::jsonb,
      payment_intent_id text NULL,
      occurrences integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
      first_failed_at timestamptz NOT NULL,
      last_failed_at timestamptz NOT NULL,
      recorded_by_kind text NOT NULL CHECK (recorded_by_kind ${ACTOR_KIND}),
      recorded_by_id text NOT NULL,
      last_source_event text NULL,
      resolved_at timestamptz NULL,
      resolved_by_kind text NULL CHECK (resolved_by_kind ${ACTOR_KIND}),
      resolved_by_id text NULL,
      resolution text NULL CHECK (resolution IN ('retry_payment', 'apply_discount', 'manual_override', 'cancel', 'completed')),
      resolution_note text NULL CHECK (length(resolution_note) <= 2000),
      resolution_detail jsonb NULL,
      CHECK ((resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_by_id IS NULL))
    )`,
    // One open failure per session: a new failure of a session with an open one adds to it.
    `CREATE UNIQUE INDEX checkout_failures_open_idx ON "${SCHEMA}".checkout_failures (checkout_session_id) WHERE resolved_at IS NULL`,
    `CREATE INDEX checkout_failures_merchant_idx ON "${SCHEMA}".checkout_failures (merchant_id, id) WHERE resolved_at IS NULL`,
    `CREATE INDEX checkout_failures_session_idx ON "${SCHEMA}".checkout_failures (checkout_session_id, id)`,

    `CREATE TABLE "${SCHEMA}".checkout_support_notes (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      note text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
      author_kind text NOT NULL CHECK (author_kind ${ACTOR_KIND}),
      author_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX checkout_support_notes_session_idx ON "${SCHEMA}".checkout_support_notes (checkout_session_id, id)`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".checkout_support_notes`,
    `DROP TABLE IF EXISTS "${SCHEMA}".checkout_failures`,
    `DROP INDEX IF EXISTS "${SCHEMA}".checkout_sessions_merchant_email_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".checkout_session_terms_committed_idx`,
    `ALTER TABLE "${SCHEMA}".checkout_session_terms DROP COLUMN IF EXISTS payment_attempts`,
  ],
);
