// A merchant's dunning settings (issue 22 item 4, docs/recurring.md): the retry schedule in days
// after a failed period's start and the status after the last retry. No row: the default
// (1, 3, 5, 7 days, then UNPAID). The CHECKs mirror shared/src/contracts/dunning-settings.contract.ts.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantBillingSettings1795820000000 = sqlMigration(
  'MerchantBillingSettings1795820000000',
  [
    `CREATE TABLE "${SCHEMA}".billing_settings (
      merchant_id text PRIMARY KEY REFERENCES "${SCHEMA}".merchants (id),
      dunning_retry_days int[] NOT NULL CHECK (cardinality(dunning_retry_days) BETWEEN 1 AND 10 AND 1 <= ALL (dunning_retry_days) AND 60 >= ALL (dunning_retry_days)),
      dunning_final_status text NOT NULL CHECK (dunning_final_status IN ('UNPAID', 'CANCELED')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by text NULL
    )`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".billing_settings`],
);
