// Inventory reservations (issue 20 item 1, seed 003 §5 and §14): the built-in inventory
// provider's stock (per offer and fulfilment location: on hand, and how much of it is held),
// reservations (one active per session; what each line asked and got, from which locations) and
// the session's pointer to its reservation, which its lifecycle status reads (RESERVED while held).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const InventoryReservations1795500920000 = sqlMigration(
  'InventoryReservations1795500920000',
  [
    `CREATE TABLE "${SCHEMA}".stock_levels (
      merchant_id text NOT NULL,
      offer_id text NOT NULL,
      location_id text NOT NULL,
      on_hand integer NOT NULL CHECK (on_hand >= 0),
      reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (merchant_id, offer_id, location_id)
    )`,
    `CREATE TABLE "${SCHEMA}".inventory_reservations (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      state text NOT NULL CHECK (state IN ('active', 'released', 'expired', 'converted')),
      partial boolean NOT NULL,
      allocation_strategy text NOT NULL CHECK (allocation_strategy IN ('best_fit', 'all_or_nothing', 'single_location')),
      provider text NOT NULL CHECK (provider IN ('BUILT_IN', 'HTTP')),
      lines jsonb NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz NULL,
      end_reason text NULL CHECK (length(end_reason) <= 200),
      CHECK ((state = 'active') = (ended_at IS NULL))
    )`,
    `CREATE UNIQUE INDEX inventory_reservations_one_active_idx ON "${SCHEMA}".inventory_reservations (checkout_session_id) WHERE state = 'active'`,
    `CREATE INDEX inventory_reservations_session_idx ON "${SCHEMA}".inventory_reservations (checkout_session_id, created_at)`,
    `CREATE INDEX inventory_reservations_due_idx ON "${SCHEMA}".inventory_reservations (expires_at) WHERE state = 'active'`,
    `ALTER TABLE "${SCHEMA}".checkout_sessions ADD COLUMN reservation_id text NULL, ADD COLUMN reservation_held_until timestamptz NULL`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".checkout_sessions DROP COLUMN reservation_held_until, DROP COLUMN reservation_id`,
    `DROP TABLE "${SCHEMA}".inventory_reservations`,
    `DROP TABLE "${SCHEMA}".stock_levels`,
  ],
);
