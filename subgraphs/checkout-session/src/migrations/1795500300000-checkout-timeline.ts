// A checkout session's timeline (issue 19, seed 003 §16): one row per thing that happened to it,
// append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). checkout-session writes its own
// entries (source 'checkout', numbered by timeline_own_seq) in the transaction of each change;
// other packages' entries come through the `timeline.*` queue and are unique per (source schema,
// outbox row), so a re-added job writes nothing twice. The id sorts by time, then source, then
// the source's own order (timeline.ids.ts), in the "C" collation: keyset pages follow it.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutTimeline1795500300000 = sqlMigration(
  'CheckoutTimeline1795500300000',
  [
    `CREATE SEQUENCE "${SCHEMA}".timeline_own_seq`,
    `CREATE TABLE "${SCHEMA}".timeline_entries (
      id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^tle_[0-9A-Z]{10}_[a-z][a-z_]{0,30}_[0-9]{19}$'),
      checkout_session_id text NOT NULL,
      merchant_id text NOT NULL,
      kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,30}\\.[a-z][a-z_]{0,40}$'),
      at timestamptz NOT NULL,
      summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
      actor_kind text NULL,
      actor_id text NULL,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      source text NOT NULL,
      source_event_id bigint NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((actor_kind IS NULL) = (actor_id IS NULL)),
      UNIQUE (source, source_event_id)
    )`,
    `CREATE INDEX timeline_entries_session_idx ON "${SCHEMA}".timeline_entries (checkout_session_id, id)`,
    `CREATE FUNCTION "${SCHEMA}".timeline_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'checkout.timeline_entries is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation'; END $$`,
    `CREATE TRIGGER timeline_entries_append_only BEFORE UPDATE OR DELETE ON "${SCHEMA}".timeline_entries
      FOR EACH ROW EXECUTE FUNCTION "${SCHEMA}".timeline_entries_append_only()`,
    `CREATE TRIGGER timeline_entries_no_truncate BEFORE TRUNCATE ON "${SCHEMA}".timeline_entries
      FOR EACH STATEMENT EXECUTE FUNCTION "${SCHEMA}".timeline_entries_append_only()`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".timeline_entries`,
    `DROP FUNCTION IF EXISTS "${SCHEMA}".timeline_entries_append_only()`,
    `DROP SEQUENCE IF EXISTS "${SCHEMA}".timeline_own_seq`,
  ],
);
