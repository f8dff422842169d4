// Recurring prices on checkout lines (issue 22): a line of a SUBSCRIPTION session may bill every
// `recurring_interval_count` `recurring_interval`s, after `recurring_trial_days` days of trial.
// All three are null on a one-time line, all three set on a recurring one.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const RecurringLines1795722000000 = sqlMigration(
  'RecurringLines1795722000000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_line_items
       ADD COLUMN recurring_interval text NULL CHECK (recurring_interval IN ('DAY', 'WEEK', 'MONTH', 'YEAR')),
       ADD COLUMN recurring_interval_count integer NULL CHECK (recurring_interval_count BETWEEN 1 AND 365),
       ADD COLUMN recurring_trial_days integer NULL CHECK (recurring_trial_days BETWEEN 0 AND 365),
       ADD CONSTRAINT checkout_line_items_recurring_whole CHECK (
         (recurring_interval IS NULL) = (recurring_interval_count IS NULL) AND (recurring_interval IS NULL) = (recurring_trial_days IS NULL))`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".checkout_line_items DROP CONSTRAINT checkout_line_items_recurring_whole,
       DROP COLUMN recurring_interval, DROP COLUMN recurring_interval_count, DROP COLUMN recurring_trial_days`,
  ],
);
