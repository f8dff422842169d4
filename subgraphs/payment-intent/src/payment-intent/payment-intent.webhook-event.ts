// The merchant's webhook events of a payment intent's changes (outbound webhooks, issue 19;
// shared/src/contracts/webhook-events.contract.ts). announce() writes one beside the change's
// `payment_intent.*` row, in the same statement, for the changes a merchant subscribes to:
//   payment_intent.succeeded       → payment.succeeded (a capture's SUCCEEDED included)
//   payment_intent.payment_failed  → payment.failed (a declined attempt, with or without a status move)
//   payment_intent.canceled        → payment.canceled
//   payment_intent.refunded        → payment.refunded (each refund counted: amount_refunded moved)
//   payment_intent.requires_action → payment.requires_action (3-D Secure)
//   payment_intent.requires_capture → payment.amount_capturable_updated (a MANUAL intent authorized)
// and payment.disputed from a PSP's dispute-opened event (apply-psp-event.ts). The other topics
// (created, processing, requires_confirmation, captured — its SUCCEEDED already went —, amount_updated)
// have no webhook.
//
// The object is the intent in the REST API's snake_case (amounts in minor units, statuses in lower
// case, capture_mode "auto" | "manual"); never a card, a client secret or the AAP code itself.
import {
  currentRequestId,
  webhookEventOutboxEvent,
  type OutboxEvent,
  type WebhookEventPayload,
  type WebhookEventType,
} from '@handoff/shared';
import { shownOf, type PaymentIntentShown } from './payment-intent.entity.js';
import { CaptureMode } from './payment-intent.enums.js';
import { AGENT_METADATA_KEY } from './payment-intent.access.js';

/** Which `payment_intent.*` topic is which webhook event type; a topic not here has none. */
export const WEBHOOK_TYPE_OF_TOPIC: Readonly<Record<string, WebhookEventType>> = {
  'payment_intent.succeeded': 'payment.succeeded',
  'payment_intent.payment_failed': 'payment.failed',
  'payment_intent.canceled': 'payment.canceled',
  'payment_intent.refunded': 'payment.refunded',
  'payment_intent.requires_action': 'payment.requires_action',
  'payment_intent.requires_capture': 'payment.amount_capturable_updated',
};

/** Metadata keys a webhook never carries: the AAP code (a bearer of attribution, kept to Handoff's own records). */
const HIDDEN_METADATA = new Set(['aap_code']);

/** The payment intent as merchants' webhooks show it. */
export function paymentIntentWebhookObject(i: PaymentIntentShown): Record<string, unknown> {
  return {
    id: i.id,
    object: 'payment_intent',
    status: i.status.toLowerCase(),
    amount: i.amountMinor,
    amount_captured: i.amountCapturedMinor,
    amount_refunded: i.amountRefundedMinor,
    currency: i.currency,
    capture_mode: i.captureMode === CaptureMode.MANUAL ? 'manual' : 'auto',
    checkout_id: i.checkoutSessionId,
    metadata: Object.fromEntries(Object.entries(i.metadata ?? {}).filter(([k]) => !HIDDEN_METADATA.has(k))),
    last_payment_error: i.lastPaymentError
      ? { code: i.lastPaymentError.code, decline_code: i.lastPaymentError.declineCode, message: i.lastPaymentError.message }
      : null,
    created: Math.floor(new Date(i.createdAt).getTime() / 1000),
  };
}

/** The fields of the object that differ from `before`, with their earlier values; null when none (or no before). */
export function previousAttributes(before: PaymentIntentShown | undefined, after: Record<string, unknown>): Record<string, unknown> | null {
  if (!before) return null;
  const earlier = paymentIntentWebhookObject(before);
  const changed = Object.keys(after).filter((k) => JSON.stringify(earlier[k]) !== JSON.stringify(after[k]));
  return changed.length > 0 ? Object.fromEntries(changed.map((k) => [k, earlier[k]])) : null;
}

/** correlation: the request, and the agent session and recommendation of an agent checkout's intent. */
function correlationOf(i: PaymentIntentShown): Record<string, string> {
  const m = (i.metadata ?? {}) as Record<string, unknown>;
  const ids: Record<string, unknown> = {
    request_id: currentRequestId(),
    agent_session_id: m.aap_session_id,
    recommendation_id: m.aap_recommendation_id,
  };
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

/** The payload of a payment intent's webhook event (`extra` adds fields to the object, e.g. a dispute). */
export function paymentWebhookPayload(
  type: WebhookEventType,
  intent: PaymentIntentShown & { merchantId: string; shownBefore?: PaymentIntentShown },
  extra: Record<string, unknown> = {},
): WebhookEventPayload {
  const object = { ...paymentIntentWebhookObject(intent), ...extra };
  const agentId = (intent.metadata as Record<string, unknown> | null | undefined)?.[AGENT_METADATA_KEY];
  return {
    type,
    merchantId: intent.merchantId,
    // An agent checkout's intent: that agent's endpoints get payment.failed too.
    agentId: typeof agentId === 'string' && agentId !== '' ? agentId : null,
    checkoutId: intent.checkoutSessionId,
    paymentIntentId: intent.id,
    correlation: correlationOf(intent),
    object,
    previousAttributes: previousAttributes(intent.shownBefore, paymentIntentWebhookObject(intent)),
    occurredAt: new Date().toISOString(),
  };
}

/**
 * The webhook event row of a change announced as `topic`, or none; either way the intent's
 * `shownBefore` moves on to what it is now (the next change's before).
 */
export function webhookEventOfChange(
  intent: PaymentIntentShown & { merchantId: string; shownBefore?: PaymentIntentShown },
  topic: string,
): OutboxEvent | null {
  const type = WEBHOOK_TYPE_OF_TOPIC[topic];
  const event = type ? webhookEventOutboxEvent(paymentWebhookPayload(type, intent)) : null;
  intent.shownBefore = shownOf(intent);
  return event;
}
