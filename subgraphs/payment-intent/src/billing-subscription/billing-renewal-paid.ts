// An off-session renewal's payment succeeded (issue 22 items 3-4; docs/recurring.md): called by
// the intent's transition() to SUCCEEDED in the same transaction, whatever moved it (the renewal's
// confirm, 3-D Secure completed by the buyer, the PSP's webhook). The period's invoice becomes
// PAID (invoice.paid) and the subscription moves to that period, ACTIVE again when it was
// PAST_DUE or UNPAID or TRIALING (subscription.updated). A second call finds both done and writes nothing.
// The renewal's own transaction (chargeOffSession) already holds the subscription's row lock and
// has the invoice as it last wrote it, the items and the attempt not yet written on the invoice: it
// hands them over (holdRenewal) so they are not read again and the attempt is written with PAID;
// any other caller (a webhook, 3-D Secure completed) locks and reads them here.
import { periodBounds } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { changeInvoice, changeSubscription, lockSubscription, type InvoiceChanges } from './billing-subscription.changes.js';
import { BillingInvoiceEntity, type BillingSubscriptionEntity, type BillingSubscriptionItemEntity } from './billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus } from './billing-subscription.states.js';

interface Held {
  sub: BillingSubscriptionEntity;
  invoice: BillingInvoiceEntity;
  items: readonly BillingSubscriptionItemEntity[];
  /** The renewal's changes to the invoice not written yet (its attempt): written with PAID, in the same update. */
  invoiceChanges: InvoiceChanges;
}

/** Per transaction (its EntityManager): what the renewal in it holds. */
const held = new WeakMap<EntityManager, Held>();

/**
 * The caller's transaction holds `sub`'s row lock, and `sub`, `invoice` and `items` are as it last
 * wrote or read them: renewalPaid in this transaction uses them instead of reading them again.
 */
export function holdRenewal(manager: EntityManager, h: Held): void {
  held.set(manager, h);
}

/** The renewal was not paid in this transaction (a decline, an authentication, processing): nothing held any more. */
export function releaseRenewal(manager: EntityManager): void {
  held.delete(manager);
}

export async function renewalPaid(manager: EntityManager, intent: PaymentIntentEntity): Promise<void> {
  const period = intent.billingPeriod;
  if (!intent.billingSubscriptionId || !period) return;
  const h = held.get(manager);
  held.delete(manager); // used once: the rows change below
  const mine = h && h.sub.id === intent.billingSubscriptionId && h.invoice.period === period ? h : null;
  const sub = mine ? mine.sub : await lockSubscription(manager, intent.billingSubscriptionId);
  if (!sub || !sub.billingCycleAnchor) return;
  const invoice = mine ? mine.invoice : await manager.findOneBy(BillingInvoiceEntity, { subscriptionId: sub.id, period });
  if (invoice && invoice.status !== BillingInvoiceStatus.PAID && invoice.status !== BillingInvoiceStatus.VOID) {
    await changeInvoice(manager, sub, invoice, { ...mine?.invoiceChanges, paymentIntentId: intent.id, nextAttemptAt: null }, { to: BillingInvoiceStatus.PAID });
  }
  if (sub.currentPeriod >= period || sub.status === BillingSubscriptionStatus.CANCELED) return;
  const bounds = periodBounds(sub.billingCycleAnchor, sub, period);
  await changeSubscription(
    manager,
    sub,
    { currentPeriod: period, currentPeriodStart: bounds.start, currentPeriodEnd: bounds.end, nextRenewalAt: bounds.end },
    sub.status === BillingSubscriptionStatus.ACTIVE ? undefined : BillingSubscriptionStatus.ACTIVE,
    mine ? { items: mine.items } : {},
  );
}
