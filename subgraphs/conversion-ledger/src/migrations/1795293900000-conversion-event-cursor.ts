// Schema `ledger`, third step: an index for the subscriptions' replay by cursor
// (subscription/conversion-events.service.ts reads `conversion.updated` rows of the outbox with
// `(payload->>'cursor')::bigint > $after ORDER BY (payload->>'cursor')::bigint LIMIT n`). Without
// it a resume scans and sorts every event ever written (rows are kept once delivered). Partial on
// the topic, so a row of another topic never has its payload cast.
// Also: a settlement batch may total zero (new business netting out clawbacks of an unpaid
// batch), so its lines are recorded and its conversions can be paid rather than wait forever.
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';

export const ConversionEventCursor1795293900000 = sqlMigration(
  'ConversionEventCursor1795293900000',
  [
    `CREATE INDEX outbox_conversion_cursor_idx ON ${S}.outbox (((payload->>'cursor')::bigint))
      WHERE topic = 'conversion.updated'`,
    `ALTER TABLE ${S}.settlement_batches DROP CONSTRAINT settlement_batches_total_minor_check,
       ADD CONSTRAINT settlement_batches_total_minor_check CHECK (total_minor >= 0)`,
  ],
  [
    `ALTER TABLE ${S}.settlement_batches DROP CONSTRAINT settlement_batches_total_minor_check,
       ADD CONSTRAINT settlement_batches_total_minor_check CHECK (total_minor > 0)`,
    `DROP INDEX IF EXISTS ${S}.outbox_conversion_cursor_idx`,
  ],
);
