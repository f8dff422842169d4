// Delegated payment tokens (ACP delegate_payment, issue 21 item 2): the vault's allowance and
// the PSP payment method it stands for; never card data. A migration is a snapshot: it names its
// schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'payment';

export const DelegatedPaymentTokens1795700200000 = sqlMigration(
  'DelegatedPaymentTokens1795700200000',
  [
    `CREATE TABLE "${SCHEMA}".delegated_payment_tokens (
      id text PRIMARY KEY,
      agent_id text NOT NULL,
      merchant_id text NOT NULL,
      checkout_session_id text NOT NULL,
      reason text NOT NULL CHECK (reason = 'one_time'),
      max_amount_minor bigint NOT NULL CHECK (max_amount_minor >= 0),
      currency char(3) NOT NULL,
      expires_at timestamptz NOT NULL,
      provider text NOT NULL,
      payment_method_id text NOT NULL,
      card_brand text,
      card_last4 text,
      card_funding text NOT NULL,
      metadata jsonb NOT NULL,
      risk_signals jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('ACTIVE', 'CONSUMED')),
      payment_intent_id text,
      consumed_at timestamptz,
      declined_attempts int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      CHECK ((status = 'CONSUMED') = (payment_intent_id IS NOT NULL))
    )`,
    `CREATE INDEX delegated_payment_tokens_session ON "${SCHEMA}".delegated_payment_tokens (checkout_session_id)`,
  ],
  [`DROP TABLE IF EXISTS "${SCHEMA}".delegated_payment_tokens`],
);
