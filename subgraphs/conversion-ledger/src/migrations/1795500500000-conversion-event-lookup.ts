// The audit rows of conversion changes (issue 19 item 5) name what changed since the conversion's
// last `conversion.updated` (conversion/conversion.events.ts reads it, in the statement that writes
// the next one): an index to find a conversion's latest event without scanning the outbox.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

export const ConversionEventLookup1795500500000 = sqlMigration(
  'ConversionEventLookup1795500500000',
  [`CREATE INDEX outbox_conversion_updated_idx ON "ledger".outbox (aggregate_id, id) WHERE topic = 'conversion.updated'`],
  [`DROP INDEX IF EXISTS "ledger".outbox_conversion_updated_idx`],
);
