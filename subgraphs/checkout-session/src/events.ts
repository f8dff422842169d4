// The events this subgraph announces through its outbox, and the queue it consumes. Its own
// `checkout_session.*` / `agent_session.*` events are pub/sub only; the merchants' webhook events
// (`webhook_event.checkout.*`: checkout-session/checkout.webhook-event.ts) go to the merchant
// subgraph's webhook intake (shared/src/contracts/webhook-events.contract.ts); its audit rows
// (`audit.*`: checkout-session/checkout.audit.ts) to the merchant subgraph's audit intake. Its
// own timeline entries are written directly (timeline/); other packages' come by the queue
// checkout-timeline-entries (timeline/timeline.job.ts).
import {
  addAllToOutbox,
  addToOutbox,
  AUDIT_LOG_QUEUE,
  AUDIT_TOPIC_PATTERN,
  changeWithEvent,
  CHECKOUT_EXPORT_REQUESTED_TOPIC,
  CHECKOUT_EXPORTS_QUEUE,
  CHECKOUT_BI_FACT_TOPICS,
  CHECKOUT_PAYMENT_EVENTS_QUEUE,
  LEDGER_BI_FACTS_QUEUE,
  LEDGER_TENDER_EVENTS_QUEUE,
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  qualifiedTable,
  TENDER_TOPIC_PATTERN,
  WEBHOOK_EVENT_TOPIC_PATTERN,
  type OutboxEvent,
  type OutboxRoutes,
} from '@handoff/shared';
import type { EntityManager } from 'typeorm';

export const SCHEMA_NAME = 'checkout';
export const SUBGRAPH_NAME = 'checkout-session';
/** `"checkout".<name>`, for the hand-written SQL of hot paths. */
export const table = (name: string) => qualifiedTable(SCHEMA_NAME, name);

/** payment-intent routes `payment_intent.succeeded` here (shared/src/contracts/payment-intent-events.contract.ts). */
export const PAYMENT_EVENTS_QUEUE = CHECKOUT_PAYMENT_EVENTS_QUEUE;
/** Package-private: checkout-session's own expiry sweep. */
export const EXPIRY_QUEUE = 'checkout-session-expiry';
/** Package-private: the inventory hold expiry sweep (reservation/reservation-expiry.job.ts). */
export const RESERVATION_EXPIRY_QUEUE = 'checkout-reservation-expiry';

export const outboxRoutes: OutboxRoutes = {
  // Async finalizations and rollbacks' payment undo, to their own jobs (order/finalization.job.ts).
  'checkout_finalization.requested': ['checkout-finalizations'],
  'checkout_finalization.rollback': ['checkout-finalization-compensations'],
  [WEBHOOK_EVENT_TOPIC_PATTERN]: [OUTBOUND_WEBHOOK_EVENTS_QUEUE],
  [AUDIT_TOPIC_PATTERN]: [AUDIT_LOG_QUEUE],
  // A requested export, to its own job (checkout-export/checkout-export.job.ts).
  [CHECKOUT_EXPORT_REQUESTED_TOPIC]: [CHECKOUT_EXPORTS_QUEUE],
  // Gift cards and store credit issued and redeemed, to the ledger's books (tender-events.contract.ts).
  [TENDER_TOPIC_PATTERN]: [LEDGER_TENDER_EVENTS_QUEUE],
  // Agent sessions started, recommendations, checkout sessions created: the ledger's BI facts (bi-facts.contract.ts).
  ...Object.fromEntries(CHECKOUT_BI_FACT_TOPICS.map((topic) => [topic, [LEDGER_BI_FACTS_QUEUE]])),
};

type EventKind = 'checkout_session' | 'agent_session';
const topicOf = (kind: EventKind, status: string) => `${kind}.${status.toLowerCase()}`;

/** The `checkout_session.<status>` / `agent_session.<status>` row, for a caller that writes it with others (timeline/timeline.record.ts). */
export const sessionEvent = (kind: EventKind, status: string, aggregateId: string, payload: Record<string, unknown>): OutboxEvent => ({
  topic: topicOf(kind, status),
  aggregateId,
  payload,
});

/**
 * `checkout_session.<status>` or `agent_session.<status>`, status in lower case; `also` are more
 * rows of the same change (the merchant's webhook event), written by the same INSERT.
 */
export async function emit(
  manager: EntityManager,
  kind: EventKind,
  status: string,
  aggregateId: string,
  payload: Record<string, unknown>,
  also: readonly OutboxEvent[] = [],
): Promise<string> {
  const event = { topic: topicOf(kind, status), aggregateId, payload };
  if (also.length === 0) return addToOutbox(manager, SCHEMA_NAME, event);
  return (await addAllToOutbox(manager, SCHEMA_NAME, [event, ...also]))[0]!;
}

/**
 * `change` (an INSERT or UPDATE on `$1…$n`) and its event in one statement, with `also` (the
 * merchant's webhook event) as more rows of it; how many rows it wrote (changeWithEvent).
 */
export function changeAndEmit(
  manager: EntityManager,
  change: { sql: string; params: unknown[]; also?: string[] },
  kind: EventKind,
  status: string,
  aggregateId: string,
  payload: Record<string, unknown>,
  also: readonly OutboxEvent[] = [],
): Promise<number> {
  return changeWithEvent(manager, SCHEMA_NAME, change, [{ topic: topicOf(kind, status), aggregateId, payload }, ...also]);
}

/** Told after a commit that wrote outbox rows, so the relay publishes at once. */
export interface OutboxNotifier {
  notify(): void;
}
export const noopNotifier: OutboxNotifier = { notify: () => undefined };
