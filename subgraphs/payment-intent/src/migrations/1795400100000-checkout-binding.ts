// An intent whose checkout session binds its amount (issue 18, part B2): before such an intent is
// confirmed, payment-intent asks checkout-session what it must charge (beginCheckoutPayment) and
// updates the intent's amount first when the session's calculation changed. Intents created
// before (or by callers that do not ask for it) keep their amount. A migration is a snapshot: it
// names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const CheckoutBinding1795400100000 = sqlMigration(
  'CheckoutBinding1795400100000',
  [`ALTER TABLE "${SCHEMA}".payment_intents ADD COLUMN checkout_binding boolean NOT NULL DEFAULT false`],
  [`ALTER TABLE "${SCHEMA}".payment_intents DROP COLUMN IF EXISTS checkout_binding`],
);
