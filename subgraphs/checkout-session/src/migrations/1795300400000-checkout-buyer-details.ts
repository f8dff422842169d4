// What the buyer fills in on a checkout session (issue 18, part B1): the customer, the shipping
// and billing addresses (each with its validation), the shipping selection (an option or a pickup
// location), the shipment plan, the promotion codes applied, and the current calculation with a
// flag saying whether the session changed since. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutBuyerDetails1795300400000 = sqlMigration(
  'CheckoutBuyerDetails1795300400000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_sessions
       ADD COLUMN customer_phone text NULL,
       ADD COLUMN customer_id text NULL,
       ADD COLUMN customer_save_for_later boolean NOT NULL DEFAULT false,
       ADD COLUMN shipping_address jsonb NULL,
       ADD COLUMN billing_address jsonb NULL,
       ADD COLUMN selected_shipping jsonb NULL,
       ADD COLUMN shipment_plan text NULL CHECK (shipment_plan IN ('SPLIT', 'SINGLE')),
       ADD COLUMN promotion_codes jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(promotion_codes) = 'array'),
       ADD COLUMN calculation_id text NULL,
       ADD COLUMN calculation_stale boolean NOT NULL DEFAULT true`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".checkout_sessions
       DROP COLUMN IF EXISTS customer_phone,
       DROP COLUMN IF EXISTS customer_id,
       DROP COLUMN IF EXISTS customer_save_for_later,
       DROP COLUMN IF EXISTS shipping_address,
       DROP COLUMN IF EXISTS billing_address,
       DROP COLUMN IF EXISTS selected_shipping,
       DROP COLUMN IF EXISTS shipment_plan,
       DROP COLUMN IF EXISTS promotion_codes,
       DROP COLUMN IF EXISTS calculation_id,
       DROP COLUMN IF EXISTS calculation_stale`,
  ],
);
