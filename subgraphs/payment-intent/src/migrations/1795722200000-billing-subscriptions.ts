// Recurring billing (issue 22; docs/recurring.md): billing subscriptions, their items (the
// recurring lines of the checkout that started them) and their invoices (one per paid period,
// unique per subscription and period: never two charges for one period). A payment intent that
// pays a period names it (billing_subscription_id, billing_period); billing_plan is what its
// checkout committed to, kept until the payment succeeds and the subscription is created from it.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const BillingSubscriptions1795722200000 = sqlMigration(
  'BillingSubscriptions1795722200000',
  [
    `CREATE TABLE "${SCHEMA}".billing_subscriptions (
       id text PRIMARY KEY,
       merchant_id text NOT NULL,
       checkout_session_id text NOT NULL,
       status text NOT NULL CHECK (status IN ('TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED', 'UNPAID', 'INCOMPLETE')),
       currency char(3) NOT NULL,
       interval text NOT NULL CHECK (interval IN ('DAY', 'WEEK', 'MONTH', 'YEAR')),
       interval_count integer NOT NULL CHECK (interval_count BETWEEN 1 AND 365),
       trial_days integer NOT NULL CHECK (trial_days BETWEEN 0 AND 365),
       provider text NOT NULL,
       payment_method_id text NULL,
       payment_method_brand text NULL,
       payment_method_last4 text NULL,
       checkout_payment_intent_id text NULL,
       billing_cycle_anchor timestamptz NULL,
       current_period integer NOT NULL DEFAULT 0 CHECK (current_period >= 0),
       current_period_start timestamptz NULL,
       current_period_end timestamptz NULL,
       trial_start timestamptz NULL,
       trial_end timestamptz NULL,
       next_renewal_at timestamptz NULL,
       cancel_at_period_end boolean NOT NULL DEFAULT false,
       canceled_at timestamptz NULL,
       metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
       version integer NOT NULL DEFAULT 1,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE UNIQUE INDEX billing_subscriptions_checkout_session_uq ON "${SCHEMA}".billing_subscriptions (checkout_session_id)`,
    `CREATE INDEX billing_subscriptions_merchant_idx ON "${SCHEMA}".billing_subscriptions (merchant_id, id)`,
    // The renewal scheduler's scan: what is due, soonest first.
    `CREATE INDEX billing_subscriptions_due_idx ON "${SCHEMA}".billing_subscriptions (next_renewal_at)
       WHERE next_renewal_at IS NOT NULL AND status IN ('TRIALING', 'ACTIVE', 'PAST_DUE')`,
    `CREATE TABLE "${SCHEMA}".billing_subscription_items (
       subscription_id text NOT NULL REFERENCES "${SCHEMA}".billing_subscriptions (id),
       position integer NOT NULL CHECK (position >= 0),
       name text NOT NULL,
       offer_id text NULL,
       unit_amount_minor bigint NOT NULL CHECK (unit_amount_minor > 0),
       quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
       PRIMARY KEY (subscription_id, position)
     )`,
    `CREATE TABLE "${SCHEMA}".billing_invoices (
       id text PRIMARY KEY,
       subscription_id text NOT NULL REFERENCES "${SCHEMA}".billing_subscriptions (id),
       merchant_id text NOT NULL,
       period integer NOT NULL CHECK (period >= 1),
       status text NOT NULL CHECK (status IN ('DRAFT', 'OPEN', 'PAID', 'VOID', 'UNCOLLECTIBLE')),
       amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
       currency char(3) NOT NULL,
       period_start timestamptz NOT NULL,
       period_end timestamptz NOT NULL CHECK (period_end > period_start),
       payment_intent_id text NULL,
       attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
       next_attempt_at timestamptz NULL,
       paid_at timestamptz NULL,
       version integer NOT NULL DEFAULT 1,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now(),
       UNIQUE (subscription_id, period)
     )`,
    `ALTER TABLE "${SCHEMA}".payment_intents
       ADD COLUMN billing_subscription_id text NULL,
       ADD COLUMN billing_period integer NULL CHECK (billing_period IS NULL OR billing_period >= 1),
       ADD COLUMN billing_plan jsonb NULL`,
    // One intent per period of a subscription that is not canceled.
    `CREATE UNIQUE INDEX payment_intents_billing_period_live_uq ON "${SCHEMA}".payment_intents (billing_subscription_id, billing_period)
       WHERE billing_subscription_id IS NOT NULL AND status <> 'CANCELED'`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_billing_period_live_uq`,
    `ALTER TABLE "${SCHEMA}".payment_intents DROP COLUMN billing_plan, DROP COLUMN billing_period, DROP COLUMN billing_subscription_id`,
    `DROP TABLE "${SCHEMA}".billing_invoices`,
    `DROP TABLE "${SCHEMA}".billing_subscription_items`,
    `DROP TABLE "${SCHEMA}".billing_subscriptions`,
  ],
);
