// The JSON a merchant's endpoint receives for an event (docs/api.md, "Outbound webhooks";
// WebhookEventBody in shared/src/contracts/webhook-events.contract.ts), built once at intake from
// the producer's payload and stored as the exact bytes every attempt sends. A job whose payload
// is not the contract's is refused as a whole (InvalidWebhookEvent): nothing recorded.
import {
  isAcpOrderEventType,
  isDeliverableEventType,
  WEBHOOK_EVENT_TOPIC_PREFIX,
  type OutboxJobData,
  type WebhookEventBody,
  type WebhookEventPayload,
} from '@handoff/shared';

/** The body's `api_version`: the shape documented in docs/api.md. A change to the shape gets a new one. */
export const WEBHOOK_API_VERSION = '2026-12-01';

export class InvalidWebhookEvent extends Error {
  constructor(reason: string) {
    super(`Not a webhook event of the contract: ${reason}`);
    this.name = 'InvalidWebhookEvent';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalId = (v: unknown, name: string): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '' || v.length > 200) throw new InvalidWebhookEvent(`${name} must be a non-empty string`);
  return v;
};

/** The contract's payload of an outbox job routed to the intake, checked. */
export function webhookEventPayloadOf(job: Pick<OutboxJobData, 'topic' | 'payload'>): WebhookEventPayload {
  const p = job.payload as Partial<WebhookEventPayload> | undefined;
  if (!isRecord(p)) throw new InvalidWebhookEvent('payload is not an object');
  if (!isDeliverableEventType(p.type)) throw new InvalidWebhookEvent(`unknown type ${JSON.stringify(p.type)}`);
  if (job.topic !== `${WEBHOOK_EVENT_TOPIC_PREFIX}${p.type}`) throw new InvalidWebhookEvent(`topic ${job.topic} does not name type ${p.type}`);
  if (typeof p.merchantId !== 'string' || p.merchantId === '' || p.merchantId.length > 100) throw new InvalidWebhookEvent('merchantId is missing');
  if (!isRecord(p.object)) throw new InvalidWebhookEvent('object is not an object');
  if (p.previousAttributes !== undefined && p.previousAttributes !== null && !isRecord(p.previousAttributes)) {
    throw new InvalidWebhookEvent('previousAttributes is not an object');
  }
  if (p.correlation !== undefined && p.correlation !== null && !isRecord(p.correlation)) throw new InvalidWebhookEvent('correlation is not an object');
  if (typeof p.occurredAt !== 'string' || Number.isNaN(Date.parse(p.occurredAt))) throw new InvalidWebhookEvent('occurredAt is not a time');
  if (p.audience !== undefined && p.audience !== null && p.audience !== 'all' && p.audience !== 'agent') throw new InvalidWebhookEvent('audience is neither all nor agent');
  const agentId = optionalId(p.agentId, 'agentId');
  // An ACP order event is for the agent platform only, and is about one agent's session.
  if (isAcpOrderEventType(p.type) && agentId === null) throw new InvalidWebhookEvent(`${p.type} names no agent`);
  return {
    type: p.type,
    merchantId: p.merchantId,
    agentId,
    audience: isAcpOrderEventType(p.type) ? 'agent' : (p.audience ?? 'all'),
    checkoutId: optionalId(p.checkoutId, 'checkoutId'),
    paymentIntentId: optionalId(p.paymentIntentId, 'paymentIntentId'),
    correlation: (p.correlation as Record<string, string | null> | null | undefined) ?? undefined,
    object: p.object,
    previousAttributes: (p.previousAttributes as Record<string, unknown> | null | undefined) ?? null,
    occurredAt: new Date(p.occurredAt).toISOString(),
  };
}

/**
 * The stored body of event `id`: an ACP order event is the spec's `{ type, data: <Order> }`
 * (openapi.agentic_checkout_webhook.yaml's WebhookEvent, nothing more: it allows no other key);
 * any other is Handoff's event body (webhookEventBody).
 */
export function deliveredBody(id: string, p: WebhookEventPayload, livemode: boolean): WebhookEventBody | { type: string; data: Record<string, unknown> } {
  if (isAcpOrderEventType(p.type)) return { type: p.type, data: p.object };
  return webhookEventBody(id, p, livemode);
}

/** The body of event `id`; keys in a fixed order (the stored JSON is sent byte for byte). */
export function webhookEventBody(id: string, p: WebhookEventPayload, livemode: boolean): WebhookEventBody {
  const correlation = p.correlation && Object.keys(p.correlation).length > 0 ? p.correlation : undefined;
  return {
    id,
    object: 'event',
    type: p.type,
    created: Math.floor(Date.parse(p.occurredAt) / 1000),
    livemode,
    api_version: WEBHOOK_API_VERSION,
    ...(p.checkoutId ? { checkout_id: p.checkoutId } : {}),
    ...(p.paymentIntentId ? { payment_intent_id: p.paymentIntentId } : {}),
    ...(correlation ? { correlation } : {}),
    data: { object: p.object, ...(p.previousAttributes ? { previous_attributes: p.previousAttributes } : {}) },
  };
}
