// When an API key was last used (issue 23: the portal's API key list), to the minute: the gateway's
// key lookup sets it when it is unset or over a minute old. A migration is a snapshot: it names its
// schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantApiKeyLastUsed1795900200000 = sqlMigration(
  'MerchantApiKeyLastUsed1795900200000',
  [`ALTER TABLE "${SCHEMA}".api_keys ADD COLUMN last_used_at timestamptz NULL`],
  [`ALTER TABLE "${SCHEMA}".api_keys DROP COLUMN IF EXISTS last_used_at`],
);
