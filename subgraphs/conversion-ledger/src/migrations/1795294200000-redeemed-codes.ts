// Schema `ledger`, fourth step: an attribution (AAP) code pays at most once, ever. A verified
// conversion redeems its code (by identity: a hash of what the code's signature covers) in the
// conversion's own transaction; the primary key refuses a second redemption, however the two
// payments arrived, and the table is append-only like the books. The conversion keeps its code's identity, so approving a flagged one
// redeems it too (or is refused). Flagged conversions hold no commission until approved: the
// ones recorded before this step are set to zero, as their books already are.
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';

export const RedeemedCodes1795294200000 = sqlMigration(
  'RedeemedCodes1795294200000',
  [
    `ALTER TABLE ${S}.conversions ADD COLUMN aap_code_id text NULL`,
    `CREATE TABLE ${S}.redeemed_codes (
      code_id text PRIMARY KEY,
      conversion_id text NOT NULL REFERENCES ${S}.conversions (id),
      redeemed_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TRIGGER redeemed_codes_append_only BEFORE UPDATE OR DELETE ON ${S}.redeemed_codes
       FOR EACH ROW EXECUTE FUNCTION ${S}.refuse_ledger_change()`,
    `UPDATE ${S}.conversions SET commission_minor = 0, network_fee_minor = 0, builder_payout_minor = 0, unclaimed_minor = 0, forfeited_minor = 0
      WHERE NOT commission_posted AND verification LIKE 'flagged:%'`,
  ],
  [`DROP TABLE IF EXISTS ${S}.redeemed_codes`, `ALTER TABLE ${S}.conversions DROP COLUMN IF EXISTS aap_code_id`],
);
