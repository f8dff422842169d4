// A merchant's checkout settings, capabilities and transaction limits (issue 19, seed 003 §17):
// one row per merchant, each part a JSON document (null: never set, the defaults) with when and
// by whom it was last changed. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantCheckoutSettings1795500700000 = sqlMigration(
  'MerchantCheckoutSettings1795500700000',
  [
    `CREATE TABLE "${SCHEMA}".checkout_settings (
      merchant_id text PRIMARY KEY REFERENCES "${SCHEMA}".merchants (id),
      settings jsonb NULL CHECK (settings IS NULL OR jsonb_typeof(settings) = 'object'),
      settings_updated_at timestamptz NULL,
      settings_updated_by text NULL,
      capabilities jsonb NULL CHECK (capabilities IS NULL OR jsonb_typeof(capabilities) = 'object'),
      capabilities_updated_at timestamptz NULL,
      capabilities_updated_by text NULL,
      limits jsonb NULL CHECK (limits IS NULL OR jsonb_typeof(limits) = 'object'),
      limits_updated_at timestamptz NULL,
      limits_updated_by text NULL
    )`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".checkout_settings`],
);
