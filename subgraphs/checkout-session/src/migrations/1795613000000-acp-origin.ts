// Checkout sessions that came through the Agentic Commerce Protocol (issue 21): `origin` = 'acp' for
// a session createAgentCheckoutSession made (the ACP routes'), null for every other. Only those get
// the spec's order events (order_create / order_update) on their agent's webhook endpoints; other
// agent sessions get checkout.completed and the rest. And each refund told to an ACP session's
// agent, once per fact: the intent's refunded total reaching a new amount (acp-order/acp-order-refunds.ts).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const AcpOrigin1795613000000 = sqlMigration(
  'AcpOrigin1795613000000',
  [
    `ALTER TABLE "${SCHEMA}".checkout_sessions ADD COLUMN origin text NULL CHECK (origin IS NULL OR origin = 'acp')`,
    `CREATE TABLE "${SCHEMA}".acp_order_refunds (
       checkout_session_id text NOT NULL REFERENCES "${SCHEMA}".checkout_sessions (id),
       refunded_total_minor bigint NOT NULL CHECK (refunded_total_minor > 0),
       refund_id text NULL CHECK (refund_id IS NULL OR length(refund_id) BETWEEN 1 AND 200),
       reason text NULL,
       currency text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
       occurred_at timestamptz NOT NULL,
       PRIMARY KEY (checkout_session_id, refunded_total_minor)
     )`,
  ],
  [
    `DROP TABLE "${SCHEMA}".acp_order_refunds`,
    `ALTER TABLE "${SCHEMA}".checkout_sessions DROP COLUMN origin`,
  ],
);
