// A renewal's invoice and its lines (issue 22 lifecycle; docs/recurring.md "Invoice lines"): the
// period's amount is its items (unit amount × quantity, the new price after a change) plus every
// pending line (a price or quantity change's proration credit and charge, a credit carried from
// the last invoice), summed by the money helper. When the invoice is created (once per period:
// createInvoiceForPeriod) its SUBSCRIPTION lines are written and the pending lines become its
// own, in the same transaction, under the subscription's row lock the renewal holds (every
// writer of pending lines holds it too), so a line is invoiced once. A total below zero makes a
// 0 invoice and carries the rest as a pending credit (Stripe's customer balance); a 0 invoice is
// paid without a charge (settleWithoutCharge), as Stripe pays a 0 invoice.
import { money, periodBounds, sum } from '@handoff/shared';
import { ulid } from 'ulid';
import { In, IsNull, type EntityManager } from 'typeorm';
import { changeInvoice, changeSubscription, createInvoiceForPeriod } from '../billing-subscription.changes.js';
import { BillingSubscriptionItemEntity, type BillingInvoiceEntity, type BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus } from '../billing-subscription.states.js';
import { BillingInvoiceLineEntity, InvoiceLineKind } from './invoice-line.entity.js';

/** The pending lines of a subscription (not on an invoice yet), oldest first (a change's credit before its charge). */
export function pendingLines(manager: EntityManager, subscriptionId: string): Promise<BillingInvoiceLineEntity[]> {
  return manager.find(BillingInvoiceLineEntity, { where: { subscriptionId, invoiceId: IsNull() }, order: { createdAt: 'ASC', amountMinor: 'ASC', id: 'ASC' } });
}

/** The period's invoice (created with its lines, or the one already there) and the items read for it; the caller holds the subscription's row lock. */
export async function invoicePeriod(
  manager: EntityManager,
  sub: BillingSubscriptionEntity,
  period: number,
): Promise<{ invoice: BillingInvoiceEntity; created: boolean; items: BillingSubscriptionItemEntity[] }> {
  const items = await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: sub.id }, order: { position: 'ASC' } });
  const pending = await pendingLines(manager, sub.id);
  const itemAmounts = items.map((i) => money(i.unitAmountMinor * i.quantity, sub.currency));
  const total = sum([...itemAmounts, ...pending.map((l) => money(l.amountMinor, sub.currency))], sub.currency);
  const carried = total.amountMinor < 0 ? -total.amountMinor : 0;
  const result = await createInvoiceForPeriod(manager, sub, period, total.amountMinor + carried);
  if (!result.created) return { ...result, items };
  const { invoice } = result;
  const at = new Date();
  const line = (fields: Partial<BillingInvoiceLineEntity>): BillingInvoiceLineEntity =>
    manager.create(BillingInvoiceLineEntity, {
      id: `bil_${ulid()}`, subscriptionId: sub.id, merchantId: sub.merchantId, invoiceId: invoice.id, itemPosition: null, quantity: null, unitAmountMinor: null,
      currency: sub.currency, periodStart: invoice.periodStart, periodEnd: invoice.periodEnd, createdAt: at, ...fields,
    } as Partial<BillingInvoiceLineEntity>);
  const lines = items.map((i, n) =>
    line({ kind: InvoiceLineKind.SUBSCRIPTION, description: `${i.quantity} × ${i.name}`, itemPosition: i.position, quantity: i.quantity, unitAmountMinor: i.unitAmountMinor, amountMinor: itemAmounts[n]!.amountMinor }),
  );
  if (carried > 0) {
    // The invoice stops at 0: the rest of the credit is the next invoice's (pending), and this one shows it leaving.
    lines.push(line({ kind: InvoiceLineKind.CREDIT_CARRIED, description: 'Credit carried to the next invoice', amountMinor: carried, periodStart: null, periodEnd: null }));
    lines.push(line({ kind: InvoiceLineKind.CREDIT_CARRIED, description: `Credit carried from invoice ${invoice.id}`, amountMinor: -carried, invoiceId: null, periodStart: null, periodEnd: null }));
  }
  if (lines.length > 0) await manager.insert(BillingInvoiceLineEntity, lines);
  if (pending.length > 0) await manager.update(BillingInvoiceLineEntity, { id: In(pending.map((l) => l.id)), invoiceId: IsNull() }, { invoiceId: invoice.id });
  return { ...result, items };
}

/** A 0 invoice (credits covered it): PAID without a charge, the subscription on to its period (as a paid renewal moves it). */
export async function settleWithoutCharge(manager: EntityManager, sub: BillingSubscriptionEntity, invoice: BillingInvoiceEntity, at: Date): Promise<void> {
  await changeInvoice(manager, sub, invoice, { nextAttemptAt: null, paidAt: at }, { to: BillingInvoiceStatus.PAID });
  const bounds = periodBounds(sub.billingCycleAnchor!, sub, invoice.period);
  await changeSubscription(
    manager,
    sub,
    { currentPeriod: invoice.period, currentPeriodStart: bounds.start, currentPeriodEnd: bounds.end, nextRenewalAt: bounds.end },
    sub.status === BillingSubscriptionStatus.ACTIVE ? undefined : BillingSubscriptionStatus.ACTIVE,
  );
}
