// The audit log (issue 19, seed 003 §17): every state change and configuration change of every
// package, with who made it, as each package wrote it to its outbox in the change's transaction
// (`audit.*`, shared/src/contracts/audit.contract.ts) and the audit intake kept it. Append-only (a
// trigger refuses UPDATE, DELETE and TRUNCATE); unique per (source schema, outbox row), so a
// re-added job writes nothing twice. The id sorts by time, then source, then the source's order
// ("C" collation): keyset pages follow it. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantAuditLog1795500400000 = sqlMigration(
  'MerchantAuditLog1795500400000',
  [
    `CREATE TABLE "${SCHEMA}".audit_log (
      id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^aud_[0-9A-Z]{10}_[a-z][a-z_]{0,30}_[0-9]{19}$'),
      source text NOT NULL,
      source_event_id bigint NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      merchant_id text NULL,
      action text NOT NULL,
      actor_kind text NOT NULL,
      actor_id text NOT NULL,
      request_id text NULL,
      at timestamptz NOT NULL,
      before jsonb NULL,
      after jsonb NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source, source_event_id)
    )`,
    `CREATE INDEX audit_log_merchant_idx ON "${SCHEMA}".audit_log (merchant_id, id)`,
    `CREATE INDEX audit_log_entity_idx ON "${SCHEMA}".audit_log (entity_type, entity_id, id)`,
    `CREATE INDEX audit_log_actor_idx ON "${SCHEMA}".audit_log (actor_kind, actor_id, id)`,
    `CREATE FUNCTION "${SCHEMA}".audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'merchant.audit_log is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation'; END $$`,
    `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON "${SCHEMA}".audit_log
      FOR EACH ROW EXECUTE FUNCTION "${SCHEMA}".audit_log_append_only()`,
    `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "${SCHEMA}".audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION "${SCHEMA}".audit_log_append_only()`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".audit_log`, `DROP FUNCTION IF EXISTS "${SCHEMA}".audit_log_append_only()`],
);
