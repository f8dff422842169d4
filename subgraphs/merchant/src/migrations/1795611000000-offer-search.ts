// Offer search (issue 21 item 5: GET /v1/offers?query=, offers(query:)): a stored tsvector over an
// offer's name (weight A) and provider (weight B), English stemming, and a GIN index on it, so
// a search is one index scan ranked by ts_rank_cd, not a substring loop. A migration is a
// snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

export const MerchantOfferSearch1795611000000 = sqlMigration(
  'MerchantOfferSearch1795611000000',
  [
    `ALTER TABLE "${SCHEMA}".offers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
       setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
       setweight(to_tsvector('english'::regconfig, coalesce(provider, '')), 'B')) STORED`,
    `CREATE INDEX offers_search_vector_idx ON "${SCHEMA}".offers USING GIN (search_vector)`,
  ],
  [`DROP INDEX IF EXISTS "${SCHEMA}".offers_search_vector_idx`, `ALTER TABLE "${SCHEMA}".offers DROP COLUMN IF EXISTS search_vector`],
);
