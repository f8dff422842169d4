// The producer's side of shared/src/contracts/webhook-events.contract.ts: payment-intent builds
// its merchants' webhook events with a function typed as the contract's payload, emits only the
// contract's types, and routes them to the queue the contract names.
import {
  isWebhookEventType,
  OUTBOUND_WEBHOOK_EVENTS_QUEUE,
  routedQueues,
  webhookEventOutboxEvent,
  type WebhookEventPayload,
} from '@handoff/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { outboxRoutes } from '../events.js';
import { PaymentIntentEntity, shownOf } from './payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from './payment-intent.enums.js';
import { paymentWebhookPayload, WEBHOOK_TYPE_OF_TOPIC, webhookEventOfChange } from './payment-intent.webhook-event.js';

/** Every payload field, listed once: the compiler refuses a missing or an extra one. */
const PAYLOAD_FIELDS: Record<keyof WebhookEventPayload, true> = {
  type: true, merchantId: true, agentId: true, audience: true, checkoutId: true, paymentIntentId: true, correlation: true, object: true, previousAttributes: true, occurredAt: true,
};
/** A payment's event is for every audience: it never sets `audience` (the default, 'all'). */
const PAYMENT_PAYLOAD_FIELDS = Object.keys(PAYLOAD_FIELDS).filter((k) => k !== 'audience');

function intent(): PaymentIntentEntity {
  return Object.assign(new PaymentIntentEntity(), {
    id: 'pi_01', merchantId: 'mer_1', checkoutSessionId: 'cs_1', status: PaymentIntentStatus.REQUIRES_CAPTURE, currency: 'EUR', amountMinor: 2500,
    amountCapturedMinor: 0, amountRefundedMinor: 0, captureMode: CaptureMode.MANUAL, provider: PaymentProvider.TEST, providerPaymentId: 'pi_sbx_1',
    metadata: { aap_code: 'aap://x', aap_session_id: 'ses_1' }, description: null, nextAction: null, lastPaymentError: null,
    paymentMethodId: 'pm_1', checkoutBinding: false, version: 3, createdAt: new Date('2026-01-02T03:04:05.678Z'), updatedAt: new Date(),
  });
}

describe('payment-intent builds the shared webhook event contract', () => {
  it('types: its builder returns exactly the contract payload', () => {
    expectTypeOf(paymentWebhookPayload).returns.toEqualTypeOf<WebhookEventPayload>();
  });

  it('maps only to the contract’s event types', () => {
    for (const type of Object.values(WEBHOOK_TYPE_OF_TOPIC)) expect(isWebhookEventType(type), type).toBe(true);
  });

  it('a payload carries exactly the contract fields; previous_attributes are what changed since the last announced change', () => {
    const i = intent();
    i.shownBefore = shownOf(i);
    i.status = PaymentIntentStatus.SUCCEEDED;
    i.amountCapturedMinor = 2000;
    const event = webhookEventOfChange(i, 'payment_intent.succeeded')!;
    expect(event.topic).toBe('webhook_event.payment.succeeded');
    expect(event.aggregateId).toBe('mer_1');
    const p = event.payload as unknown as WebhookEventPayload;
    expect(Object.keys(p).sort()).toEqual(PAYMENT_PAYLOAD_FIELDS.sort());
    expect(p.previousAttributes).toEqual({ status: 'requires_capture', amount_captured: 0 });
    expect(p.object).toMatchObject({ status: 'succeeded', capture_mode: 'manual', created: 1767323045, metadata: { aap_session_id: 'ses_1' } });
    expect(p.object.metadata).not.toHaveProperty('aap_code');
    // The before moved on: an announced change with no webhook changes nothing to report later.
    expect(webhookEventOfChange(i, 'payment_intent.captured')).toBeNull();
    expect(i.shownBefore).toMatchObject({ status: PaymentIntentStatus.SUCCEEDED, amountCapturedMinor: 2000 });
    expect(webhookEventOutboxEvent(paymentWebhookPayload('payment.refunded', i)).payload).toMatchObject({ previousAttributes: null });
  });

  it('routes webhook_event.* to the queue the contract names', () => {
    expect(routedQueues(outboxRoutes, 'webhook_event.payment.disputed')).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
  });
});
