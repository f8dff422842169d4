// Inventory joins the concerns a merchant chooses a provider for (issue 20 item 1): Handoff's
// built-in stock, or the merchant's own endpoint (checkout-session's reservation/). A migration
// is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantInventoryProvider1795601000000 = sqlMigration(
  'MerchantInventoryProvider1795601000000',
  [
    `ALTER TABLE "${SCHEMA}".pricing_providers DROP CONSTRAINT pricing_providers_concern_check`,
    `ALTER TABLE "${SCHEMA}".pricing_providers ADD CONSTRAINT pricing_providers_concern_check CHECK (concern IN ('TAX', 'SHIPPING', 'PROMOTIONS', 'INVENTORY'))`,
  ],
  [
    `DELETE FROM "${SCHEMA}".pricing_providers WHERE concern = 'INVENTORY'`,
    `ALTER TABLE "${SCHEMA}".pricing_providers DROP CONSTRAINT pricing_providers_concern_check`,
    `ALTER TABLE "${SCHEMA}".pricing_providers ADD CONSTRAINT pricing_providers_concern_check CHECK (concern IN ('TAX', 'SHIPPING', 'PROMOTIONS'))`,
  ],
);
