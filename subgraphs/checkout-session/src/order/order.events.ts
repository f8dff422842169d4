// The order as merchants receive it (the `order.created` / `order.rolled_back` webhook events:
// the handoff of seed 003 §8, signed and retried by the outbound webhooks) and as the REST routes
// answer it, in snake_case with amounts in minor units; and the session's timeline entries of
// each finalization and rollback step.
import { webhookEventOutboxEvent, type OutboxEvent } from '@handoff/shared';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { actingNow, type OwnTimelineKind, type TimelineEntryDraft } from '../timeline/timeline.entries.js';
import type { OrderEntity } from './order.entity.js';

export function orderObject(o: OrderEntity): Record<string, unknown> {
  return {
    object: 'order',
    order_id: o.id,
    receipt_id: o.receiptId,
    checkout_id: o.checkoutSessionId,
    status: o.status.toLowerCase(),
    calculation_id: o.calculationId,
    payment_intent_id: o.paymentIntentId,
    payment_status: o.paymentStatus,
    lines: o.lines.map((l) => ({
      line_id: l.lineId,
      name: l.name,
      offer_id: l.offerId,
      quantity: l.quantity,
      unit_amount: l.unitAmountMinor,
      discount: l.discountMinor,
      tax: l.taxMinor,
      total: l.totalMinor,
    })),
    totals: {
      currency: o.currency,
      sub_total: o.subTotalMinor,
      discount_total: o.discountTotalMinor,
      tax_total: o.taxTotalMinor,
      shipping_total: o.shippingTotalMinor,
      grand_total: o.grandTotalMinor,
    },
    created_at: new Date(o.createdAt).toISOString(),
    rolled_back_at: o.rolledBackAt ? new Date(o.rolledBackAt).toISOString() : null,
  };
}

export function orderWebhookEvent(type: 'order.created' | 'order.rolled_back', o: OrderEntity): OutboxEvent {
  return webhookEventOutboxEvent({
    type,
    merchantId: o.merchantId,
    checkoutId: o.checkoutSessionId,
    paymentIntentId: o.paymentIntentId,
    object: orderObject(o),
    previousAttributes: type === 'order.rolled_back' ? { status: 'completed' } : null,
    occurredAt: new Date().toISOString(),
  });
}

export function orderEntry(
  cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId'>,
  kind: Extract<OwnTimelineKind, `order.${string}`>,
  summary: string,
  data: Record<string, unknown>,
): TimelineEntryDraft {
  return { checkoutId: cs.id, merchantId: cs.merchantId, kind, at: new Date(), summary: summary.slice(0, 500), actor: actingNow(), data };
}
