// The events this subgraph announces through its outbox, and where the relay sends them.
// Nothing consumes them through a queue yet; they go out on Redis pub/sub, one channel per topic.
import { addToOutbox, API_KEY_REVOKED_TOPIC, MERCHANT_UPDATED_TOPIC, type OutboxRoutes } from '@handoff/shared';
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
export const outboxRoutes: OutboxRoutes = {};

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
