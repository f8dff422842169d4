// Recurring offers (issue 22): an offer may carry a recurring price { interval, intervalCount,
// trialDays } (shared recurring-price.contract.ts), taken by a checkout line of the offer that
// gives none of its own. Null: sold once.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantOfferRecurring1795722100000 = sqlMigration(
  'MerchantOfferRecurring1795722100000',
  [
    `ALTER TABLE "${SCHEMA}".offers ADD COLUMN recurring jsonb NULL CHECK (
       recurring IS NULL OR (jsonb_typeof(recurring) = 'object' AND recurring->>'interval' IN ('DAY', 'WEEK', 'MONTH', 'YEAR')))`,
  ],
  [`ALTER TABLE "${SCHEMA}".offers DROP COLUMN recurring`],
);
