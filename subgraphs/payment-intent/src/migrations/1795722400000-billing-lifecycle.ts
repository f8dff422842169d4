// Billing subscription lifecycle (issue 22 item 2; docs/recurring.md "Lifecycle"): the PAUSED
// status (a paused subscription is not renewed: the due index and the renewal scan cover
// TRIALING, ACTIVE and PAST_DUE only), and invoice lines: what an invoice is made of (the
// subscription's items for the period, proration lines of a price or quantity change). A line
// with no invoice yet is pending: the next renewal's invoice takes it (and its amount).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const BillingLifecycle1795722400000 = sqlMigration(
  'BillingLifecycle1795722400000',
  [
    `ALTER TABLE "${SCHEMA}".billing_subscriptions DROP CONSTRAINT billing_subscriptions_status_check`,
    `ALTER TABLE "${SCHEMA}".billing_subscriptions ADD CONSTRAINT billing_subscriptions_status_check
       CHECK (status IN ('TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED', 'UNPAID', 'INCOMPLETE', 'PAUSED'))`,
    `CREATE TABLE "${SCHEMA}".billing_invoice_lines (
       id text PRIMARY KEY,
       subscription_id text NOT NULL REFERENCES "${SCHEMA}".billing_subscriptions(id),
       merchant_id text NOT NULL,
       invoice_id text NULL REFERENCES "${SCHEMA}".billing_invoices(id),
       kind text NOT NULL CHECK (kind IN ('SUBSCRIPTION', 'PRORATION', 'CREDIT_CARRIED')),
       description text NOT NULL,
       item_position integer NULL,
       quantity integer NULL CHECK (quantity IS NULL OR quantity >= 1),
       unit_amount_minor bigint NULL,
       amount_minor bigint NOT NULL,
       currency char(3) NOT NULL,
       period_start timestamptz NULL,
       period_end timestamptz NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX billing_invoice_lines_invoice_idx ON "${SCHEMA}".billing_invoice_lines (invoice_id, created_at, id) WHERE invoice_id IS NOT NULL`,
    `CREATE INDEX billing_invoice_lines_pending_idx ON "${SCHEMA}".billing_invoice_lines (subscription_id, created_at, id) WHERE invoice_id IS NULL`,
  ],
  [
    `DROP TABLE "${SCHEMA}".billing_invoice_lines`,
    `ALTER TABLE "${SCHEMA}".billing_subscriptions DROP CONSTRAINT billing_subscriptions_status_check`,
    `ALTER TABLE "${SCHEMA}".billing_subscriptions ADD CONSTRAINT billing_subscriptions_status_check
       CHECK (status IN ('TRIALING', 'ACTIVE', 'PAST_DUE', 'CANCELED', 'UNPAID', 'INCOMPLETE'))`,
  ],
);
