// A checkout session's audit rows (issue 19, seed 003 §17; shared/src/contracts/audit.contract.ts),
// written with the change's other outbox rows in its transaction: created (the session as
// opened), updated (each buyer change and calculation: the fields that changed, before and
// after), payment_committed, payment_mismatch, and each status move (completed, canceled,
// expired). The snapshots are the session as merchants' webhooks show it (checkout.webhook-event.ts:
// never the client secret or the AAP code).
import { auditOutboxEvent, changedFields, type OutboxEvent } from '@handoff/shared';
import { SUBGRAPH_NAME } from '../events.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';
import type { CheckoutWebhookObject } from './checkout.webhook-event.js';

// Move with every change: said once by `version`.
const NOISE = new Set(['updated_at', 'updated']);
const without = (o: CheckoutWebhookObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !NOISE.has(k)));

/** The audit row of a change of `cs` from `before` (null: a new session) to `after`; none when nothing audited changed. */
export function checkoutAudit(action: string, cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId'>, before: CheckoutWebhookObject | null, after: CheckoutWebhookObject): OutboxEvent[] {
  const base = { entityType: 'checkout_session' as const, entityId: cs.id, merchantId: cs.merchantId, action };
  if (before === null) return [auditOutboxEvent({ ...base, after: without(after) }, SUBGRAPH_NAME)];
  const diff = changedFields(without(before), without(after));
  return diff ? [auditOutboxEvent({ ...base, ...diff }, SUBGRAPH_NAME)] : [];
}

/** A status move's action: what happened to the session (`completed`, `canceled`, `expired`). */
export const statusAction = (to: string): string => ({ COMPLETE: 'completed', CANCELED: 'canceled', EXPIRED: 'expired', OPEN: 'opened' })[to] ?? to.toLowerCase();
