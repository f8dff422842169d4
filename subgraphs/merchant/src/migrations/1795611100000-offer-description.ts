// Offers get a description (issue 21 item 5: offer search reads name and description): up to
// 2000 characters, null by default. The search vector is rebuilt to cover it (name A, provider B,
// description C), GIN-indexed again. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';

const vector = (withDescription: boolean) =>
  `ALTER TABLE "${SCHEMA}".offers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
     setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') ||
     setweight(to_tsvector('english'::regconfig, coalesce(provider, '')), 'B')${withDescription ? ` ||
     setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')` : ''}) STORED`;

export const MerchantOfferDescription1795611100000 = sqlMigration(
  'MerchantOfferDescription1795611100000',
  [
    `ALTER TABLE "${SCHEMA}".offers ADD COLUMN description text NULL CHECK (char_length(description) <= 2000)`,
    `DROP INDEX IF EXISTS "${SCHEMA}".offers_search_vector_idx`,
    `ALTER TABLE "${SCHEMA}".offers DROP COLUMN IF EXISTS search_vector`,
    vector(true),
    `CREATE INDEX offers_search_vector_idx ON "${SCHEMA}".offers USING GIN (search_vector)`,
  ],
  [
    `DROP INDEX IF EXISTS "${SCHEMA}".offers_search_vector_idx`,
    `ALTER TABLE "${SCHEMA}".offers DROP COLUMN IF EXISTS search_vector`,
    vector(false),
    `CREATE INDEX offers_search_vector_idx ON "${SCHEMA}".offers USING GIN (search_vector)`,
    `ALTER TABLE "${SCHEMA}".offers DROP COLUMN IF EXISTS description`,
  ],
);
