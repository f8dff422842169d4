// Each delivery attempt of a webhook event about a checkout session goes on that session's
// timeline (issue 19, seed 003 §16: "webhooks sent"): webhook.sent for a 2xx, webhook.failed
// otherwise, written to this subgraph's outbox in the attempt's own transaction
// (DeliveryRecorder.record) and routed to checkout-session (shared/src/contracts/checkout-timeline.contract.ts).
// Events about no checkout (an endpoint's test, a conversion) add nothing.
import { checkoutTimelineOutboxEvent, serviceActor, type OutboxEvent } from '@handoff/shared';
import type { AttemptResult } from './delivery-attempt.js';
import { WEBHOOK_DELIVERY_QUEUE } from './delivery-queue.js';

/** What the attempt's entry names of its delivery (a ClaimedDelivery of delivery-recorder.ts). */
export interface DeliveryOnTimeline {
  id: string;
  eventId: string;
  endpointId: string;
  merchantId: string;
  roundAttempts: number;
  /** The stored body the receiver got (its `id`, `type` and `checkout_id` are read). */
  body: string;
}

interface BodyIds {
  id?: unknown;
  type?: unknown;
  checkout_id?: unknown;
}

export function deliveryTimelineEvent(d: DeliveryOnTimeline, attempt: AttemptResult, retrying: boolean): OutboxEvent | null {
  let body: BodyIds;
  try {
    body = JSON.parse(d.body) as BodyIds;
  } catch {
    return null;
  }
  if (typeof body.checkout_id !== 'string' || body.checkout_id === '') return null;
  const type = typeof body.type === 'string' ? body.type : 'event';
  const eventId = typeof body.id === 'string' ? body.id : d.eventId;
  const answer = attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? 'no answer');
  const summary = attempt.succeeded
    ? `Webhook ${type} (${eventId}) delivered to endpoint ${d.endpointId}: ${answer} in ${attempt.latencyMs} ms`
    : `Webhook ${type} (${eventId}) to endpoint ${d.endpointId} failed: ${attempt.error ?? answer}${retrying ? '; it will be retried' : ''}`;
  return checkoutTimelineOutboxEvent({
    checkoutId: body.checkout_id,
    merchantId: d.merchantId,
    kind: attempt.succeeded ? 'webhook.sent' : 'webhook.failed',
    at: new Date().toISOString(),
    summary,
    actor: serviceActor(WEBHOOK_DELIVERY_QUEUE),
    data: {
      event_id: eventId,
      event_type: type,
      endpoint_id: d.endpointId,
      delivery_id: d.id,
      attempt: d.roundAttempts + 1,
      status_code: attempt.statusCode,
      latency_ms: attempt.latencyMs,
      error: attempt.error,
      will_retry: !attempt.succeeded && retrying,
    },
  });
}
