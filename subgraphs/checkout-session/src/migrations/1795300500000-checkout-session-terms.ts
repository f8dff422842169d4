// Seed 003's session terms (issue 18, part B2): who the session is for (owner), where it came
// from (channel, cart), how its payment is captured and whether a billing address is required,
// and the payment commitment: the calculation the session committed to paying (the amount its
// payment intent was bound to, with the promotion uses taken). One row per checkout session; a
// session without a row has the defaults (AUTOMATIC capture, no billing address required, no
// owner, not committed). A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutSessionTerms1795300500000 = sqlMigration(
  'CheckoutSessionTerms1795300500000',
  [
    `CREATE TABLE "${SCHEMA}".checkout_session_terms (
      checkout_session_id text PRIMARY KEY REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      owner_type text NULL CHECK (owner_type IN ('USER', 'GUEST')),
      owner_id text NULL CHECK (owner_id IS NULL OR length(owner_id) BETWEEN 1 AND 200),
      channel text NULL CHECK (channel IS NULL OR length(channel) BETWEEN 1 AND 40),
      cart_id text NULL CHECK (cart_id IS NULL OR length(cart_id) BETWEEN 1 AND 200),
      capture_mode text NOT NULL DEFAULT 'AUTOMATIC' CHECK (capture_mode IN ('AUTOMATIC', 'MANUAL')),
      require_billing_address boolean NOT NULL DEFAULT false,
      payment_calculation_id text NULL,
      payment_amount_minor bigint NULL CHECK (payment_amount_minor IS NULL OR payment_amount_minor > 0),
      payment_committed_at timestamptz NULL,
      CHECK ((owner_type IS NULL) = (owner_id IS NULL) OR owner_type = 'GUEST')
    )`,
    `CREATE INDEX checkout_session_terms_cart_idx ON "${SCHEMA}".checkout_session_terms (cart_id) WHERE cart_id IS NOT NULL`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".checkout_session_terms`],
);
