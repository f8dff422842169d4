// Commission terms get a recurring rule (issue 22 item 5): which paid periods of a subscription
// earn commission. FIRST_PAYMENT_ONLY for every existing merchant (what they earned before);
// EVERY_RENEWAL names `periods`, MILESTONE names `paid_period`, each 1..1000 (the CHECKs mirror
// recurring-commission.ts). A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantRecurringCommission1795800100000 = sqlMigration(
  'MerchantRecurringCommission1795800100000',
  [
    `ALTER TABLE "${SCHEMA}".merchants
       ADD COLUMN commission_recurring_rule text NOT NULL DEFAULT 'FIRST_PAYMENT_ONLY'
         CHECK (commission_recurring_rule IN ('FIRST_PAYMENT_ONLY', 'EVERY_RENEWAL', 'MILESTONE')),
       ADD COLUMN commission_recurring_periods int NULL CHECK (commission_recurring_periods BETWEEN 1 AND 1000),
       ADD COLUMN commission_recurring_paid_period int NULL CHECK (commission_recurring_paid_period BETWEEN 1 AND 1000),
       ADD CONSTRAINT merchants_commission_recurring_shape CHECK (
         (commission_recurring_periods IS NOT NULL) = (commission_recurring_rule = 'EVERY_RENEWAL')
         AND (commission_recurring_paid_period IS NOT NULL) = (commission_recurring_rule = 'MILESTONE'))`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".merchants DROP CONSTRAINT IF EXISTS merchants_commission_recurring_shape,
       DROP COLUMN IF EXISTS commission_recurring_paid_period, DROP COLUMN IF EXISTS commission_recurring_periods,
       DROP COLUMN IF EXISTS commission_recurring_rule`,
  ],
);
