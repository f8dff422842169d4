// Each delivery attempt of a webhook event about a checkout, as the checkout's timeline entry
// (the contract's payload, accepted by checkout-session's consumer): webhook.sent for a 2xx,
// webhook.failed otherwise (saying whether it is retried); none for an event about no checkout.
import { CHECKOUT_TIMELINE_QUEUE, parseCheckoutTimelinePayload, routedQueues } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { outboxRoutes } from '../events.js';
import type { AttemptResult } from './delivery-attempt.js';
import { deliveryTimelineEvent } from './delivery-timeline.js';

const delivery = (body: Record<string, unknown> | string) => ({
  id: 'wd_1',
  eventId: 'evt_row',
  endpointId: 'we_1',
  merchantId: 'mer_1',
  roundAttempts: 2,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const ok: AttemptResult = { succeeded: true, statusCode: 200, error: null, latencyMs: 12, responseExcerpt: '{"ok":true}' };
const down: AttemptResult = { succeeded: false, statusCode: 503, error: null, latencyMs: 40, responseExcerpt: null };
const body = { id: 'evt_abc', object: 'event', type: 'checkout.completed', checkout_id: 'cs_1', data: { object: {} } };

describe("a webhook delivery on its checkout's timeline", () => {
  it('is routed to checkout-session', () => {
    expect(routedQueues(outboxRoutes, 'timeline.webhook.sent')).toEqual([CHECKOUT_TIMELINE_QUEUE]);
  });

  it('webhook.sent: the event, the endpoint, the answer, the attempt', () => {
    const e = deliveryTimelineEvent(delivery(body), ok, false)!;
    expect(e.topic).toBe('timeline.webhook.sent');
    expect(e.aggregateId).toBe('cs_1');
    expect(e.payload).toMatchObject({
      checkoutId: 'cs_1',
      merchantId: 'mer_1',
      kind: 'webhook.sent',
      summary: 'Webhook checkout.completed (evt_abc) delivered to endpoint we_1: HTTP 200 in 12 ms',
      actor: { kind: 'service', id: 'webhook-deliveries' },
      data: { event_id: 'evt_abc', event_type: 'checkout.completed', endpoint_id: 'we_1', delivery_id: 'wd_1', attempt: 3, status_code: 200, will_retry: false },
    });
    expect(parseCheckoutTimelinePayload(e.payload).ok).toBe(true);
  });

  it('webhook.failed: says whether it is retried', () => {
    expect(deliveryTimelineEvent(delivery(body), down, true)!.payload).toMatchObject({ kind: 'webhook.failed', data: { status_code: 503, will_retry: true } });
    const timeout = deliveryTimelineEvent(delivery(body), { ...down, statusCode: null, error: 'timeout' }, false)!;
    expect(timeout.payload).toMatchObject({ summary: 'Webhook checkout.completed (evt_abc) to endpoint we_1 failed: timeout', data: { will_retry: false } });
  });

  it('none for an event about no checkout, or a body that is not JSON', () => {
    expect(deliveryTimelineEvent(delivery({ ...body, checkout_id: undefined, type: 'webhook_endpoint.test' }), ok, false)).toBeNull();
    expect(deliveryTimelineEvent(delivery('not json'), ok, false)).toBeNull();
  });
});
