// An owner may withdraw a pending portal invitation (its link then stops working). A migration is a
// snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantInvitationWithdrawn1795910000000 = sqlMigration(
  'MerchantInvitationWithdrawn1795910000000',
  [
    `ALTER TABLE "${SCHEMA}".merchant_user_invitations ADD COLUMN withdrawn_at timestamptz NULL`,
    `ALTER TABLE "${SCHEMA}".merchant_user_invitations ADD CONSTRAINT merchant_user_invitations_one_end CHECK (accepted_at IS NULL OR withdrawn_at IS NULL)`,
    `CREATE INDEX merchant_user_invitations_pending_idx ON "${SCHEMA}".merchant_user_invitations (merchant_id, created_at) WHERE accepted_at IS NULL AND withdrawn_at IS NULL`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".merchant_user_invitations_pending_idx`,
    `ALTER TABLE "${SCHEMA}".merchant_user_invitations DROP CONSTRAINT IF EXISTS merchant_user_invitations_one_end`,
    `ALTER TABLE "${SCHEMA}".merchant_user_invitations DROP COLUMN IF EXISTS withdrawn_at`,
  ],
);
