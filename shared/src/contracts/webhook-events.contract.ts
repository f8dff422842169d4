// The `webhook_event.*` channel: the events merchants receive on their webhook endpoints
// (outbound webhooks, issue 19). A package that announces a merchant-visible event writes ONE
// outbox row with `webhookEventOutboxEvent(...)` in the same transaction as the change it
// announces, and routes `webhook_event.*` to OUTBOUND_WEBHOOK_EVENTS_QUEUE (its events.ts
// outboxRoutes). The merchant subgraph consumes that queue: it records the event once (its id is
// `webhookEventId(schema, outboxId)`, the same however often the relay re-adds the job), fans
// it out to the merchant's enabled endpoints whose filter matches, and delivers each, signed,
// from its delivery worker (the only thing that calls merchants' URLs).
//
// Written once here: producers build the payload, the merchant subgraph reads it.
import { createHash } from 'node:crypto';
import type { OutboxEvent } from '../outbox/outbox.js';

/** The queue the merchant subgraph's webhook intake consumes (docs/internal-contracts.md). */
export const OUTBOUND_WEBHOOK_EVENTS_QUEUE = 'outbound-webhook-events';

export const WEBHOOK_EVENT_TOPIC_PREFIX = 'webhook_event.';
/** The outboxRoutes pattern a producer routes to OUTBOUND_WEBHOOK_EVENTS_QUEUE. */
export const WEBHOOK_EVENT_TOPIC_PATTERN = `${WEBHOOK_EVENT_TOPIC_PREFIX}*`;

/**
 * Every event type a merchant can subscribe to (API reference: docs/api.md, "Outbound
 * webhooks"). A producer may only emit these; an endpoint's filter may name these or `*`.
 */
export const WEBHOOK_EVENT_TYPES = [
  'checkout.created',
  'checkout.updated',
  'checkout.completed',
  'checkout.failed',
  'checkout.canceled',
  'checkout.expired',
  'order.created',
  'order.rolled_back',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.refunded',
  'payment.disputed',
  'payment.requires_action',
  'payment.amount_capturable_updated',
  'conversion.created',
  'conversion.verified',
  'conversion.clawed_back',
  'milestone.recorded',
  'settlement.batch_paid',
  'subscription.created',
  'subscription.updated',
  'subscription.paused',
  'subscription.resumed',
  'subscription.payment_method_updated',
  'invoice.paid',
  'invoice.payment_failed',
  'webhook_endpoint.test',
  'webhook_endpoint.disabled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The Agentic Commerce Protocol's order events (openapi.agentic_checkout_webhook.yaml): the body an
 * agent platform receives is the spec's `{ type, data: <Order> }` (the payload's `object` is the
 * Order), signed with `Merchant-Signature` as well. Only ever to agents' endpoints (audience 'agent').
 */
export const ACP_ORDER_EVENT_TYPES = ['order_create', 'order_update'] as const;
export type AcpOrderEventType = (typeof ACP_ORDER_EVENT_TYPES)[number];

export function isAcpOrderEventType(value: unknown): value is AcpOrderEventType {
  return typeof value === 'string' && (ACP_ORDER_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * What an AGENT's webhook endpoint may subscribe to (issue 21 items 3 and 7; docs/acp.md): events
 * about the checkout sessions it created, routed by the payload's `agentId`.
 */
export const AGENT_WEBHOOK_EVENT_TYPES = ['checkout.completed', 'payment.failed', 'conversion.verified', ...ACP_ORDER_EVENT_TYPES] as const;
export type AgentWebhookEventType = (typeof AGENT_WEBHOOK_EVENT_TYPES)[number];

export function isAgentWebhookEventType(value: unknown): value is AgentWebhookEventType {
  return typeof value === 'string' && (AGENT_WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** Any type the intake takes: a merchant's event type, or an ACP order event. */
export type DeliverableEventType = WebhookEventType | AcpOrderEventType;
export const isDeliverableEventType = (value: unknown): value is DeliverableEventType => isWebhookEventType(value) || isAcpOrderEventType(value);

/** What a producer writes (the outbox row's payload). */
export interface WebhookEventPayload {
  type: DeliverableEventType;
  /** The merchant whose endpoints receive it (the merchant the event is about, for an agent-only one). */
  merchantId: string;
  /**
   * The agent whose checkout session the event is about (the session's agent_id, the intent's
   * aap_agent_id, the conversion's agent_id): that agent's endpoints subscribed to the type get it
   * too, when the type is one of AGENT_WEBHOOK_EVENT_TYPES.
   */
  agentId?: string | null;
  /** 'agent': only the agent's endpoints get it (ACP order events, conversion.verified of a conversion recorded verified). */
  audience?: 'all' | 'agent';
  checkoutId?: string | null;
  paymentIntentId?: string | null;
  /** Ids that let a receiver join the event to others (agent_session_id, recommendation_id, conversion_id, request_id…). */
  correlation?: Record<string, string | null>;
  /** The object after the change, in the public API's snake_case JSON (amounts in minor units). */
  object: Record<string, unknown>;
  /** The changed fields' values before the change (seed 003's before/after snapshot); omitted when the object is new. */
  previousAttributes?: Record<string, unknown> | null;
  /** ISO 8601: when the change committed's transaction ran. */
  occurredAt: string;
}

/** The outbox row for a merchant-visible event: topic `webhook_event.<type>`, aggregate = the merchant. */
export function webhookEventOutboxEvent(payload: WebhookEventPayload): OutboxEvent {
  return {
    topic: `${WEBHOOK_EVENT_TOPIC_PREFIX}${payload.type}`,
    aggregateId: payload.merchantId,
    payload: payload as unknown as Record<string, unknown>,
  };
}

/** The public event id (`evt_` + 24 hex): a function of where the event was written, so a re-added job keeps it. */
export function webhookEventId(schema: string, outboxId: string): string {
  return `evt_${createHash('sha256').update(`${schema}:${outboxId}`).digest('hex').slice(0, 24)}`;
}

/**
 * The body a receiver gets (API.md): `{ id, type, created, data: { object, previous_attributes? },
 * checkout_id?, payment_intent_id?, correlation? }`, `created` in Unix seconds.
 */
export interface WebhookEventBody {
  id: string;
  object: 'event';
  type: DeliverableEventType;
  created: number;
  livemode: boolean;
  api_version: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  checkout_id?: string;
  payment_intent_id?: string;
  correlation?: Record<string, string | null>;
}
