// A payment intent's audit rows (issue 19, seed 003 §17; shared/src/contracts/audit.contract.ts):
// every announced change of an intent (payment-intent.changes.ts eventsOf) writes one, in the
// change's INSERT: created, each status it moves to (requires_action, processing,
// requires_capture, succeeded, canceled), payment_failed (a decline, with or without a move),
// captured, refunded, amount_updated. before/after are the fields of the intent that changed, as
// merchants' webhooks show it (no card, no client secret, no AAP code). The actor is the request's
// (the hosted page, a merchant's key), the PSP's webhook event, or payment-intent itself.
import { auditOutboxEvent, changedFields, type OutboxEvent } from '@handoff/shared';
import type { PaymentIntentEntity } from './payment-intent.entity.js';
import { paymentIntentWebhookObject } from './payment-intent.webhook-event.js';

const SERVICE = 'payment-intent';

/** `payment_intent.succeeded` → `succeeded`. */
export const auditActionOf = (topic: string) => topic.replace(/^payment_intent\./, '');

/** The audit row of a change announced as `topic` (call before the webhook event moves `shownBefore` on). */
export function paymentIntentAudit(intent: PaymentIntentEntity, topic: string): OutboxEvent[] {
  const action = auditActionOf(topic);
  const after = paymentIntentWebhookObject(intent);
  const base = { entityType: 'payment_intent' as const, entityId: intent.id, merchantId: intent.merchantId, action };
  if (action === 'created' || !intent.shownBefore) return [auditOutboxEvent({ ...base, after }, SERVICE)];
  // A change that moved nothing the object shows (a second decline of the same code) still happened: its row says so.
  const diff = changedFields(paymentIntentWebhookObject(intent.shownBefore), after) ?? { before: {}, after: {} };
  return [auditOutboxEvent({ ...base, ...diff }, SERVICE)];
}
