// The BI facts channel (issue 24 item 7), checkout-session and payment-intent → conversion-ledger.
// The ledger keeps one append-only fact table (`ledger.bi_facts`) for the funnel BI asks about:
// agent session → recommendation → checkout → payment → verified conversion → payout. Each fact
// comes from an event its owner already writes in the transaction of the change (no subgraph
// reads another's tables, no worker calls another subgraph):
//   agent_session.active     (checkout-session, a session started)        → AGENT_SESSION
//   recommendation.created   (checkout-session, written with the row)     → RECOMMENDATION (+ the session's AGENT_SESSION for its merchant and offer)
//   checkout_session.open    (checkout-session, a session created)        → CHECKOUT
//   payment_intent.succeeded (payment-intent, every path to SUCCEEDED)    → PAYMENT
//   payment_intent.refunded  (payment-intent, the refunded total moved)   → REFUND (the increase of the total)
// and the ledger's own `conversion.updated` rows (read from its own outbox in cursor order) →
// CONVERSION (first seen VERIFIED_PAYMENT + verified) and PAYOUT (first seen PAID).
// These topics are routed to the queue below in addition to their other routes; the payloads are
// the existing contracts' (PaymentIntentEventPayload, the checkout snapshots), plus this one.

/** The queue conversion-ledger consumes for BI facts (docs/bi.md). */
export const LEDGER_BI_FACTS_QUEUE = 'ledger-bi-facts';

export const AGENT_SESSION_STARTED_TOPIC = 'agent_session.active';
export const CHECKOUT_SESSION_CREATED_TOPIC = 'checkout_session.open';
export const RECOMMENDATION_CREATED_TOPIC = 'recommendation.created';

/** checkout-session's topics the ledger turns into facts. */
export const CHECKOUT_BI_FACT_TOPICS = [AGENT_SESSION_STARTED_TOPIC, RECOMMENDATION_CREATED_TOPIC, CHECKOUT_SESSION_CREATED_TOPIC] as const;

/** The payload of `recommendation.created` (checkout-session's recommend, same statement as the row). */
export interface RecommendationCreatedPayload {
  recommendation: {
    id: string;
    agentSessionId: string;
    agentId: string;
    offerId: string;
    merchantId: string;
    /** The offer's price currency (upper-case ISO 4217). */
    currency: string;
    /** ISO 8601: when the recommendation was made. */
    createdAt: string;
    /** ISO 8601: when its agent session started (the session's AGENT_SESSION fact for this merchant is bucketed there). */
    agentSessionStartedAt: string;
  };
}

/** The fact kinds of `ledger.bi_facts`, in funnel order. */
export const BI_FACT_KINDS = ['AGENT_SESSION', 'RECOMMENDATION', 'CHECKOUT', 'PAYMENT', 'REFUND', 'CONVERSION', 'PAYOUT'] as const;
export type BiFactKind = (typeof BI_FACT_KINDS)[number];
