// The outbox's job_key: the relay adds one BullMQ job per claim and routed queue, named by the
// claim's smallest row id, instead of one per row and queue (shared/src/outbox/outbox-relay.ts).
// Rows claimed before it keep NULL and their per-row jobs. A migration is a snapshot: it names its
// schema itself.
import { addOutboxJobKeySql, dropOutboxJobKeySql, sqlMigration } from '@handoff/shared';

const SCHEMA = 'checkout';

export const CheckoutOutboxJobKey1796000000000 = sqlMigration('CheckoutOutboxJobKey1796000000000', addOutboxJobKeySql(SCHEMA), dropOutboxJobKeySql(SCHEMA));
