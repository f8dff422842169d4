// The consumer's side of shared/src/contracts/webhook-events.contract.ts: the merchant subgraph's
// intake listens on the queue the contract names, reads exactly the contract's payload, builds
// the contract's body, and routes its own `webhook_event.*` rows to that queue (checked by
// `npm run typecheck:tests`, which includes every *.contract.spec.ts).
import {
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  routedQueues,
  webhookEventId,
  webhookEventOutboxEvent,
  type WebhookEventBody,
  type WebhookEventPayload,
} from '@handoff/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { outboxRoutes } from '../events.js';
import { deliveredBody, InvalidWebhookEvent, webhookEventBody, webhookEventPayloadOf } from './webhook-event-body.js';

describe('the merchant subgraph consumes the shared webhook event contract', () => {
  it('types: reads the contract payload, builds the contract body', () => {
    expectTypeOf(webhookEventPayloadOf).returns.toEqualTypeOf<WebhookEventPayload>();
    expectTypeOf(webhookEventBody).returns.toEqualTypeOf<WebhookEventBody>();
    expectTypeOf(webhookEventBody).parameter(1).toEqualTypeOf<WebhookEventPayload>();
  });

  it('routes its own webhook_event rows to the intake queue', () => {
    expect(routedQueues(outboxRoutes, 'webhook_event.webhook_endpoint.test')).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    expect(routedQueues(outboxRoutes, 'merchant.updated')).toEqual([]);
  });

  it('a producer row round-trips: payload read back, body with the public id, snake_case, previous_attributes', () => {
    const payload: WebhookEventPayload = {
      type: 'payment.refunded',
      merchantId: 'mer_1',
      checkoutId: 'cs_1',
      paymentIntentId: 'pi_1',
      correlation: { request_id: 'req_1' },
      object: { id: 'pi_1', amount_refunded: 500 },
      previousAttributes: { amount_refunded: 0 },
      occurredAt: '2026-03-04T05:06:07.890Z',
    };
    const row = webhookEventOutboxEvent(payload);
    const read = webhookEventPayloadOf({ topic: row.topic, payload: JSON.parse(JSON.stringify(row.payload)) });
    // Read back with the routing defaults: no agent, every audience.
    expect(read).toEqual({ ...payload, agentId: null, audience: 'all' });
    const id = webhookEventId('payment', '77');
    expect(webhookEventBody(id, read, false)).toEqual({
      id,
      object: 'event',
      type: 'payment.refunded',
      created: 1772600767,
      livemode: false,
      api_version: '2026-12-01',
      checkout_id: 'cs_1',
      payment_intent_id: 'pi_1',
      correlation: { request_id: 'req_1' },
      data: { object: { id: 'pi_1', amount_refunded: 500 }, previous_attributes: { amount_refunded: 0 } },
    });
  });

  it('refuses what is not the contract', () => {
    const ok = webhookEventOutboxEvent({ type: 'checkout.created', merchantId: 'm', object: {}, occurredAt: new Date(0).toISOString() });
    expect(() => webhookEventPayloadOf({ topic: 'webhook_event.checkout.completed', payload: ok.payload })).toThrow(/topic/);
    expect(() => webhookEventPayloadOf({ topic: ok.topic, payload: { ...ok.payload, merchantId: '' } })).toThrow(/merchantId/);
    expect(() => webhookEventPayloadOf({ topic: ok.topic, payload: { ...ok.payload, object: 'x' } })).toThrow(/object/);
    expect(() => webhookEventPayloadOf({ topic: ok.topic, payload: { ...ok.payload, occurredAt: 'soon' } })).toThrow(/occurredAt/);
  });

  it("an ACP order event: for the agent's endpoints only, its body the spec's { type, data }", () => {
    const order = { type: 'order', id: 'ord_cs_1', checkout_session_id: 'cs_1', permalink_url: 'https://h.example/checkout/cs_1', status: 'confirmed' };
    const payload: WebhookEventPayload = { type: 'order_create', merchantId: 'mer_1', agentId: 'agt_1', checkoutId: 'cs_1', object: order, occurredAt: '2026-03-04T05:06:07.890Z' };
    const row = webhookEventOutboxEvent(payload);
    expect(row.topic).toBe('webhook_event.order_create');
    expect(routedQueues(outboxRoutes, row.topic)).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    const read = webhookEventPayloadOf({ topic: row.topic, payload: JSON.parse(JSON.stringify(row.payload)) });
    expect(read).toMatchObject({ type: 'order_create', agentId: 'agt_1', audience: 'agent' });
    expect(deliveredBody(webhookEventId('checkout', '9'), read, true)).toEqual({ type: 'order_create', data: order });
    expect(() => webhookEventPayloadOf({ topic: row.topic, payload: { ...payload, agentId: null } })).toThrow(InvalidWebhookEvent);
    expect(() => webhookEventPayloadOf({ topic: 'webhook_event.checkout.completed', payload: { ...payload, type: 'checkout.completed', audience: 'some' } })).toThrow(InvalidWebhookEvent);
  });
});
