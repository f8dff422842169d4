// Schema `ledger`, BI facts (issue 24 item 7, docs/bi.md). One append-only row per fact of the
// funnel (agent session, recommendation, checkout, payment, refund, verified conversion, payout),
// written once per fact (`fact_key` unique) by the ledger's BI workers from the events other
// packages already write (shared/src/contracts/bi-facts.contract.ts) and from its own
// `conversion.updated` rows. `txid` is the writing transaction's id: the export's cursor is
// (txid, id) and it only hands out rows of transactions older than every transaction still
// running (pg_snapshot_xmin), so a row committed late by a transaction that started early is
// never skipped (bi-facts.export.ts). `bi_fact_projection` keeps how far the conversion
// projection has read the outbox (its commit-ordered cursor).
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';

export const BiFacts1795900100000 = sqlMigration(
  'BiFacts1795900100000',
  [
    `CREATE TABLE ${S}.bi_facts (
      id bigserial PRIMARY KEY,
      txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
      kind text NOT NULL CHECK (kind IN ('AGENT_SESSION', 'RECOMMENDATION', 'CHECKOUT', 'PAYMENT', 'REFUND', 'CONVERSION', 'PAYOUT')),
      fact_key text NOT NULL UNIQUE,
      subject_id text NOT NULL,
      occurred_at timestamptz NOT NULL,
      merchant_id text NULL,
      agent_id text NULL,
      offer_id text NULL,
      agent_session_id text NULL,
      channel text NOT NULL CHECK (channel IN ('AGENT', 'DIRECT')),
      currency char(3) NULL,
      amount_minor bigint NULL,
      source text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CHECK (amount_minor IS NULL OR currency IS NOT NULL)
    )`,
    `CREATE INDEX bi_facts_time_idx ON ${S}.bi_facts (occurred_at)`,
    `CREATE INDEX bi_facts_merchant_time_idx ON ${S}.bi_facts (merchant_id, occurred_at)`,
    `CREATE INDEX bi_facts_export_idx ON ${S}.bi_facts (txid, id)`,
    `CREATE INDEX bi_facts_subject_idx ON ${S}.bi_facts (subject_id) WHERE kind = 'REFUND'`,
    `CREATE TRIGGER bi_facts_append_only BEFORE UPDATE OR DELETE ON ${S}.bi_facts
       FOR EACH ROW EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
    `CREATE TABLE ${S}.bi_fact_projection (name text PRIMARY KEY, position bigint NOT NULL CHECK (position >= 0))`,
    `INSERT INTO ${S}.bi_fact_projection (name, position) VALUES ('conversion.updated', 0)`,
  ],
  [`DROP TABLE IF EXISTS ${S}.bi_fact_projection`, `DROP TABLE IF EXISTS ${S}.bi_facts`],
);
