// Schema `sandbox`: a tokenized card's fingerprint (Stripe's `card.fingerprint`: the same number
// gives the same fingerprint, so a merchant's risk rules can count and list cards without ever
// holding a number), and the sandbox's identity verifications (its small KYC provider, in the
// shape of Stripe Identity's verification sessions). Cards tokenized before keep no fingerprint.
import { sqlMigration } from '@handoff/shared';

const S = 'sandbox';

export const SandboxFingerprintsIdentity1795500800000 = sqlMigration(
  'SandboxFingerprintsIdentity1795500800000',
  [
    `ALTER TABLE "${S}".payment_methods ADD COLUMN fingerprint text NULL`,
    `CREATE TABLE "${S}".identity_verifications (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      -- the merchant's own id for it (Handoff's KYC id)
      reference text NOT NULL,
      callback_url text NOT NULL,
      -- given by the merchant at creation; the sandbox signs its callback with it
      callback_secret text NOT NULL,
      status text NOT NULL CHECK (status IN ('requires_input', 'verified', 'failed')),
      callback_event_id text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT identity_verifications_reference_uq UNIQUE (merchant_id, reference)
    )`,
  ],
  [`DROP TABLE IF EXISTS "${S}".identity_verifications`, `ALTER TABLE "${S}".payment_methods DROP COLUMN IF EXISTS fingerprint`],
);
