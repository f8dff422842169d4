// checkout-session's own timeline entries (issue 19, seed 003 §16), built from the change they
// record: the session's creation, each buyer change and calculation (worked out from the session
// before and after, as merchants' webhooks show it: checkout.webhook-event.ts), the payment
// commitment, and each status move. Other packages' kinds are in the shared contract
// (checkout-timeline.contract.ts). Each entry carries the request's actor (the principal), or
// checkout-session itself as a service when no request acts (the expiry sweep, a queue job).
import { currentActor, formatDecimal, money, serviceActor, type Actor } from '@handoff/shared';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import type { CheckoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { SUBGRAPH_NAME } from '../events.js';

export const OWN_TIMELINE_KINDS = [
  'checkout.created',
  'checkout.customer_set',
  'checkout.shipping_address_set',
  'checkout.billing_address_set',
  'checkout.shipping_selected',
  'checkout.shipment_plan_selected',
  'checkout.promotion_applied',
  'checkout.promotion_removed',
  'checkout.updated',
  'checkout.calculated',
  'checkout.payment_committed',
  'checkout.payment_mismatch',
  'checkout.completed',
  'checkout.canceled',
  'checkout.expired',
  // Finalization and its rollback (issue 20 item 4: order/order.events.ts).
  'order.created',
  'order.step_finalized',
  'order.rollback_started',
  'order.step_compensated',
  'order.payment_voided',
  'order.payment_refunded',
  'order.rolled_back',
  'order.rollback_failed',
  // Inventory reservations (reservation/reservation.store.ts).
  'inventory.reserved',
  'inventory.extended',
  'inventory.released',
  'inventory.expired',
  'inventory.converted',
  'inventory.restocked',
  // Gift cards and store credit applied to or removed from the session (tender/tender.events.ts).
  'checkout.tender_applied',
  'checkout.tender_removed',
  // Attribution attached by an agent (checkout-attribution/attribution-touch.entries.ts).
  'checkout.attribution_verified',
  'checkout.attribution_flagged',
] as const;
export type OwnTimelineKind = (typeof OWN_TIMELINE_KINDS)[number];

/** One entry to append (timeline.record.ts writes it in the change's transaction). */
export interface TimelineEntryDraft {
  checkoutId: string;
  merchantId: string;
  kind: OwnTimelineKind;
  at: Date;
  summary: string;
  actor: Actor;
  data: Record<string, unknown>;
}

/** The request's actor, else checkout-session itself (a sweep, a queue job). */
export const actingNow = (): Actor => currentActor() ?? serviceActor(SUBGRAPH_NAME);

const amount = (minor: number, currency: string) => `${formatDecimal(money(minor, currency))} ${currency}`;

function entry(cs: Pick<CheckoutSessionEntity, 'id' | 'merchantId'>, kind: OwnTimelineKind, summary: string, data: Record<string, unknown>, at = new Date()): TimelineEntryDraft {
  return { checkoutId: cs.id, merchantId: cs.merchantId, kind, at, summary: summary.slice(0, 500), actor: actingNow(), data };
}

export function createdEntry(cs: CheckoutSessionEntity, lineCount: number): TimelineEntryDraft {
  const who = cs.agentId ? `agent ${cs.agentId}'s checkout` : 'merchant';
  return entry(cs, 'checkout.created', `Checkout created by the ${who}: ${lineCount} line${lineCount === 1 ? '' : 's'}, ${amount(cs.totalMinor, cs.currency)}`, {
    status: cs.status.toLowerCase(),
    mode: cs.mode.toLowerCase(),
    currency: cs.currency,
    line_count: lineCount,
    total: cs.totalMinor,
    agent_session_id: cs.agentSessionId,
    recommendation_id: cs.recommendationId,
    expires_at: new Date(cs.expiresAt).toISOString(),
  });
}

// Fields of the webhook object that say nothing by themselves (they move with every change).
const BOOKKEEPING = new Set(['version', 'updated', 'updated_at', 'calculation_stale', 'status', 'payment_mismatch']);

type Address = { country?: string; postal_code?: string | null } | null;
const place = (a: Address) => (a ? ` (${[a.country, a.postal_code].filter(Boolean).join(', ')})` : '');

/** The entries of one buyer change or calculation (SessionChanger), from the session before and after. */
export function changeEntries(cs: CheckoutSessionEntity, before: CheckoutWebhookObject, after: CheckoutWebhookObject): TimelineEntryDraft[] {
  const changed = new Set(Object.keys(after).filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])));
  const out: TimelineEntryDraft[] = [];
  const take = (k: string) => changed.delete(k);
  if (take('customer')) out.push(entry(cs, 'checkout.customer_set', 'Customer details set', { customer: after.customer }));
  for (const [field, kind, label] of [
    ['shipping_address', 'checkout.shipping_address_set', 'Shipping address'],
    ['billing_address', 'checkout.billing_address_set', 'Billing address'],
  ] as const) {
    if (!take(field)) continue;
    const a = after[field] as Address;
    out.push(entry(cs, kind, a ? `${label} set${place(a)}` : `${label} removed`, { [field]: a }));
  }
  if (take('selected_shipping')) {
    const s = after.selected_shipping as { kind: string; id: string } | null;
    out.push(entry(cs, 'checkout.shipping_selected', s ? `${s.kind === 'pickup' ? 'Pickup location' : 'Shipping option'} ${s.id} selected` : 'Shipping selection cleared', { selected_shipping: s }));
  }
  if (take('shipment_plan')) out.push(entry(cs, 'checkout.shipment_plan_selected', `Shipment plan ${String(after.shipment_plan)} selected`, { shipment_plan: after.shipment_plan }));
  if (take('promotion_codes')) {
    const was = new Set((before.promotion_codes as string[] | undefined) ?? []);
    const now = new Set((after.promotion_codes as string[] | undefined) ?? []);
    for (const code of now) if (!was.has(code)) out.push(entry(cs, 'checkout.promotion_applied', `Promotion code ${code} applied`, { code }));
    for (const code of was) if (!now.has(code)) out.push(entry(cs, 'checkout.promotion_removed', `Promotion code ${code} removed`, { code }));
  }
  const calculated = after.calculation_id !== null && take('calculation_id');
  if (calculated) take('totals');
  if (changed.size > 0) {
    const fields = [...changed];
    out.push(entry(cs, 'checkout.updated', `Checkout updated: ${fields.join(', ')}`, { changed: fields, ...Object.fromEntries(fields.map((k) => [k, after[k]])) }));
  }
  if (calculated) {
    const totals = after.totals as { grand_total: number; currency: string };
    out.push(entry(cs, 'checkout.calculated', `Calculated ${String(after.calculation_id)}: grand total ${amount(totals.grand_total, totals.currency)}`, {
      calculation_id: after.calculation_id,
      totals: after.totals,
    }));
  }
  return out;
}

/** A status move (transitionCheckoutSession): completed, canceled, expired. */
export function statusEntry(cs: CheckoutSessionEntity, to: CheckoutSessionStatus): TimelineEntryDraft | null {
  const data = { status: to.toLowerCase(), version: cs.version, payment_intent_id: cs.paymentIntentId };
  switch (to) {
    case CheckoutSessionStatus.COMPLETE:
      return entry(cs, 'checkout.completed', `Checkout completed: ${amount(cs.totalMinor, cs.currency)} paid${cs.paymentIntentId ? ` (payment intent ${cs.paymentIntentId})` : ''}`, data);
    case CheckoutSessionStatus.CANCELED:
      return entry(cs, 'checkout.canceled', 'Checkout canceled', data);
    case CheckoutSessionStatus.EXPIRED:
      return entry(cs, 'checkout.expired', 'Checkout expired', data);
    default:
      return null;
  }
}

export function paymentCommittedEntry(cs: CheckoutSessionEntity, paymentIntentId: string, amountMinor: number, calculationId: string | null): TimelineEntryDraft {
  return entry(
    cs,
    'checkout.payment_committed',
    `Committed to paying ${amount(amountMinor, cs.currency)}${calculationId ? ` (${calculationId})` : ''} with payment intent ${paymentIntentId}`,
    { payment_intent_id: paymentIntentId, amount: amountMinor, currency: cs.currency, calculation_id: calculationId },
  );
}

export function paymentMismatchEntry(
  cs: CheckoutSessionEntity,
  mismatch: { paymentIntentId: string; receivedAmountMinor: number | null; receivedCurrency: string | null },
): TimelineEntryDraft {
  const received = mismatch.receivedAmountMinor !== null && mismatch.receivedCurrency ? `${mismatch.receivedAmountMinor} (minor units) ${mismatch.receivedCurrency}` : 'an unknown amount';
  return entry(cs, 'checkout.payment_mismatch', `Payment ${mismatch.paymentIntentId} succeeded for ${received}, not ${amount(cs.totalMinor, cs.currency)}: not completed`, {
    payment_intent_id: mismatch.paymentIntentId,
    expected_amount: cs.totalMinor,
    expected_currency: cs.currency,
    received_amount: mismatch.receivedAmountMinor,
    received_currency: mismatch.receivedCurrency,
  });
}
