// Schema `ledger`, third step: an index for the subscriptions' replay by cursor
// (subscription/conversion-events.service.ts reads `conversion.updated` rows of the outbox with
// `(payload->>'cursor')::bigint > $after ORDER BY (payload->>'cursor')::bigint LIMIT n`). Without
// it a resume scans and sorts every event ever written (rows are kept once delivered). Partial on
// the topic, so a row of another topic never has its payload cast.
import { sqlMigration } from '@handoff/shared';

const S = '"ledger"';

export const ConversionEventCursor1795293900000 = sqlMigration(
  'ConversionEventCursor1795293900000',
  [
    `CREATE INDEX outbox_conversion_cursor_idx ON ${S}.outbox (((payload->>'cursor')::bigint))
      WHERE topic = 'conversion.updated'`,
  ],
  [`DROP INDEX IF EXISTS ${S}.outbox_conversion_cursor_idx`],
);
