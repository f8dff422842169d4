// Schema `payment`, issue 4: the intent's payment details, its events timeline, refunds, the
// webhook inbox, and the sandbox PSP's own tables (its payments and tokenized cards).
// A migration is a snapshot: it names its schema itself rather than following a constant.
import { sqlMigration } from '@handoff/shared';

const S = 'payment';

export const PaymentsCore1795293800000 = sqlMigration(
  'PaymentsCore1795293800000',
  [
    `ALTER TABLE "${S}".payment_intents
       ADD COLUMN description text NULL,
       ADD COLUMN next_action jsonb NULL,
       ADD COLUMN last_payment_error jsonb NULL,
       ADD COLUMN payment_method_id text NULL`,
    // One intent per checkout session: createPaymentIntentForCheckout is idempotent on it.
    `DROP INDEX "${S}".payment_intents_checkout_session_idx`,
    `CREATE UNIQUE INDEX payment_intents_checkout_session_uq
       ON "${S}".payment_intents (checkout_session_id) WHERE checkout_session_id IS NOT NULL`,
    // The timeline: one row per change, written with the change.
    `CREATE TABLE "${S}".payment_events (
      id bigserial PRIMARY KEY,
      payment_intent_id text NOT NULL REFERENCES "${S}".payment_intents (id),
      type text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX payment_events_intent_idx ON "${S}".payment_events (payment_intent_id, id)`,
    `CREATE TABLE "${S}".refunds (
      id text PRIMARY KEY,
      payment_intent_id text NOT NULL REFERENCES "${S}".payment_intents (id),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      currency char(3) NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
      reason text NULL,
      -- API refunds carry the caller's key; PSP-initiated ones (dashboard, sandbox) do not
      idempotency_key text NULL,
      provider_refund_id text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX refunds_idempotency_uq ON "${S}".refunds (payment_intent_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    `CREATE UNIQUE INDEX refunds_provider_uq ON "${S}".refunds (provider_refund_id) WHERE provider_refund_id IS NOT NULL`,
    // Verified PSP events, stored before the 2xx; the row is the truth, the job only its runner.
    `CREATE TABLE "${S}".webhook_inbox (
      id bigserial PRIMARY KEY,
      provider text NOT NULL,
      event_id text NOT NULL,
      merchant_id text NOT NULL,
      event_type text NOT NULL,
      provider_payment_id text NULL,
      body jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz NULL,
      outcome text NULL,
      CONSTRAINT webhook_inbox_event_uq UNIQUE (provider, event_id)
    )`,
    `CREATE INDEX webhook_inbox_unprocessed_idx ON "${S}".webhook_inbox (id) WHERE processed_at IS NULL`,
    `CREATE INDEX webhook_inbox_payment_idx ON "${S}".webhook_inbox (provider, provider_payment_id) WHERE processed_at IS NULL`,
    // The sandbox PSP. Cards are kept as brand + last 4 + behaviour: never the number.
    `CREATE TABLE "${S}".sandbox_payment_methods (
      id text PRIMARY KEY,
      brand text NOT NULL,
      last4 char(4) NOT NULL,
      behaviour text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE "${S}".sandbox_payments (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      idempotency_key text NOT NULL,
      amount_minor bigint NOT NULL,
      amount_received_minor bigint NOT NULL DEFAULT 0,
      amount_refunded_minor bigint NOT NULL DEFAULT 0,
      currency char(3) NOT NULL,
      capture_method text NOT NULL,
      status text NOT NULL,
      payment_method_id text NULL,
      charge_id text NULL,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
      description text NULL,
      last_payment_error jsonb NULL,
      dispute jsonb NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT sandbox_payments_idempotency_uq UNIQUE (merchant_id, idempotency_key)
    )`,
  ],
  [
    `DROP TABLE IF EXISTS "${S}".sandbox_payments`,
    `DROP TABLE IF EXISTS "${S}".sandbox_payment_methods`,
    `DROP TABLE IF EXISTS "${S}".webhook_inbox`,
    `DROP TABLE IF EXISTS "${S}".refunds`,
    `DROP TABLE IF EXISTS "${S}".payment_events`,
    `DROP INDEX IF EXISTS "${S}".payment_intents_checkout_session_uq`,
    `CREATE INDEX payment_intents_checkout_session_idx
       ON "${S}".payment_intents (checkout_session_id, created_at) WHERE checkout_session_id IS NOT NULL`,
    `ALTER TABLE "${S}".payment_intents DROP COLUMN description, DROP COLUMN next_action,
       DROP COLUMN last_payment_error, DROP COLUMN payment_method_id`,
  ],
);
