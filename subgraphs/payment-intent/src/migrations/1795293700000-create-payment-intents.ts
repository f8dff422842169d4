// Schema `payment`: payment intents, plus the platform's idempotency and outbox tables.
// A migration is a snapshot: it names its schema itself rather than following a constant.
import {
  createIdempotencyTableSql,
  createOutboxTableSql,
  dropIdempotencyTableSql,
  dropOutboxTableSql,
  sqlMigration,
} from '@handoff/shared';

const SCHEMA = 'payment';

export const CreatePaymentIntents1795293700000 = sqlMigration(
  'CreatePaymentIntents1795293700000',
  [
    `CREATE TABLE "${SCHEMA}".payment_intents (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      -- the checkout session it pays, if any (owned by the checkout-session subgraph)
      checkout_session_id text NULL,
      status text NOT NULL DEFAULT 'REQUIRES_PAYMENT_METHOD'
        CHECK (status IN ('REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION', 'REQUIRES_ACTION',
                          'PROCESSING', 'REQUIRES_CAPTURE', 'SUCCEEDED', 'CANCELED')),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
      amount_captured_minor bigint NOT NULL DEFAULT 0,
      amount_refunded_minor bigint NOT NULL DEFAULT 0,
      capture_mode text NOT NULL DEFAULT 'AUTOMATIC' CHECK (capture_mode IN ('AUTOMATIC', 'MANUAL')),
      provider text NOT NULL CHECK (provider IN ('TEST', 'STRIPE')),
      -- the PSP's own id: the data.object.id of its webhooks
      provider_payment_id text NULL,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      -- never capture more than authorized, never refund more than captured
      CONSTRAINT payment_intents_captured_range CHECK (amount_captured_minor BETWEEN 0 AND amount_minor),
      CONSTRAINT payment_intents_refunded_range CHECK (amount_refunded_minor BETWEEN 0 AND amount_captured_minor)
    )`,
    // A webhook names the intent by the PSP's id: one intent per PSP payment.
    `CREATE UNIQUE INDEX payment_intents_provider_payment_uq
       ON "${SCHEMA}".payment_intents (provider, provider_payment_id) WHERE provider_payment_id IS NOT NULL`,
    `CREATE INDEX payment_intents_merchant_idx ON "${SCHEMA}".payment_intents (merchant_id, created_at, id)`,
    `CREATE INDEX payment_intents_checkout_session_idx
       ON "${SCHEMA}".payment_intents (checkout_session_id, created_at) WHERE checkout_session_id IS NOT NULL`,
    ...createIdempotencyTableSql(SCHEMA),
    ...createOutboxTableSql(SCHEMA),
  ],
  [...dropOutboxTableSql(SCHEMA), ...dropIdempotencyTableSql(SCHEMA), `DROP TABLE IF EXISTS "${SCHEMA}".payment_intents`],
);
