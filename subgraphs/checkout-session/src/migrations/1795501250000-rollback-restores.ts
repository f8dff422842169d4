// Finalization rollback restores what finalization spent (issue 20 item 4): a captured gift-card
// or store-credit hold can be `restored` (its amount back on the card or the credit, once), and a
// converted inventory reservation remembers when its units went back on the built-in shelf
// (`restocked_at`, set once: the guard that makes a retried or concurrent rollback restock once).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const RollbackRestores1795501250000 = sqlMigration(
  'RollbackRestores1795501250000',
  [
    `ALTER TABLE "${SCHEMA}".tender_holds DROP CONSTRAINT IF EXISTS tender_holds_status_check`,
    `ALTER TABLE "${SCHEMA}".tender_holds ADD CONSTRAINT tender_holds_status_check CHECK (status IN ('held', 'captured', 'released', 'restored'))`,
    `ALTER TABLE "${SCHEMA}".inventory_reservations ADD COLUMN restocked_at timestamptz NULL`,
    `ALTER TABLE "${SCHEMA}".inventory_reservations ADD CONSTRAINT inventory_reservations_restock_check CHECK (restocked_at IS NULL OR state = 'converted')`,
  ],
  [
    `ALTER TABLE "${SCHEMA}".inventory_reservations DROP CONSTRAINT IF EXISTS inventory_reservations_restock_check`,
    `ALTER TABLE "${SCHEMA}".inventory_reservations DROP COLUMN IF EXISTS restocked_at`,
    `UPDATE "${SCHEMA}".tender_holds SET status = 'captured' WHERE status = 'restored'`,
    `ALTER TABLE "${SCHEMA}".tender_holds DROP CONSTRAINT IF EXISTS tender_holds_status_check`,
    `ALTER TABLE "${SCHEMA}".tender_holds ADD CONSTRAINT tender_holds_status_check CHECK (status IN ('held', 'captured', 'released'))`,
  ],
);
