// What Handoff last told Stripe Billing of a linked subscription's end (stripe-billing-link.ts
// pushStripeCancellations): 'canceled' (subscriptions.cancel) or 'cancel_at_period_end'
// (subscriptions.update). A canceled or ending subscription not yet told is found by the scan.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const StripeBillingPush1795722450000 = sqlMigration(
  'StripeBillingPush1795722450000',
  [
    `ALTER TABLE "${SCHEMA}".billing_subscriptions ADD COLUMN provider_told text
       CHECK (provider_told IS NULL OR provider_told IN ('canceled', 'cancel_at_period_end'))`,
    `CREATE INDEX billing_subscriptions_untold_idx ON "${SCHEMA}".billing_subscriptions (updated_at)
       WHERE provider_subscription_id IS NOT NULL AND (status = 'CANCELED' OR cancel_at_period_end)`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".billing_subscriptions_untold_idx`,
    `ALTER TABLE "${SCHEMA}".billing_subscriptions DROP COLUMN IF EXISTS provider_told`,
  ],
);
