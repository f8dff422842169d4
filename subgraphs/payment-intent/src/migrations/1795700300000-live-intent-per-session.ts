// One live payment intent per checkout session (issue 20): after a canceled intent the session is
// paid by a successor (payment-intent/checkout-renewal.ts); at most one of a session's intents is
// not CANCELED at a time. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const LiveIntentPerSession1795700300000 = sqlMigration(
  'LiveIntentPerSession1795700300000',
  [
    // Was: every intent of a session unique (one intent per session, ever).
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_checkout_session_uq`,
    `CREATE UNIQUE INDEX payment_intents_live_per_session_uq ON "${SCHEMA}".payment_intents (checkout_session_id)
      WHERE checkout_session_id IS NOT NULL AND status <> 'CANCELED'`,
    // A session's intents, newest first (CheckoutSession.paymentIntent, the renewal's look-up).
    `CREATE INDEX payment_intents_session_created_idx ON "${SCHEMA}".payment_intents (checkout_session_id, created_at) WHERE checkout_session_id IS NOT NULL`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_session_created_idx`,
    `DROP INDEX IF EXISTS "${SCHEMA}".payment_intents_live_per_session_uq`,
    `CREATE UNIQUE INDEX payment_intents_checkout_session_uq ON "${SCHEMA}".payment_intents (checkout_session_id) WHERE checkout_session_id IS NOT NULL`,
  ],
);
