// Gift cards, store credit and the tender a checkout session holds (issue 20 item 3, seed 003 §6
// and §11). A gift card is stored by the SHA-256 of its code (the plain code is shown once, at
// issue, and never stored) with its last 4 characters; its balance is what is still available:
// a hold moves an amount from the card (or the customer's store credit) onto the session, a
// capture keeps it spent, a release gives it back. Balances never go below zero (CHECK), and a
// hold is taken by a conditional UPDATE under the card's row lock: no double spend. A migration
// is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const GiftCardsAndStoreCredit1795500900000 = sqlMigration(
  'GiftCardsAndStoreCredit1795500900000',
  [
    `CREATE TABLE "${SCHEMA}".gift_cards (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      code_hash text NOT NULL UNIQUE CHECK (code_hash ~ '^[0-9a-f]{64}$'),
      last4 text NOT NULL CHECK (length(last4) = 4),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      initial_minor bigint NOT NULL CHECK (initial_minor > 0),
      balance_minor bigint NOT NULL CHECK (balance_minor >= 0 AND balance_minor <= initial_minor),
      customer_id text NULL,
      expires_at timestamptz NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX gift_cards_merchant_idx ON "${SCHEMA}".gift_cards (merchant_id, id)`,
    `CREATE INDEX gift_cards_customer_idx ON "${SCHEMA}".gift_cards (merchant_id, customer_id) WHERE customer_id IS NOT NULL`,

    `CREATE TABLE "${SCHEMA}".store_credit_accounts (
      merchant_id text NOT NULL,
      customer_id text NOT NULL,
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
      granted_minor bigint NOT NULL CHECK (granted_minor >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (merchant_id, customer_id, currency)
    )`,

    `CREATE TABLE "${SCHEMA}".tender_holds (
      id text PRIMARY KEY,
      checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id) ON DELETE CASCADE,
      merchant_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('gift_card', 'store_credit')),
      gift_card_id text NULL REFERENCES "${SCHEMA}".gift_cards (id),
      customer_id text NULL,
      currency char(3) NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      status text NOT NULL CHECK (status IN ('held', 'captured', 'released')),
      release_reason text NULL CHECK (length(release_reason) <= 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      settled_at timestamptz NULL,
      CHECK ((kind = 'gift_card') = (gift_card_id IS NOT NULL)),
      CHECK ((kind = 'store_credit') = (customer_id IS NOT NULL))
    )`,
    `CREATE INDEX tender_holds_session_idx ON "${SCHEMA}".tender_holds (checkout_session_id, id)`,
    // A card is held at most once per session at a time; store credit once per session.
    `CREATE UNIQUE INDEX tender_holds_card_once_idx ON "${SCHEMA}".tender_holds (checkout_session_id, gift_card_id) WHERE status = 'held' AND kind = 'gift_card'`,
    `CREATE UNIQUE INDEX tender_holds_credit_once_idx ON "${SCHEMA}".tender_holds (checkout_session_id) WHERE status = 'held' AND kind = 'store_credit'`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".tender_holds`,
    `DROP TABLE IF EXISTS "${SCHEMA}".store_credit_accounts`,
    `DROP TABLE IF EXISTS "${SCHEMA}".gift_cards`,
  ],
);
