// The sandbox's webhook events, in Stripe's shapes (event → data.object: a payment_intent, a
// charge with its refunds, or a dispute), written to the outbox in the transaction of the
// change; the delivery job (webhook-delivery.job.ts) signs and POSTs them after the commit.
import { addToOutbox } from '@handoff/shared';
import { ulid } from 'ulid';
import type { EntityManager } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity.js';
import type { SandboxPaymentEntity } from '../payments/payment.entities.js';

export const SANDBOX_SCHEMA = 'sandbox';
export const SANDBOX_WEBHOOK_TOPIC_PREFIX = 'sandbox_webhook.';
export const SANDBOX_SETTLE_TOPIC = 'sandbox_settle.due';

/** What a delivery job carries: the exact body is signed at send time. */
export interface SandboxWebhookPayload {
  merchantId: string;
  eventId: string;
  body: string;
}

const unix = (d: Date = new Date()) => Math.floor(d.getTime() / 1000);

export function paymentIntentObject(p: SandboxPaymentEntity): Record<string, unknown> {
  return {
    id: p.id,
    object: 'payment_intent',
    amount: p.amountMinor,
    amount_capturable: p.status === 'requires_capture' ? p.amountMinor : 0,
    amount_received: p.amountReceivedMinor,
    capture_method: p.captureMethod,
    created: unix(p.createdAt),
    currency: p.currency.toLowerCase(),
    description: p.description,
    latest_charge: p.chargeId,
    livemode: false,
    last_payment_error: p.lastPaymentError,
    metadata: p.metadata,
    payment_method: p.paymentMethodId,
    status: p.status,
  };
}

export function chargeObject(p: SandboxPaymentEntity, refund?: { id: string; amount: number }): Record<string, unknown> {
  const refunds = refund
    ? [{ id: refund.id, object: 'refund', amount: refund.amount, currency: p.currency.toLowerCase(), status: 'succeeded', payment_intent: p.id, charge: p.chargeId }]
    : [];
  return {
    id: p.chargeId,
    object: 'charge',
    amount: p.amountMinor,
    amount_captured: p.amountReceivedMinor,
    amount_refunded: p.amountRefundedMinor,
    currency: p.currency.toLowerCase(),
    metadata: p.metadata,
    payment_intent: p.id,
    refunded: p.amountRefundedMinor > 0 && p.amountRefundedMinor === p.amountReceivedMinor,
    refunds: { object: 'list', data: refunds, has_more: false },
    status: 'succeeded',
  };
}

/** The sandbox copies the payment's metadata onto its disputes (Stripe's are empty until set). */
export function disputeObject(p: SandboxPaymentEntity): Record<string, unknown> {
  const d = p.dispute!;
  return {
    id: d.id,
    object: 'dispute',
    amount: d.amount,
    charge: p.chargeId,
    currency: p.currency.toLowerCase(),
    metadata: p.metadata,
    payment_intent: p.id,
    reason: 'fraudulent',
    status: d.status,
  };
}

/**
 * Whether the merchant's endpoint takes events of `type`. It is subscribed to the types Handoff
 * handles (set with the account, as a Stripe endpoint's `enabled_events`; `*` for all): a
 * `payment_intent.created` would cost a signed POST, an inbox row and a job per checkout, only to
 * be recorded with no effect.
 */
export const endpointTakes = (enabledEvents: readonly string[], type: string): boolean => enabledEvents.includes('*') || enabledEvents.includes(type);

/** Per transaction (its EntityManager), the accounts' subscribed types as read in it: a change that emits two events (a create and confirm in one call) reads them once. */
const readIn = new WeakMap<EntityManager, Map<string, readonly string[] | null>>();

async function enabledEventsIn(manager: EntityManager, merchantId: string): Promise<readonly string[] | null> {
  let read = readIn.get(manager);
  if (!read) readIn.set(manager, (read = new Map()));
  if (read.has(merchantId)) return read.get(merchantId)!;
  const account = await manager.findOne(AccountEntity, { where: { merchantId }, select: { merchantId: true, enabledEvents: true } });
  read.set(merchantId, account?.enabledEvents ?? null);
  return account?.enabledEvents ?? null;
}

/**
 * Queues a signed webhook for the merchant (delivered after the commit, retried until 2xx); its
 * event id, or null for a type the endpoint is not subscribed to (`endpointTakes`).
 */
export async function emitSandboxWebhook(
  manager: EntityManager,
  p: SandboxPaymentEntity,
  type: string,
  object: Record<string, unknown>,
): Promise<string | null> {
  const enabledEvents = await enabledEventsIn(manager, p.merchantId);
  if (!enabledEvents || !endpointTakes(enabledEvents, type)) return null;
  const eventId = `evt_sbx_${ulid()}`;
  const body = JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2024-06-20',
    created: unix(),
    livemode: false,
    type,
    data: { object },
  });
  const payload: SandboxWebhookPayload = { merchantId: p.merchantId, eventId, body };
  await addToOutbox(manager, SANDBOX_SCHEMA, { topic: `${SANDBOX_WEBHOOK_TOPIC_PREFIX}${type}`, aggregateId: p.id, payload: { ...payload } });
  return eventId;
}
