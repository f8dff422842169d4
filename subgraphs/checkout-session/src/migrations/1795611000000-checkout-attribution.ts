// Attribution through ACP (issue 21 item 4): a recommendation's attribution token (an AAP code
// signed at recommend, before any checkout), and the touches an agent attached to a checkout
// session (first and last, each the latest attach at that touchpoint, a verified first touch kept)
// with their verdict. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutAttribution1795611000000 = sqlMigration(
  'CheckoutAttribution1795611000000',
  [
    `ALTER TABLE "${SCHEMA}".recommendations ADD COLUMN attribution_token text NULL`,
    `CREATE TABLE "${SCHEMA}".checkout_attribution_touches (
       checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id),
       touchpoint text NOT NULL CHECK (touchpoint IN ('FIRST', 'LAST')),
       provider text NOT NULL,
       status text NOT NULL CHECK (status IN ('VERIFIED', 'INVALID', 'UNVERIFIED_PROVIDER')),
       reason text NULL,
       recommendation_id text NULL,
       agent_id text NOT NULL,
       at timestamptz NOT NULL,
       PRIMARY KEY (checkout_session_id, touchpoint),
       CHECK ((status = 'VERIFIED') = (recommendation_id IS NOT NULL))
     )`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".checkout_attribution_touches`, `ALTER TABLE "${SCHEMA}".recommendations DROP COLUMN IF EXISTS attribution_token`],
);
