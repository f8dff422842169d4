// The one way a payment intent changes: a versioned save, a timeline row and an outbox event
// (and, for the changes merchants subscribe to, their `webhook_event.*` row: payment-intent.webhook-event.ts;
// its audit row; its checkout session's timeline entries), all in the caller's transaction. `transition` adds the state-table check for status moves.
import { assertTransition, changeWithEvent, PAYMENT_INTENT_REFUNDED_TOPIC, qualifiedTable, versionConflict, type PaymentIntentEventPayload, type PaymentIntentRecord, type PaymentIntentRefundRecord } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { PaymentEventEntity } from './payment-event.entity.js';
import { PaymentIntentEntity } from './payment-intent.entity.js';
import { PaymentIntentStatus as S } from './payment-intent.enums.js';
import type { PaymentIntentStatus } from './payment-intent.enums.js';
import { startSubscriptionFromPayment } from '../billing-subscription/billing-checkout.js';
import { renewalPaid } from '../billing-subscription/billing-renewal-paid.js';
import { cannotFromStatusRefusal } from './payment-intent.errors.js';
import { paymentIntentStates, statusTopic } from './payment-intent.states.js';
import { paymentIntentAudit } from './payment-intent.audit.js';
import { timelineEventsOfChange } from './payment-intent.timeline.js';
import { webhookEventOfChange } from './payment-intent.webhook-event.js';

export const PAYMENT_SCHEMA = 'payment';

/** The intent as every `payment_intent.*` event carries it (docs/internal-contracts.md). */
export function paymentIntentSnapshot(i: PaymentIntentEntity): PaymentIntentRecord {
  return {
    id: i.id,
    status: i.status,
    amountMinor: i.amountMinor,
    currency: i.currency,
    amountCapturedMinor: i.amountCapturedMinor,
    amountRefundedMinor: i.amountRefundedMinor,
    merchantId: i.merchantId,
    checkoutSessionId: i.checkoutSessionId,
    // The total checkout-session asked this intent to charge (createForCheckout refuses other
    // terms for the same session; a bound intent's amount is updated to the session's calculated
    // total before it is confirmed, never after): the ledger's checkout total.
    checkoutTotal: i.checkoutSessionId ? { amountMinor: i.amountMinor, currency: i.currency } : null,
    provider: i.provider,
    providerPaymentId: i.providerPaymentId,
    // Written only from string values (createForCheckout's stringValues).
    metadata: i.metadata as Record<string, string>,
    // Why the last attempt failed (checkout-session records a declined checkout's reason from it).
    lastPaymentError: i.lastPaymentError ? { code: i.lastPaymentError.code, declineCode: i.lastPaymentError.declineCode ?? null } : null,
    // The subscription period it pays (billing-subscription/): 1 for a SUBSCRIPTION checkout's first payment.
    recurring: i.billingSubscriptionId && i.billingPeriod ? { subscriptionId: i.billingSubscriptionId, period: i.billingPeriod } : null,
  };
}

/** Adds a timeline row without an outbox event (e.g. a PSP event that changes nothing here). */
export async function recordTimeline(manager: EntityManager, intentId: string, type: string, data: Record<string, unknown>): Promise<void> {
  await manager.insert(PaymentEventEntity, { paymentIntentId: intentId, type, data: data as never });
}

/**
 * Saves `intent` (already modified by the caller) if its version is still the one loaded, and
 * writes `topic` to the timeline and the outbox. A concurrent change → VERSION_CONFLICT.
 */
export async function saveChange(
  manager: EntityManager,
  intent: PaymentIntentEntity,
  topic: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  const loaded = intent.version;
  const now = new Date();
  const result = await manager.update(
    PaymentIntentEntity,
    { id: intent.id, version: loaded },
    {
      status: intent.status,
      amountCapturedMinor: intent.amountCapturedMinor,
      amountRefundedMinor: intent.amountRefundedMinor,
      nextAction: intent.nextAction,
      lastPaymentError: intent.lastPaymentError,
      paymentMethodId: intent.paymentMethodId,
      // Set once (billing-checkout.ts prepareCheckoutBilling), never cleared: a save of an intent loaded without them leaves them be.
      ...(intent.billingSubscriptionId ? { billingSubscriptionId: intent.billingSubscriptionId, billingPeriod: intent.billingPeriod ?? null } : {}),
      ...(intent.billingPlan ? { billingPlan: intent.billingPlan as never } : {}),
      version: loaded + 1,
      updatedAt: now,
    },
  );
  if (result.affected !== 1) {
    const current = await manager.findOneBy(PaymentIntentEntity, { id: intent.id });
    throw versionConflict(loaded, current?.version ?? -1);
  }
  intent.version = loaded + 1;
  intent.updatedAt = now;
  await announce(manager, intent, topic, data);
}

const TIMELINE_INSERT = `INSERT INTO ${qualifiedTable(PAYMENT_SCHEMA, 'payment_events')} (payment_intent_id, type, data) VALUES ($1, $2, $3::jsonb)`;

/** A change's timeline data: the status and version it left, and the caller's details. */
const timelineData = (intent: PaymentIntentEntity, data: Record<string, unknown> = {}) => JSON.stringify({ status: intent.status, version: intent.version, ...data });

const outboxEvent = (intent: PaymentIntentEntity, topic: string, data: Record<string, unknown> = {}) => ({
  topic,
  aggregateId: intent.id,
  payload: { ...paymentIntentEventPayload(intent), ...(topic === PAYMENT_INTENT_REFUNDED_TOPIC ? { refund: refundOf(data) } : {}) },
});

/** The refund a `payment_intent.refunded` change names (refund.service.ts: refundId, amountMinor, reason). */
const refundOf = (data: Record<string, unknown>): PaymentIntentRefundRecord => ({
  id: typeof data.refundId === 'string' ? data.refundId : null,
  amountMinor: typeof data.amountMinor === 'number' ? data.amountMinor : null,
  reason: typeof data.reason === 'string' ? data.reason : null,
});

/** The payload of a `payment_intent.*` event (shared/src/contracts/payment-intent-events.contract.ts). */
export const paymentIntentEventPayload = (intent: PaymentIntentEntity): PaymentIntentEventPayload => ({
  paymentIntent: paymentIntentSnapshot(intent),
  occurredAt: new Date().toISOString(),
});

/**
 * The change's outbox rows: its `topic` event, the merchant's webhook event when it has one, its
 * audit row (payment-intent.audit.ts) and its checkout session's timeline entries
 * (payment-intent.timeline.ts), all written by one INSERT.
 */
const eventsOf = (intent: PaymentIntentEntity, topic: string, data: Record<string, unknown> = {}) => {
  const audit = paymentIntentAudit(intent, topic); // reads the before the webhook event moves on
  const webhook = webhookEventOfChange(intent, topic);
  return [outboxEvent(intent, topic, data), ...(webhook ? [webhook] : []), ...audit, ...timelineEventsOfChange(intent, topic, data)];
};

/**
 * A change's timeline row and outbox events as `announce` / `insertAnnounced` would write them, not
 * written: for a caller that writes many intents' changes in set-based statements (billing-subscription/renewal-batch.ts).
 */
export function changeRecords(intent: PaymentIntentEntity, topic: string, data: Record<string, unknown> = {}) {
  return { timeline: { paymentIntentId: intent.id, type: topic, data: JSON.parse(timelineData(intent, data)) as Record<string, unknown> }, events: eventsOf(intent, topic, data) };
}

/** The timeline row and the outbox event(s) of a change already saved, in one statement. */
export async function announce(manager: EntityManager, intent: PaymentIntentEntity, topic: string, data: Record<string, unknown> = {}): Promise<void> {
  await changeWithEvent(
    manager,
    PAYMENT_SCHEMA,
    { sql: TIMELINE_INSERT, params: [intent.id, topic, timelineData(intent, data)] },
    eventsOf(intent, topic, data),
  );
}

/**
 * Inserts a new intent with its timeline row and its `topic` event, in one statement.
 * `billingColumns`: billing_subscription_id and billing_period are inserted too (an off-session
 * renewal's intent); otherwise they are left for the caller to set.
 */
export async function insertAnnounced(manager: EntityManager, intent: PaymentIntentEntity, topic: string, opts: { billingColumns?: boolean } = {}): Promise<void> {
  const billing = opts.billingColumns === true;
  await changeWithEvent(
    manager,
    PAYMENT_SCHEMA,
    {
      sql: `INSERT INTO ${qualifiedTable(PAYMENT_SCHEMA, 'payment_intents')} (id, merchant_id, checkout_session_id, status, currency, amount_minor,
              amount_captured_minor, amount_refunded_minor, capture_mode, provider, provider_payment_id, metadata, description, next_action,
              last_payment_error, payment_method_id, version, created_at, updated_at, checkout_binding${billing ? ', billing_subscription_id, billing_period' : ''})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14::jsonb, $15::jsonb, $16, $17, $18, $18, $21${billing ? ', $22, $23' : ''})`,
      params: [
        intent.id, intent.merchantId, intent.checkoutSessionId, intent.status, intent.currency, intent.amountMinor,
        intent.amountCapturedMinor, intent.amountRefundedMinor, intent.captureMode, intent.provider, intent.providerPaymentId,
        JSON.stringify(intent.metadata ?? {}), intent.description, json(intent.nextAction), json(intent.lastPaymentError),
        intent.paymentMethodId, intent.version, intent.createdAt, topic, timelineData(intent), intent.checkoutBinding ?? false,
        ...(billing ? [intent.billingSubscriptionId ?? null, intent.billingPeriod ?? null] : []),
      ],
      also: [`INSERT INTO ${qualifiedTable(PAYMENT_SCHEMA, 'payment_events')} (payment_intent_id, type, data) VALUES ($1, $19, $20::jsonb)`],
    },
    eventsOf(intent, topic),
  );
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/** Moves the intent to `to` if the state table allows it, else INVALID_STATE_TRANSITION. */
export async function transition(
  manager: EntityManager,
  intent: PaymentIntentEntity,
  to: PaymentIntentStatus,
  opts: { failed?: boolean; data?: Record<string, unknown>; action?: string } = {},
): Promise<void> {
  assertTransition(paymentIntentStates, intent.status, to, cannotFromStatusRefusal(opts.action ?? `become ${to}`, intent.status));
  const from = intent.status;
  intent.status = to;
  await saveChange(manager, intent, statusTopic(to, { failed: opts.failed }), { from, ...opts.data });
  // A SUBSCRIPTION checkout's first payment starts its billing subscription, in this transaction (billing-subscription/).
  if (to === S.SUCCEEDED && intent.billingPlan && intent.billingSubscriptionId) await startSubscriptionFromPayment(manager, intent);
  // An off-session renewal's intent (no plan: it pays a period of a subscription that exists) pays its invoice and advances the period.
  else if (to === S.SUCCEEDED && !intent.billingPlan && intent.billingSubscriptionId && intent.billingPeriod) await renewalPaid(manager, intent);
}
