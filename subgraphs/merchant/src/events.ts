// The events this subgraph announces through its outbox, and where the relay sends them. Its
// own events go out on Redis pub/sub only, one channel per topic (its audit rows go to its own
// audit intake, audit-log/; its webhook deliveries' checkout timeline entries to checkout-session); its merchants' webhook events
// (`webhook_event.webhook_endpoint.test` and `.disabled`) go, as every producer's, to the webhook
// intake it runs itself (shared/src/contracts/webhook-events.contract.ts).
import {
  addAllToOutbox,
  addToOutbox,
  API_KEY_REVOKED_TOPIC,
  AUDIT_LOG_QUEUE,
  AUDIT_TOPIC_PATTERN,
  CHECKOUT_TIMELINE_QUEUE,
  CHECKOUT_TIMELINE_TOPIC_PATTERN,
  MERCHANT_UPDATED_TOPIC,
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  WEBHOOK_EVENT_TOPIC_PATTERN,
  type OutboxEvent,
  type OutboxRoutes,
} from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { SCHEMA_NAME } from './constants.js';

export const MerchantTopic = {
  merchantCreated: 'merchant.created',
  /** Heard by payment-intent (shared/src/contracts/merchant-events.contract.ts). */
  merchantUpdated: MERCHANT_UPDATED_TOPIC,
  offerCreated: 'offer.created',
  offerUpdated: 'offer.updated',
  agentRegistered: 'agent.registered',
  builderRegistered: 'builder.registered',
  /** Heard by the gateway (shared/src/contracts/merchant-events.contract.ts). */
  apiKeyRevoked: API_KEY_REVOKED_TOPIC,
} as const;
export type MerchantTopic = (typeof MerchantTopic)[keyof typeof MerchantTopic];

/** Topic → queues. Consumers add their queue here when they start listening. */
export const outboxRoutes: OutboxRoutes = {
  [WEBHOOK_EVENT_TOPIC_PATTERN]: [OUTBOUND_WEBHOOK_EVENTS_QUEUE],
  // Its configuration changes, to the audit intake it runs itself (audit-log/).
  [AUDIT_TOPIC_PATTERN]: [AUDIT_LOG_QUEUE],
  // Webhook deliveries about a checkout, on that checkout's timeline (webhook-delivery/delivery-timeline.ts).
  [CHECKOUT_TIMELINE_TOPIC_PATTERN]: [CHECKOUT_TIMELINE_QUEUE],
};

/** Writes the event inside the caller's transaction; `also` (the change's audit row) in the same INSERT. */
export async function emit(
  manager: EntityManager,
  topic: MerchantTopic,
  aggregateId: string,
  payload: Record<string, unknown>,
  also: readonly OutboxEvent[] = [],
): Promise<string> {
  if (also.length === 0) return addToOutbox(manager, SCHEMA_NAME, { topic, aggregateId, payload });
  return (await addAllToOutbox(manager, SCHEMA_NAME, [{ topic, aggregateId, payload }, ...also]))[0]!;
}

/** Writes rows of a change that has no event of its own (its audit row), in the caller's transaction. */
export async function writeEvents(manager: EntityManager, events: readonly OutboxEvent[]): Promise<void> {
  await addAllToOutbox(manager, SCHEMA_NAME, events);
}

/** Told after a commit that wrote outbox rows, so an in-process relay publishes at once. */
export interface OutboxNotifier {
  notify(): void;
}

export const noopNotifier: OutboxNotifier = { notify: () => undefined };
