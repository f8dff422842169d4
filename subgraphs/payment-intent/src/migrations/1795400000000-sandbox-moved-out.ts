// Schema `payment`: the sandbox PSP moved out of payment-intent into its own package and schema
// (simulators/psp-sandbox, schema `sandbox`). Its tables here are dropped, not copied: they hold
// test data only (simulated payments, tokenized test cards, sandbox refunds), and the sandbox is
// an external system whose data Handoff does not migrate, as it would not Stripe's. A TEST payment
// intent made before this migration is unknown to the sandbox afterwards (confirming, capturing or
// refunding it is refused, PSP_REQUEST_FAILED); a new checkout makes a new one. Sandbox work still
// waiting in this schema's outbox (deliveries, settlements) is closed, since nothing here runs it.
// A migration is a snapshot: it names its schema itself rather than following a constant.
import { sqlMigration } from '@handoff/shared';

const S = 'payment';

export const SandboxMovedOut1795400000000 = sqlMigration(
  'SandboxMovedOut1795400000000',
  [
    `UPDATE "${S}".outbox SET published_at = coalesce(published_at, now()), delivered_at = now()
      WHERE delivered_at IS NULL AND (topic LIKE 'sandbox\\_webhook.%' OR topic LIKE 'sandbox\\_settle.%')`,
    `DROP TABLE "${S}".sandbox_refunds`,
    `DROP TABLE "${S}".sandbox_payments`,
    `DROP TABLE "${S}".sandbox_payment_methods`,
  ],
  [
    // Empty again, as the sandbox PSP of 1795293800000 and 1795293900000 made them.
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
    `CREATE TABLE "${S}".sandbox_refunds (
      id text PRIMARY KEY,
      payment_id text NOT NULL REFERENCES "${S}".sandbox_payments (id),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      idempotency_key text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX sandbox_refunds_payment_idx ON "${S}".sandbox_refunds (payment_id)`,
  ],
);
