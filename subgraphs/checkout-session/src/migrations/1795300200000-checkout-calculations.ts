// The calculation engine's tables (issue 18 part C). checkout.calculations holds every calculation
// snapshot, append-only (a trigger refuses UPDATE and DELETE), amounts as bigint minor units.
// checkout.promotion_usage counts each promotion's uses across sessions;
// checkout.promotion_redemptions records which session (and customer) took a use, at most one
// live use per promotion and session; a released use keeps its row with released_at set.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutCalculations1795300200000 = sqlMigration(
  'CheckoutCalculations1795300200000',
  [
    `CREATE TABLE "${SCHEMA}".calculations (
      id text PRIMARY KEY CHECK (id ~ '^calc_[0-9A-Z]{26}$'),
      checkout_session_id text NOT NULL,
      merchant_id text NOT NULL,
      fingerprint char(64) NOT NULL,
      currency char(3) NOT NULL,
      sub_total_minor bigint NOT NULL,
      discount_total_minor bigint NOT NULL,
      tax_total_minor bigint NOT NULL,
      included_tax_total_minor bigint NOT NULL,
      shipping_total_minor bigint NOT NULL,
      grand_total_minor bigint NOT NULL,
      input_summary jsonb NOT NULL,
      result jsonb NOT NULL,
      calculated_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (grand_total_minor = sub_total_minor - discount_total_minor + tax_total_minor + shipping_total_minor)
    )`,
    `CREATE INDEX calculations_session_idx ON "${SCHEMA}".calculations (checkout_session_id, created_at DESC, id DESC)`,
    `CREATE FUNCTION "${SCHEMA}".calculations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'checkout.calculations is append-only' USING ERRCODE = 'restrict_violation'; END $$`,
    `CREATE TRIGGER calculations_append_only BEFORE UPDATE OR DELETE ON "${SCHEMA}".calculations
      FOR EACH ROW EXECUTE FUNCTION "${SCHEMA}".calculations_append_only()`,
    `CREATE TABLE "${SCHEMA}".promotion_usage (
      promotion_id text PRIMARY KEY,
      used integer NOT NULL DEFAULT 0 CHECK (used >= 0),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE "${SCHEMA}".promotion_redemptions (
      promotion_id text NOT NULL,
      checkout_session_id text NOT NULL,
      customer_key text,
      calculation_id text NOT NULL,
      redeemed_at timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz
    )`,
    `CREATE UNIQUE INDEX promotion_redemptions_live_uq ON "${SCHEMA}".promotion_redemptions (promotion_id, checkout_session_id) WHERE released_at IS NULL`,
    `CREATE INDEX promotion_redemptions_customer_idx ON "${SCHEMA}".promotion_redemptions (promotion_id, customer_key) WHERE released_at IS NULL AND customer_key IS NOT NULL`,
    `CREATE INDEX promotion_redemptions_session_idx ON "${SCHEMA}".promotion_redemptions (checkout_session_id) WHERE released_at IS NULL`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".promotion_redemptions`,
    `DROP TABLE IF EXISTS "${SCHEMA}".promotion_usage`,
    `DROP TABLE IF EXISTS "${SCHEMA}".calculations`,
    `DROP FUNCTION IF EXISTS "${SCHEMA}".calculations_append_only()`,
  ],
);
