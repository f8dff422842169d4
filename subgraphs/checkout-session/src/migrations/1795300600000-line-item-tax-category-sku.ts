// A checkout line's tax category and the merchant's SKU (issue 18, item 1). The tax category is
// the line's effective one, resolved when the line is written (its own, else its offer's, else
// the merchant's default), so a later calculation taxes it the same way; null only on lines
// written before this migration (read as their offer's, else the merchant's default). A
// migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const LineItemTaxCategorySku1795300600000 = sqlMigration(
  'LineItemTaxCategorySku1795300600000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_line_items
       ADD COLUMN tax_category text NULL CHECK (tax_category IS NULL OR tax_category ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
       ADD COLUMN sku text NULL CHECK (sku IS NULL OR length(sku) BETWEEN 1 AND 100)`,
  ],
  [`ALTER TABLE "${SCHEMA}".checkout_line_items DROP COLUMN IF EXISTS sku, DROP COLUMN IF EXISTS tax_category`],
);
