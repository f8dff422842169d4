// A Stripe connector's publishable key (pk_test_…, pk_live_…): the hosted page loads Stripe.js
// with it, so the buyer's card goes to Stripe and never through Handoff (issue 20 item 6). Public
// by design, so kept in clear. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantStripePublishableKey1795600900000 = sqlMigration(
  'MerchantStripePublishableKey1795600900000',
  [`ALTER TABLE "${SCHEMA}".payment_connectors ADD COLUMN publishable_key text NULL CHECK (publishable_key IS NULL OR publishable_key ~ '^pk_(test|live)_[A-Za-z0-9]{10,247}$')`],
  [`ALTER TABLE "${SCHEMA}".payment_connectors DROP COLUMN IF EXISTS publishable_key`],
);
