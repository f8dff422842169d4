// The events this subgraph announces through its outbox, and where the relay sends them. Its
// own events go out on Redis pub/sub only, one channel per topic; its merchants' webhook events
// (`webhook_event.webhook_endpoint.test` and `.disabled`) go, as every producer's, to the webhook
// intake it runs itself (shared/src/contracts/webhook-events.contract.ts).
import {
  addToOutbox,
  API_KEY_REVOKED_TOPIC,
  MERCHANT_UPDATED_TOPIC,
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  WEBHOOK_EVENT_TOPIC_PATTERN,
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
export const outboxRoutes: OutboxRoutes = { [WEBHOOK_EVENT_TOPIC_PATTERN]: [OUTBOUND_WEBHOOK_EVENTS_QUEUE] };

/** Writes the event inside the caller's transaction. */
export function emit(
  manager: EntityManager,
  topic: MerchantTopic,
  aggregateId: string,
  payload: Record<string, unknown>,
): Promise<string> {
  return addToOutbox(manager, SCHEMA_NAME, { topic, aggregateId, payload });
}

/** Told after a commit that wrote outbox rows, so an in-process relay publishes at once. */
export interface OutboxNotifier {
  notify(): void;
}

export const noopNotifier: OutboxNotifier = { notify: () => undefined };
