// The merchant's payment API (issue 20 item 2): the capture mode a merchant chose for an intent
// stands over its checkout session's (capture_mode_pinned), and the payment method types the
// intent accepts. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const PaymentApi1795600100000 = sqlMigration(
  'PaymentApi1795600100000',
  [
    `ALTER TABLE "${SCHEMA}".payment_intents ADD COLUMN capture_mode_pinned boolean NOT NULL DEFAULT false`,
    `ALTER TABLE "${SCHEMA}".payment_intents ADD COLUMN payment_method_types text[] NOT NULL DEFAULT '{card}'`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".payment_intents DROP COLUMN IF EXISTS payment_method_types`,
    `ALTER TABLE "${SCHEMA}".payment_intents DROP COLUMN IF EXISTS capture_mode_pinned`,
  ],
);
