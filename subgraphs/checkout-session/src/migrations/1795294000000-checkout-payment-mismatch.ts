// A payment that succeeded with an amount or currency other than the session's total does not
// complete the session: it is recorded here for someone to look at. A migration is a snapshot:
// it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutPaymentMismatch1795294000000 = sqlMigration(
  'CheckoutPaymentMismatch1795294000000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_sessions ADD COLUMN payment_mismatch jsonb NULL`,
    `CREATE INDEX checkout_sessions_payment_mismatch_idx ON "${SCHEMA}".checkout_sessions (merchant_id, id) WHERE payment_mismatch IS NOT NULL`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".checkout_sessions_payment_mismatch_idx`,
    `ALTER TABLE "${SCHEMA}".checkout_sessions DROP COLUMN IF EXISTS payment_mismatch`,
  ],
);
