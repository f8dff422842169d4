// Schema `ledger`, recurring commissions (issue 22 item 5). A conversion of a subscription's
// payment names the subscription and the period it paid (`subscription_id`, `billing_period`,
// both or neither). An AAP code's redemption identity includes the subscription period: a
// one-off payment redeems (code, -, -) as before; a subscription's period redeems
// (code, subscription, period), so each renewal that earns is not a replay, and the unique index
// still refuses the same period twice. That a code serves one subscription only, and never both a
// one-off payment and a subscription, is checked under a per-code advisory lock
// (redeemed-codes.ts). A period the merchant's rule pays nothing for records no conversion, only
// a row here (`uncommissioned_payments`) so its refund or dispute knows there is nothing to claw
// back. Both tables are append-only, like the books.
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';

export const RecurringCommissions1795800200000 = sqlMigration(
  'RecurringCommissions1795800200000',
  [
    `ALTER TABLE ${S}.conversions
       ADD COLUMN subscription_id text NULL,
       ADD COLUMN billing_period int NULL CHECK (billing_period >= 1),
       ADD CONSTRAINT conversions_billing_period_shape CHECK ((subscription_id IS NULL) = (billing_period IS NULL))`,
    `CREATE INDEX conversions_subscription_idx ON ${S}.conversions (subscription_id, billing_period) WHERE subscription_id IS NOT NULL`,
    `ALTER TABLE ${S}.redeemed_codes
       DROP CONSTRAINT redeemed_codes_pkey,
       ADD COLUMN subscription_id text NULL,
       ADD COLUMN period int NULL,
       ADD CONSTRAINT redeemed_codes_period_shape CHECK ((subscription_id IS NULL) = (period IS NULL) AND (period IS NULL OR period >= 1))`,
    `CREATE UNIQUE INDEX redeemed_codes_identity_uq ON ${S}.redeemed_codes (code_id, coalesce(subscription_id, ''), coalesce(period, 0))`,
    `CREATE TABLE ${S}.uncommissioned_payments (
      payment_key text PRIMARY KEY,
      merchant_id text NOT NULL,
      subscription_id text NOT NULL,
      billing_period int NOT NULL CHECK (billing_period >= 1),
      recurring_rule text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TRIGGER uncommissioned_payments_append_only BEFORE UPDATE OR DELETE ON ${S}.uncommissioned_payments
       FOR EACH ROW EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
  ],
  [
    `DROP TABLE IF EXISTS ${S}.uncommissioned_payments`,
    `DROP INDEX IF EXISTS ${S}.redeemed_codes_identity_uq`,
    `ALTER TABLE ${S}.redeemed_codes DROP CONSTRAINT IF EXISTS redeemed_codes_period_shape, DROP COLUMN IF EXISTS period, DROP COLUMN IF EXISTS subscription_id,
       ADD PRIMARY KEY (code_id)`,
    `DROP INDEX IF EXISTS ${S}.conversions_subscription_idx`,
    `ALTER TABLE ${S}.conversions DROP CONSTRAINT IF EXISTS conversions_billing_period_shape, DROP COLUMN IF EXISTS billing_period, DROP COLUMN IF EXISTS subscription_id`,
  ],
);
