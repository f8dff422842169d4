// The payments list (issue 23: paymentIntents(filter:)): the buyer's email kept on the intent
// (receipt_email, as Stripe's PaymentIntent; lowercase, passed by checkout-session when it creates
// the intent and when the session commits to paying), and the indexes its filters use. Every
// filter is within a merchant (ADMIN may list all): the existing (merchant_id, created_at, id)
// index serves the date range and the keyset order; email and status each get theirs; amount is a
// range filter within what those narrow. An admin's list across merchants orders by (created_at, id).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const PaymentIntentList1795950100000 = sqlMigration(
  'PaymentIntentList1795950100000',
  [
    `ALTER TABLE "${SCHEMA}".payment_intents ADD COLUMN receipt_email text`,
    `ALTER TABLE "${SCHEMA}".payment_intents ADD CONSTRAINT payment_intents_receipt_email_lower CHECK (receipt_email IS NULL OR receipt_email = lower(receipt_email))`,
    `CREATE INDEX payment_intents_merchant_email_idx ON "${SCHEMA}".payment_intents (merchant_id, receipt_email, created_at, id) WHERE receipt_email IS NOT NULL`,
    `CREATE INDEX payment_intents_merchant_status_idx ON "${SCHEMA}".payment_intents (merchant_id, status, created_at, id)`,
    `CREATE INDEX payment_intents_created_idx ON "${SCHEMA}".payment_intents (created_at, id)`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_created_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_merchant_status_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_merchant_email_idx`,
    `ALTER TABLE "${SCHEMA}".payment_intents DROP CONSTRAINT IF EXISTS payment_intents_receipt_email_lower`,
    `ALTER TABLE "${SCHEMA}".payment_intents DROP COLUMN IF EXISTS receipt_email`,
  ],
);
