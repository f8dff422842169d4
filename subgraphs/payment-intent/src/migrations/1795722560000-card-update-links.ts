// The card-update links that replaced a card (issue 22; billing-subscription/card-update/): a
// link is used once, so its nonce is recorded in the transaction that replaces the card (the
// primary key refuses a second use, racing or later). Links themselves are signed, not stored.
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const CardUpdateLinks1795722560000 = sqlMigration(
  'CardUpdateLinks1795722560000',
  [
    `CREATE TABLE "${SCHEMA}".billing_card_update_link_uses (
       nonce text PRIMARY KEY,
       subscription_id text NOT NULL REFERENCES "${SCHEMA}".billing_subscriptions (id),
       used_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX billing_card_update_link_uses_subscription_idx ON "${SCHEMA}".billing_card_update_link_uses (subscription_id)`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".billing_card_update_link_uses`],
);
