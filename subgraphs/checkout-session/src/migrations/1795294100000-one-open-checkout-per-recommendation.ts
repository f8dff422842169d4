// One payable checkout per recommendation: at most one OPEN checkout session per recommendation
// (agent checkout returns it again instead of minting another). Sessions that broke the rule
// before are expired first, all but the newest, so the index can be built; the expiry sweep
// then cancels their payment intents. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const OneOpenCheckoutPerRecommendation1795294100000 = sqlMigration(
  'OneOpenCheckoutPerRecommendation1795294100000',
  [
    `UPDATE "${SCHEMA}".checkout_sessions cs SET status = 'EXPIRED', version = version + 1, updated_at = now()
      WHERE cs.status = 'OPEN' AND cs.recommendation_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM "${SCHEMA}".checkout_sessions newer
                     WHERE newer.recommendation_id = cs.recommendation_id AND newer.status = 'OPEN'
                       AND (newer.created_at, newer.id) > (cs.created_at, cs.id))`,
    `CREATE UNIQUE INDEX checkout_sessions_open_recommendation_uq ON "${SCHEMA}".checkout_sessions (recommendation_id)
      WHERE status = 'OPEN' AND recommendation_id IS NOT NULL`,
  ],
  [`DROP INDEX IF EXISTS "${SCHEMA}".checkout_sessions_open_recommendation_uq`],
);
