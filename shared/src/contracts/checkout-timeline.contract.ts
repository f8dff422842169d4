// The `timeline.*` channel: what other packages add to a checkout session's timeline (issue 19,
// seed 003 §16). checkout-session owns the timeline (checkout.timeline_entries, append-only) and
// writes its own entries in the transaction of each change; another package that does something
// to a checkout session (payment-intent: each payment attempt, 3-D Secure, capture, refund,
// cancel; the merchant subgraph: each webhook delivered or failed; issue 20: reservations,
// finalization) writes ONE outbox row with `checkoutTimelineOutboxEvent(...)` in the transaction
// of its change and routes `timeline.*` to CHECKOUT_TIMELINE_QUEUE. checkout-session's worker
// inserts the entry once: unique per (source schema, outbox row), so a re-added job writes nothing.
//
// Written once here: producers build the payload, checkout-session reads it (parseCheckoutTimelinePayload).
import type { OutboxEvent } from '../outbox/outbox.js';
import { isActor, type Actor } from '../identity/actor.js';

/** The queue checkout-session's timeline worker consumes (docs/internal-contracts.md). */
export const CHECKOUT_TIMELINE_QUEUE = 'checkout-timeline-entries';

export const CHECKOUT_TIMELINE_TOPIC_PREFIX = 'timeline.';
/** The outboxRoutes pattern a producer routes to CHECKOUT_TIMELINE_QUEUE. */
export const CHECKOUT_TIMELINE_TOPIC_PATTERN = `${CHECKOUT_TIMELINE_TOPIC_PREFIX}*`;

/**
 * The kinds other packages contribute (checkout-session's own are in its timeline folder). A
 * new producer adds its kinds here; the consumer accepts any kind of the shape `area.event`, so
 * a producer deployed before the consumer loses nothing.
 */
export const CONTRIBUTED_TIMELINE_KINDS = [
  // payment-intent, one per change of a checkout session's payment intent
  'payment.created',
  'payment.amount_updated',
  'payment.confirm_attempted',
  'payment.requires_action',
  'payment.processing',
  'payment.authorized',
  'payment.succeeded',
  'payment.failed',
  'payment.captured',
  'payment.refunded',
  'payment.canceled',
  'payment.disputed',
  // the merchant subgraph, one per delivery attempt of a webhook event about the session
  'webhook.sent',
  'webhook.failed',
  // issue 20 (inventory reservations, finalization): add their kinds here
] as const;
export type ContributedTimelineKind = (typeof CONTRIBUTED_TIMELINE_KINDS)[number];

/** `area.event` in lower snake case (`payment.failed`, `reservation.released`). */
export const TIMELINE_KIND_PATTERN = /^[a-z][a-z_]{0,30}\.[a-z][a-z_]{0,40}$/;
export const TIMELINE_SUMMARY_MAX = 500;
/** The most a contributed entry's `data` may weigh, as JSON. */
export const TIMELINE_DATA_MAX_BYTES = 16 * 1024;

/** What a producer writes (the outbox row's payload). */
export interface CheckoutTimelinePayload {
  checkoutId: string;
  /** The session's merchant: checked against the session before the entry is kept. */
  merchantId: string;
  kind: ContributedTimelineKind;
  /** ISO 8601: when it happened (the producer's change). */
  at: string;
  /** One line a person reads ("Payment declined: insufficient_funds"). */
  summary: string;
  /** Who did it (the request's actor; a PSP webhook; a service). */
  actor?: Actor | null;
  /** The facts, in the public API's snake_case (ids, amounts in minor units, codes); never a secret or card data. */
  data: Record<string, unknown>;
}

/** The outbox row of a contributed entry: topic `timeline.<kind>`, aggregate = the checkout session. */
export function checkoutTimelineOutboxEvent(payload: CheckoutTimelinePayload): OutboxEvent {
  return {
    topic: `${CHECKOUT_TIMELINE_TOPIC_PREFIX}${payload.kind}`,
    aggregateId: payload.checkoutId,
    payload: payload as unknown as Record<string, unknown>,
  };
}

/** The entry as the consumer keeps it (`kind` any well-formed kind), or what is wrong with it. */
export type ParsedTimelinePayload = Omit<CheckoutTimelinePayload, 'kind' | 'actor'> & { kind: string; actor: Actor | null };

export function parseCheckoutTimelinePayload(value: unknown): { ok: true; entry: ParsedTimelinePayload } | { ok: false; problem: string } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'payload is not an object' };
  const p = value as Record<string, unknown>;
  const id = (k: string) => typeof p[k] === 'string' && (p[k] as string).length > 0 && (p[k] as string).length <= 200;
  if (!id('checkoutId')) return { ok: false, problem: 'checkoutId' };
  if (!id('merchantId')) return { ok: false, problem: 'merchantId' };
  if (typeof p.kind !== 'string' || !TIMELINE_KIND_PATTERN.test(p.kind)) return { ok: false, problem: 'kind' };
  if (typeof p.at !== 'string' || Number.isNaN(Date.parse(p.at))) return { ok: false, problem: 'at' };
  if (typeof p.summary !== 'string' || p.summary.length === 0 || p.summary.length > TIMELINE_SUMMARY_MAX) return { ok: false, problem: 'summary' };
  if (p.actor !== undefined && p.actor !== null && !isActor(p.actor)) return { ok: false, problem: 'actor' };
  const data = p.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) return { ok: false, problem: 'data' };
  if (Buffer.byteLength(JSON.stringify(data)) > TIMELINE_DATA_MAX_BYTES) return { ok: false, problem: 'data is too large' };
  return {
    ok: true,
    entry: {
      checkoutId: p.checkoutId as string,
      merchantId: p.merchantId as string,
      kind: p.kind,
      at: new Date(p.at).toISOString(),
      summary: p.summary,
      actor: (p.actor as Actor | undefined) ?? null,
      data: data as Record<string, unknown>,
    },
  };
}
