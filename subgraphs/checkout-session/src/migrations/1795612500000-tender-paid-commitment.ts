// A checkout its gift cards and store credit pay in full (issue 20): its payment commitment is to
// charge 0 on a card (payment-commitment.ts), so the recorded amount may be 0. A migration is a
// snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const TenderPaidCommitment1795612500000 = sqlMigration(
  'TenderPaidCommitment1795612500000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_session_terms DROP CONSTRAINT IF EXISTS checkout_session_terms_payment_amount_minor_check`,
    `ALTER TABLE "${SCHEMA}".checkout_session_terms ADD CONSTRAINT checkout_session_terms_payment_amount_minor_check
       CHECK (payment_amount_minor IS NULL OR payment_amount_minor >= 0)`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".checkout_session_terms DROP CONSTRAINT IF EXISTS checkout_session_terms_payment_amount_minor_check`,
    `ALTER TABLE "${SCHEMA}".checkout_session_terms ADD CONSTRAINT checkout_session_terms_payment_amount_minor_check
       CHECK (payment_amount_minor IS NULL OR payment_amount_minor > 0) NOT VALID`,
  ],
);
