// What a billing subscription's changes announce, in the change's transaction (one outbox
// statement): the merchant's webhook event (subscription.created, subscription.updated,
// invoice.paid, invoice.payment_failed: shared webhook-events.contract.ts), its audit row, and a
// `billing_subscription.<action>` row on pub/sub (the channel a GraphQL subscription
// `billingSubscriptionUpdated` would listen to, as paymentIntentUpdated does).
import { addAllToOutbox, auditOutboxEvent, currentRequestId, webhookEventOutboxEvent, type OutboxEvent, type WebhookEventType } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { cardUpdateLinkFields } from './card-update/card-update-event-links.js';
import type { BillingInvoiceEntity, BillingSubscriptionEntity, BillingSubscriptionItemEntity } from './billing-subscription.entity.js';

export const BILLING_SUBSCRIPTION_TOPIC_PREFIX = 'billing_subscription.';
const SERVICE = 'payment-intent';
/** payment-intent's schema (payment-intent.changes.ts PAYMENT_SCHEMA; not imported: that module starts subscriptions through this one). */
const PAYMENT_SCHEMA = 'payment';
const iso = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

/** The subscription as merchants' webhooks and REST show it (snake_case, amounts in minor units, statuses lower case). */
export function billingSubscriptionObject(s: BillingSubscriptionEntity, items: readonly BillingSubscriptionItemEntity[]): Record<string, unknown> {
  return {
    id: s.id,
    object: 'subscription',
    status: s.status.toLowerCase(),
    checkout_id: s.checkoutSessionId,
    currency: s.currency,
    items: items.map((i) => ({ name: i.name, offer_id: i.offerId, unit_amount: i.unitAmountMinor, quantity: i.quantity, interval: s.interval.toLowerCase(), interval_count: s.intervalCount })),
    current_period: s.currentPeriod,
    current_period_start: iso(s.currentPeriodStart),
    current_period_end: iso(s.currentPeriodEnd),
    next_renewal_at: iso(s.nextRenewalAt),
    trial_start: iso(s.trialStart),
    trial_end: iso(s.trialEnd),
    cancel_at_period_end: s.cancelAtPeriodEnd,
    canceled_at: iso(s.canceledAt),
    payment_method: s.paymentMethodId ? { brand: s.paymentMethodBrand, last4: s.paymentMethodLast4 } : null,
    metadata: Object.fromEntries(Object.entries(s.metadata ?? {}).filter(([k]) => k !== 'aap_code')),
    created: iso(s.createdAt),
  };
}

export function billingInvoiceObject(i: BillingInvoiceEntity): Record<string, unknown> {
  return {
    id: i.id,
    object: 'invoice',
    subscription_id: i.subscriptionId,
    period: i.period,
    status: i.status.toLowerCase(),
    amount: i.amountMinor,
    currency: i.currency,
    period_start: iso(i.periodStart),
    period_end: iso(i.periodEnd),
    payment_intent_id: i.paymentIntentId,
    attempts: i.attempts,
    paid_at: iso(i.paidAt),
    created: iso(i.createdAt),
  };
}

/** A subscription's change: its webhook event, its audit row, its pub/sub row. `before`: the object before it (omitted for created). */
export function subscriptionEvents(
  type: Extract<WebhookEventType, 'subscription.created' | 'subscription.updated'>,
  s: BillingSubscriptionEntity,
  items: readonly BillingSubscriptionItemEntity[],
  before: Record<string, unknown> | null,
): OutboxEvent[] {
  const object = billingSubscriptionObject(s, items);
  const previous = before ? Object.fromEntries(Object.entries(before).filter(([k, v]) => JSON.stringify(object[k]) !== JSON.stringify(v))) : null;
  const action = type === 'subscription.created' ? 'created' : 'updated';
  return [
    webhookEventOutboxEvent({
      type,
      merchantId: s.merchantId,
      agentId: s.metadata?.aap_agent_id ?? null,
      checkoutId: s.checkoutSessionId,
      paymentIntentId: s.checkoutPaymentIntentId,
      correlation: { subscription_id: s.id, request_id: currentRequestId() ?? null },
      // Past due or unpaid: the buyer's card-update link, for the merchant to send (card-update/card-update-event-links.ts).
      object: { ...object, ...cardUpdateLinkFields(s) },
      ...(previous ? { previousAttributes: previous } : {}),
      occurredAt: new Date().toISOString(),
    }),
    auditOutboxEvent(
      { entityType: 'billing_subscription', entityId: s.id, merchantId: s.merchantId, action, ...(previous ? { before: previous, after: Object.fromEntries(Object.keys(previous).map((k) => [k, object[k]])) } : { after: object }) },
      SERVICE,
    ),
    { topic: `${BILLING_SUBSCRIPTION_TOPIC_PREFIX}${action}`, aggregateId: s.id, payload: { billingSubscription: { id: s.id, merchantId: s.merchantId, status: s.status, checkoutSessionId: s.checkoutSessionId }, occurredAt: new Date().toISOString() } },
  ];
}

/** An invoice's webhook event (invoice.paid, invoice.payment_failed). */
export function invoiceEvent(type: Extract<WebhookEventType, 'invoice.paid' | 'invoice.payment_failed'>, s: BillingSubscriptionEntity, i: BillingInvoiceEntity): OutboxEvent {
  return webhookEventOutboxEvent({
    type,
    merchantId: s.merchantId,
    agentId: s.metadata?.aap_agent_id ?? null,
    checkoutId: s.checkoutSessionId,
    paymentIntentId: i.paymentIntentId,
    correlation: { subscription_id: s.id, invoice_id: i.id, request_id: currentRequestId() ?? null },
    object: type === 'invoice.payment_failed' ? { ...billingInvoiceObject(i), ...cardUpdateLinkFields(s, true) } : billingInvoiceObject(i),
    occurredAt: new Date().toISOString(),
  });
}

/** Writes `events` to the payment schema's outbox, in the caller's transaction. */
export async function announceBilling(manager: EntityManager, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length > 0) await addAllToOutbox(manager, PAYMENT_SCHEMA, events);
}
