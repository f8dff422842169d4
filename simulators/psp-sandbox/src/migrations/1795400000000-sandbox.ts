// Schema `sandbox`: the sandbox PSP's accounts, payments, tokenized cards, refunds and its
// outbox (webhook deliveries and settlements). Its records used to live in payment-intent's
// schema (payment.sandbox_*); they are test data and are not carried over: payment-intent's
// migration 1795400000000 drops them, and a TEST payment made before is no longer known here.
// A migration is a snapshot: it names its schema itself rather than following a constant.
import { createOutboxTableSql, dropOutboxTableSql, sqlMigration } from '@handoff/shared';

const S = 'sandbox';

export const Sandbox1795400000000 = sqlMigration(
  'Sandbox1795400000000',
  [
    `CREATE TABLE "${S}".accounts (
      merchant_id text PRIMARY KEY,
      secret_key_hash text NOT NULL,
      webhook_url text NOT NULL,
      webhook_secret text NOT NULL,
      enabled_events text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX accounts_secret_key_uq ON "${S}".accounts (secret_key_hash)`,
    // Cards are kept as brand + last 4 + behaviour: never the number.
    `CREATE TABLE "${S}".payment_methods (
      id text PRIMARY KEY,
      brand text NOT NULL,
      last4 char(4) NOT NULL,
      behaviour text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE "${S}".payments (
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
      CONSTRAINT payments_idempotency_uq UNIQUE (merchant_id, idempotency_key)
    )`,
    // A refund asked twice with one idempotency key is made once; the id is derived from (payment, key).
    `CREATE TABLE "${S}".refunds (
      id text PRIMARY KEY,
      payment_id text NOT NULL REFERENCES "${S}".payments (id),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      -- null for refunds made in the dashboard
      idempotency_key text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX refunds_payment_idx ON "${S}".refunds (payment_id)`,
    ...createOutboxTableSql(S),
  ],
  [
    ...dropOutboxTableSql(S),
    `DROP TABLE IF EXISTS "${S}".refunds`,
    `DROP TABLE IF EXISTS "${S}".payments`,
    `DROP TABLE IF EXISTS "${S}".payment_methods`,
    `DROP TABLE IF EXISTS "${S}".accounts`,
  ],
);
