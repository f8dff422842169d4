// Agent-owned webhook endpoints (issue 21 items 3 and 7): an endpoint belongs to a merchant OR to
// an agent (agent_id; merchant_id null), and gets events about that agent's checkout sessions
// through the same intake, deliveries, retries and log. A delivery records its endpoint's owning
// agent (agent_id) beside the event's merchant, so a merchant never reaches an agent's delivery.
// The ACP order events are stored under their spec names (order_create, order_update): the type
// check takes a name without a dot too. A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const s = '"merchant"';

export const MerchantAgentWebhookEndpoints1795610000000 = sqlMigration(
  'MerchantAgentWebhookEndpoints1795610000000',
  [
    `ALTER TABLE ${s}.webhook_endpoints ALTER COLUMN merchant_id DROP NOT NULL`,
    `ALTER TABLE ${s}.webhook_endpoints ADD COLUMN agent_id text NULL REFERENCES ${s}.agents (id)`,
    `ALTER TABLE ${s}.webhook_endpoints ADD CONSTRAINT webhook_endpoints_one_owner CHECK ((merchant_id IS NULL) <> (agent_id IS NULL))`,
    // An agent's live endpoints, in creation order (and the fan-out's lookup).
    `CREATE INDEX webhook_endpoints_agent_idx ON ${s}.webhook_endpoints (agent_id, id) WHERE deleted_at IS NULL AND agent_id IS NOT NULL`,
    `ALTER TABLE ${s}.webhook_deliveries ADD COLUMN agent_id text NULL`,
    `ALTER TABLE ${s}.webhook_events DROP CONSTRAINT webhook_events_type_check`,
    `ALTER TABLE ${s}.webhook_events ADD CONSTRAINT webhook_events_type_check CHECK (type ~ '^[a-z_]+(\\.[a-z_]+)?$')`,
  ],
  [
    `DELETE FROM ${s}.webhook_delivery_attempts WHERE delivery_id IN (SELECT id FROM ${s}.webhook_deliveries WHERE agent_id IS NOT NULL OR event_id IN (SELECT id FROM ${s}.webhook_events WHERE type !~ '\\.'))`,
    `DELETE FROM ${s}.webhook_deliveries WHERE agent_id IS NOT NULL OR event_id IN (SELECT id FROM ${s}.webhook_events WHERE type !~ '\\.')`,
    `DELETE FROM ${s}.webhook_events WHERE type !~ '\\.'`,
    `ALTER TABLE ${s}.webhook_events DROP CONSTRAINT webhook_events_type_check`,
    `ALTER TABLE ${s}.webhook_events ADD CONSTRAINT webhook_events_type_check CHECK (type ~ '^[a-z_]+\\.[a-z_]+$')`,
    `ALTER TABLE ${s}.webhook_deliveries DROP COLUMN agent_id`,
    `DELETE FROM ${s}.webhook_endpoints WHERE agent_id IS NOT NULL`,
    `DROP INDEX ${s}.webhook_endpoints_agent_idx`,
    `ALTER TABLE ${s}.webhook_endpoints DROP CONSTRAINT webhook_endpoints_one_owner`,
    `ALTER TABLE ${s}.webhook_endpoints DROP COLUMN agent_id`,
    `ALTER TABLE ${s}.webhook_endpoints ALTER COLUMN merchant_id SET NOT NULL`,
  ],
);
