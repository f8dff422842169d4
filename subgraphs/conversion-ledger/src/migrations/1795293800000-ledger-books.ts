// Schema `ledger`, second step: commission and lifecycle columns on conversions, milestones, the
// double-entry books (append-only, enforced by triggers; every transaction sums to zero per
// currency, checked at commit), applied PSP events, and settlement runs, batches and lines.
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';

export const LedgerBooks1795293800000 = sqlMigration(
  'LedgerBooks1795293800000',
  [
    `ALTER TABLE ${S}.conversions
      ADD COLUMN recommendation_id text NULL,
      ADD COLUMN session_id text NULL,
      ADD COLUMN offer_id text NULL,
      ADD COLUMN payment_intent_id text NULL,
      -- provider:psp payment id; one conversion per payment however many events arrive
      ADD COLUMN payment_key text NULL UNIQUE,
      ADD COLUMN commission_type text NOT NULL DEFAULT 'CPA' CHECK (commission_type IN ('CPA', 'PERCENTAGE', 'HYBRID')),
      ADD COLUMN cpa_minor bigint NULL CHECK (cpa_minor >= 0),
      ADD COLUMN percentage_bps integer NULL CHECK (percentage_bps BETWEEN 0 AND 10000),
      ADD COLUMN commission_minor bigint NOT NULL DEFAULT 0 CHECK (commission_minor >= 0),
      ADD COLUMN network_fee_minor bigint NOT NULL DEFAULT 0 CHECK (network_fee_minor >= 0),
      ADD COLUMN builder_payout_minor bigint NOT NULL DEFAULT 0 CHECK (builder_payout_minor >= 0),
      -- the builder share of an anonymous agent's conversion, held until settlement
      ADD COLUMN unclaimed_minor bigint NOT NULL DEFAULT 0 CHECK (unclaimed_minor >= 0),
      -- the builder share never invoiced because no builder registered before settlement
      ADD COLUMN forfeited_minor bigint NOT NULL DEFAULT 0 CHECK (forfeited_minor >= 0),
      ADD COLUMN builder_id text NULL,
      ADD COLUMN commission_posted boolean NOT NULL DEFAULT false,
      ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
      ADD COLUMN flow_type text NOT NULL DEFAULT 'instant_checkout',
      ADD COLUMN flow_steps text[] NOT NULL DEFAULT ARRAY['payment_received', 'order_confirmed'],
      ADD COLUMN payable_after text NULL,
      -- when the flow's payableAfter step completed (gates PAYABLE)
      ADD COLUMN payable_since timestamptz NULL,
      ADD COLUMN status_before_dispute text NULL,
      ADD COLUMN review_reason text NULL,
      ADD COLUMN reviewed_at timestamptz NULL,
      ADD COLUMN builder_settled_minor bigint NOT NULL DEFAULT 0,
      ADD COLUMN merchant_settled_minor bigint NOT NULL DEFAULT 0,
      ADD COLUMN paid_at timestamptz NULL`,
    `CREATE UNIQUE INDEX conversions_merchant_order_uq ON ${S}.conversions (merchant_id, order_reference) WHERE order_reference IS NOT NULL`,
    // Admin lists and BI page by (created_at, id); settlement scans the live statuses only.
    `CREATE INDEX conversions_created_idx ON ${S}.conversions (created_at, id)`,
    `CREATE INDEX conversions_live_idx ON ${S}.conversions (status, validates_at) WHERE status IN ('PENDING', 'VALIDATED', 'PAYABLE', 'PAID', 'CLAWED_BACK')`,
    `CREATE INDEX conversions_builder_idx ON ${S}.conversions (builder_id) WHERE builder_id IS NOT NULL`,
    `CREATE SEQUENCE ${S}.conversion_event_seq`,

    `CREATE TABLE ${S}.conversion_milestones (
      id text PRIMARY KEY,
      conversion_id text NOT NULL REFERENCES ${S}.conversions (id),
      step text NOT NULL,
      step_index integer NOT NULL CHECK (step_index >= 0),
      status text NOT NULL CHECK (status IN ('completed', 'failed')),
      metadata jsonb NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX conversion_milestones_completed_uq ON ${S}.conversion_milestones (conversion_id, step) WHERE status = 'completed'`,
    `CREATE INDEX conversion_milestones_conversion_idx ON ${S}.conversion_milestones (conversion_id, recorded_at)`,

    `CREATE TABLE ${S}.ledger_transactions (
      id text PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('commission', 'adjustment', 'reversal', 'release', 'forfeit', 'payout', 'invoice_payment')),
      conversion_id text NULL REFERENCES ${S}.conversions (id),
      batch_id text NULL,
      -- a correction names the transaction it corrects
      reverses_id text NULL REFERENCES ${S}.ledger_transactions (id),
      memo text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX ledger_transactions_conversion_idx ON ${S}.ledger_transactions (conversion_id) WHERE conversion_id IS NOT NULL`,
    `CREATE TABLE ${S}.ledger_entries (
      id bigserial PRIMARY KEY,
      transaction_id text NOT NULL REFERENCES ${S}.ledger_transactions (id),
      conversion_id text NULL,
      account_type text NOT NULL
        CHECK (account_type IN ('merchant_receivable', 'builder_payable', 'network_revenue', 'unclaimed', 'settlement_cash')),
      -- merchant id, builder id or agent id; '' for the network's own accounts
      account_owner text NOT NULL DEFAULT '',
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      -- signed minor units: debit > 0, credit < 0
      amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX ledger_entries_transaction_idx ON ${S}.ledger_entries (transaction_id)`,
    `CREATE INDEX ledger_entries_conversion_idx ON ${S}.ledger_entries (conversion_id, id) WHERE conversion_id IS NOT NULL`,
    `CREATE INDEX ledger_entries_account_idx ON ${S}.ledger_entries (account_type, account_owner, currency)`,

    // Running balances, kept in the transaction of every posting; the ledger check rebuilds
    // them from the entries and compares.
    `CREATE TABLE ${S}.ledger_accounts (
      account_type text NOT NULL,
      account_owner text NOT NULL,
      currency char(3) NOT NULL,
      balance_minor bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_type, account_owner, currency)
    )`,
    // Append-only, in the database: no UPDATE, DELETE or TRUNCATE of the books, whoever asks.
    `CREATE FUNCTION ${S}.refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'ledger % is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
     END $$`,
    `CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ${S}.ledger_entries
       FOR EACH ROW EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
    `CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ${S}.ledger_entries
       FOR EACH STATEMENT EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
    `CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ${S}.ledger_transactions
       FOR EACH ROW EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
    `CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ${S}.ledger_transactions
       FOR EACH STATEMENT EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
    // Checked at commit, once every entry of the transaction is in: ≥ 2 entries, zero per currency.
    `CREATE FUNCTION ${S}.check_ledger_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF (SELECT count(*) FROM ${S}.ledger_entries WHERE transaction_id = NEW.transaction_id) < 2 THEN
         RAISE EXCEPTION 'ledger transaction % has fewer than 2 entries', NEW.transaction_id USING ERRCODE = 'check_violation';
       END IF;
       IF EXISTS (SELECT 1 FROM ${S}.ledger_entries WHERE transaction_id = NEW.transaction_id
                   GROUP BY currency HAVING sum(amount_minor) <> 0) THEN
         RAISE EXCEPTION 'ledger transaction % does not sum to zero', NEW.transaction_id USING ERRCODE = 'check_violation';
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ${S}.ledger_entries
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${S}.check_ledger_transaction()`,

    `CREATE TABLE ${S}.psp_events_applied (
      provider text NOT NULL,
      event_id text NOT NULL,
      topic text NOT NULL,
      conversion_id text NULL,
      outcome text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, event_id)
    )`,

    `CREATE TABLE ${S}.settlement_runs (
      period text PRIMARY KEY,
      as_of timestamptz NOT NULL,
      batch_count integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE ${S}.settlement_batches (
      id text PRIMARY KEY,
      period text NOT NULL,
      payee_type text NOT NULL CHECK (payee_type IN ('builder', 'merchant')),
      payee_id text NOT NULL,
      currency char(3) NOT NULL,
      total_minor bigint NOT NULL CHECK (total_minor > 0),
      line_count integer NOT NULL,
      status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'PAID')),
      created_at timestamptz NOT NULL DEFAULT now(),
      paid_at timestamptz NULL,
      UNIQUE (payee_type, payee_id, currency, period)
    )`,
    `CREATE INDEX settlement_batches_created_idx ON ${S}.settlement_batches (created_at, id)`,
    `CREATE TABLE ${S}.settlement_lines (
      batch_id text NOT NULL REFERENCES ${S}.settlement_batches (id),
      conversion_id text NOT NULL REFERENCES ${S}.conversions (id),
      payee_type text NOT NULL,
      -- commission: the conversion's first line; adjustment: a later change (e.g. a clawback after payout)
      kind text NOT NULL CHECK (kind IN ('commission', 'adjustment')),
      amount_minor bigint NOT NULL,
      PRIMARY KEY (batch_id, conversion_id)
    )`,
    // A conversion's commission is in at most one batch per payee type.
    `CREATE UNIQUE INDEX settlement_lines_once_uq ON ${S}.settlement_lines (conversion_id, payee_type) WHERE kind = 'commission'`,
  ],
  [
    `DROP TABLE IF EXISTS ${S}.settlement_lines`,
    `DROP TABLE IF EXISTS ${S}.settlement_batches`,
    `DROP TABLE IF EXISTS ${S}.settlement_runs`,
    `DROP TABLE IF EXISTS ${S}.psp_events_applied`,
    `DROP TABLE IF EXISTS ${S}.ledger_entries`,
    `DROP TABLE IF EXISTS ${S}.ledger_accounts`,
    `DROP TABLE IF EXISTS ${S}.ledger_transactions`,
    `DROP FUNCTION IF EXISTS ${S}.check_ledger_transaction()`,
    `DROP FUNCTION IF EXISTS ${S}.refuse_ledger_change()`,
    `DROP TABLE IF EXISTS ${S}.conversion_milestones`,
    `DROP SEQUENCE IF EXISTS ${S}.conversion_event_seq`,
    `DROP INDEX IF EXISTS ${S}.conversions_merchant_order_uq`,
    `DROP INDEX IF EXISTS ${S}.conversions_created_idx`,
    `DROP INDEX IF EXISTS ${S}.conversions_live_idx`,
    `DROP INDEX IF EXISTS ${S}.conversions_builder_idx`,
    `ALTER TABLE ${S}.conversions
      DROP COLUMN recommendation_id, DROP COLUMN session_id, DROP COLUMN offer_id, DROP COLUMN payment_intent_id,
      DROP COLUMN payment_key, DROP COLUMN commission_type, DROP COLUMN cpa_minor, DROP COLUMN percentage_bps,
      DROP COLUMN commission_minor, DROP COLUMN network_fee_minor, DROP COLUMN builder_payout_minor,
      DROP COLUMN unclaimed_minor, DROP COLUMN forfeited_minor, DROP COLUMN builder_id, DROP COLUMN commission_posted,
      DROP COLUMN refunded_minor, DROP COLUMN flow_type, DROP COLUMN flow_steps, DROP COLUMN payable_after,
      DROP COLUMN payable_since, DROP COLUMN status_before_dispute, DROP COLUMN review_reason, DROP COLUMN reviewed_at,
      DROP COLUMN builder_settled_minor, DROP COLUMN merchant_settled_minor, DROP COLUMN paid_at`,
  ],
);
