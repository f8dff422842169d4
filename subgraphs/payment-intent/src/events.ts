// Where this subgraph's outbox events go (docs/internal-contracts.md): intent state changes to
// checkout-session (and pub/sub), verified PSP evidence to the ledger, merchants' webhook events
// to the merchant subgraph's webhook intake, checkout timeline entries to checkout-session. (The sandbox PSP, an
// external system, has its own outbox in simulators/psp-sandbox.)
import {
  AUDIT_LOG_QUEUE,
  AUDIT_TOPIC_PATTERN,
  CHECKOUT_PAYMENT_EVENTS_QUEUE,
  CHECKOUT_TIMELINE_QUEUE,
  CHECKOUT_TIMELINE_TOPIC_PATTERN,
  LEDGER_BI_FACTS_QUEUE,
  LEDGER_PAYMENT_EVENTS_QUEUE,
  LEDGER_PSP_EVENT_KINDS,
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  PAYMENT_INTENT_CANCELED_TOPIC,
  PAYMENT_INTENT_PAYMENT_FAILED_TOPIC,
  PAYMENT_INTENT_REFUNDED_TOPIC,
  PAYMENT_INTENT_SUCCEEDED_TOPIC,
  pspEventTopic,
  WEBHOOK_EVENT_TOPIC_PATTERN,
  type OutboxRoutes,
} from '@handoff/shared';

// The queues between packages are named once, in shared/src/contracts/ (their consumers import the same).
export { CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_PAYMENT_EVENTS_QUEUE };

// A job only where its consumer acts on the event: checkout-session completes on a succeeded
// payment, records a failed attempt (remediation), releases a canceled payment's reservation and tells an ACP session's agent of a refund; the ledger records conversions, clawbacks
// and disputes. Every other event is still written to the outbox (the record) and announced on
// pub/sub (subscriptions), but a job nobody acts on would only cost each webhook two more BullMQ
// round trips and a sweep check. The merchant
// subgraph delivers `webhook_event.*` to merchants' endpoints (webhook-events.contract.ts).
export const outboxRoutes: OutboxRoutes = {
  // Succeeded and refunded also to the ledger's BI facts (GMV, refunds: bi-facts.contract.ts).
  [PAYMENT_INTENT_SUCCEEDED_TOPIC]: [CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_BI_FACTS_QUEUE],
  [PAYMENT_INTENT_PAYMENT_FAILED_TOPIC]: [CHECKOUT_PAYMENT_EVENTS_QUEUE],
  // checkout-session releases the session's inventory reservation.
  [PAYMENT_INTENT_CANCELED_TOPIC]: [CHECKOUT_PAYMENT_EVENTS_QUEUE],
  // checkout-session tells an ACP session's agent of the refund (order_update, acp-order/).
  [PAYMENT_INTENT_REFUNDED_TOPIC]: [CHECKOUT_PAYMENT_EVENTS_QUEUE, LEDGER_BI_FACTS_QUEUE],
  [WEBHOOK_EVENT_TOPIC_PATTERN]: [OUTBOUND_WEBHOOK_EVENTS_QUEUE],
  // Each change of a checkout session's intent, on that session's timeline (payment-intent.timeline.ts).
  [CHECKOUT_TIMELINE_TOPIC_PATTERN]: [CHECKOUT_TIMELINE_QUEUE],
  // Each change of an intent, with its actor, to the merchant subgraph's audit log (payment-intent.audit.ts).
  [AUDIT_TOPIC_PATTERN]: [AUDIT_LOG_QUEUE],
  ...Object.fromEntries(LEDGER_PSP_EVENT_KINDS.map((kind) => [pspEventTopic(kind), [LEDGER_PAYMENT_EVENTS_QUEUE]])),
};
