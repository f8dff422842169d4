// What applying or removing tender (a gift card, store credit) tells: one timeline entry on the
// session (`checkout.tender_applied` / `checkout.tender_removed`) and the merchant's outbound
// webhook `checkout.updated` whose object is the checkout session with its `tender` (what is held,
// what is left to pay) and the `tender_change` that moved it; `previous_attributes.tender` is the
// tender before. Written in the application's transaction (recordCheckoutChange): a refused
// application writes neither, and an application that changes nothing (the card already applied)
// writes none.
import { webhookEventOutboxEvent, type OutboxEvent } from '@handoff/shared';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { checkoutWebhookObject } from '../checkout-session/checkout.webhook-event.js';
import { actingNow, type TimelineEntryDraft } from '../timeline/timeline.entries.js';
import type { TenderHold } from './tender-holds.js';

export interface TenderChange {
  action: 'applied' | 'removed';
  hold: TenderHold;
  /** The card's last 4 characters (never its code); null for store credit. */
  last4: string | null;
  /** Held on the session before and after the change, minor units of its currency. */
  heldBefore: number;
  heldAfter: number;
}

const tenderState = (cs: CheckoutSessionEntity, held: number) => ({ currency: cs.currency, held, amount_due: Math.max(cs.totalMinor - held, 0) });

function changeObject(c: TenderChange) {
  return {
    action: c.action,
    hold_id: c.hold.id,
    kind: c.hold.kind,
    gift_card: c.hold.giftCardId ? { id: c.hold.giftCardId, last4: c.last4 } : null,
    customer_id: c.hold.customerId,
    amount: c.hold.amountMinor,
    currency: c.hold.currency,
  };
}

export function tenderWebhookEvent(cs: CheckoutSessionEntity, c: TenderChange): OutboxEvent {
  return webhookEventOutboxEvent({
    type: 'checkout.updated',
    merchantId: cs.merchantId,
    checkoutId: cs.id,
    paymentIntentId: cs.paymentIntentId,
    object: { ...checkoutWebhookObject(cs), tender: tenderState(cs, c.heldAfter), tender_change: changeObject(c) },
    previousAttributes: { tender: tenderState(cs, c.heldBefore) },
    occurredAt: new Date().toISOString(),
  });
}

export function tenderEntry(cs: CheckoutSessionEntity, c: TenderChange): TimelineEntryDraft {
  const what = c.hold.kind === 'gift_card' ? `Gift card ••••${c.last4 ?? ''}` : 'Store credit';
  const verb = c.action === 'applied' ? 'applied' : 'removed';
  return {
    checkoutId: cs.id,
    merchantId: cs.merchantId,
    kind: c.action === 'applied' ? 'checkout.tender_applied' : 'checkout.tender_removed',
    at: new Date(),
    summary: `${what} ${verb}: ${c.hold.amountMinor} minor units of ${c.hold.currency} ${c.action === 'applied' ? 'held' : 'back'}; ${Math.max(cs.totalMinor - c.heldAfter, 0)} left to pay`.slice(0, 500),
    actor: actingNow(),
    data: { ...changeObject(c), ...tenderState(cs, c.heldAfter), held_before: c.heldBefore },
  };
}
