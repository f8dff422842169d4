// Stripe Billing's objects behind a STRIPE subscription (issue 22; docs/recurring.md "Stripe
// Billing"): the Stripe Customer its card is attached to, the Stripe Subscription that renews it,
// the Stripe invoice behind each Handoff invoice (unique: one Stripe invoice is one Handoff
// invoice, itself unique per (subscription, period)), and the creation time of the newest Stripe
// event applied (a stale customer.subscription.updated is ignored).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const StripeBilling1795722350000 = sqlMigration(
  'StripeBilling1795722350000',
  [
    `ALTER TABLE "${SCHEMA}".billing_subscriptions
       ADD COLUMN provider_customer_id text,
       ADD COLUMN provider_subscription_id text,
       ADD COLUMN provider_synced_at timestamptz`,
    `CREATE UNIQUE INDEX billing_subscriptions_provider_sub_uq ON "${SCHEMA}".billing_subscriptions (provider, provider_subscription_id) WHERE provider_subscription_id IS NOT NULL`,
    // The link scan: STRIPE subscriptions with a Customer and no Stripe Subscription yet.
    `CREATE INDEX billing_subscriptions_unlinked_idx ON "${SCHEMA}".billing_subscriptions (created_at)
       WHERE provider_customer_id IS NOT NULL AND provider_subscription_id IS NULL`,
    `ALTER TABLE "${SCHEMA}".billing_invoices ADD COLUMN provider_invoice_id text`,
    `CREATE UNIQUE INDEX billing_invoices_provider_invoice_uq ON "${SCHEMA}".billing_invoices (provider_invoice_id) WHERE provider_invoice_id IS NOT NULL`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".billing_invoices_provider_invoice_uq`,
    `ALTER TABLE "${SCHEMA}".billing_invoices DROP COLUMN IF EXISTS provider_invoice_id`,
    `DROP INDEX IF EXISTS "${SCHEMA}".billing_subscriptions_unlinked_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".billing_subscriptions_provider_sub_uq`,
    `ALTER TABLE "${SCHEMA}".billing_subscriptions DROP COLUMN IF EXISTS provider_synced_at, DROP COLUMN IF EXISTS provider_subscription_id, DROP COLUMN IF EXISTS provider_customer_id`,
  ],
);
