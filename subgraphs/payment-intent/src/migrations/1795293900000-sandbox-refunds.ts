// Schema `payment`: the sandbox PSP's refunds, so a refund asked twice with one idempotency key
// is made once (as Stripe's idempotent refunds are). The id is derived from (payment, key).
import { sqlMigration } from '@handoff/shared';

const S = 'payment';

export const SandboxRefunds1795293900000 = sqlMigration(
  'SandboxRefunds1795293900000',
  [
    `CREATE TABLE "${S}".sandbox_refunds (
      id text PRIMARY KEY,
      payment_id text NOT NULL REFERENCES "${S}".sandbox_payments (id),
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      -- null for refunds made "in the dashboard" (the admin trigger)
      idempotency_key text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX sandbox_refunds_payment_idx ON "${S}".sandbox_refunds (payment_id)`,
  ],
  [`DROP TABLE IF EXISTS "${S}".sandbox_refunds`],
);
