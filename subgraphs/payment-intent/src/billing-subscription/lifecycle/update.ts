// Changing a billing subscription's item: its quantity and/or its price (issue 22 lifecycle;
// docs/recurring.md "Price and quantity changes"), the way Stripe Billing prorates by default
// (proration_behavior=create_prorations): the change applies now, and the time left in the
// current paid period is settled on the NEXT renewal invoice as two pending proration lines: a
// credit for the unused time on the old amount (negative) and a charge for the remaining time on
// the new one, each computed exactly in minor units by prorate() (the money helper's
// divideRounded, half-up). The next renewal invoices the new price plus those lines.
// Refused, nothing written: another currency than the subscription's (SUBSCRIPTION_CURRENCY_MISMATCH),
// a quantity outside 1..999 or a price that is not a positive amount (BAD_USER_INPUT), a canceled
// subscription (SUBSCRIPTION_ALREADY_CANCELED), a stale expectedVersion (VERSION_CONFLICT: the
// row is locked, so of two updates expecting the same version exactly one applies).
import { badUserInput, ErrorCode, HandoffError, normalizeCurrency, versionConflict, type Principal } from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource, EntityManager } from 'typeorm';
import { changeSubscription } from '../billing-subscription.changes.js';
import { BillingSubscriptionItemEntity, type BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { BillingSubscriptionStatus as B } from '../billing-subscription.states.js';
import { subscriptionAlreadyCanceled, withManagedSubscription } from './cancel.js';
import { BillingInvoiceLineEntity, InvoiceLineKind } from './invoice-line.entity.js';
import { prorate } from './proration.js';

export interface SubscriptionItemUpdate {
  /** The item's position; may be omitted when the subscription has one item. */
  position?: number | null;
  quantity?: number | null;
  /** The new price per unit, in the subscription's currency. */
  unitAmount?: { amountMinor: number; currency: string } | null;
  /** The subscription's version the caller read (optimistic concurrency); omitted: last write wins. */
  expectedVersion?: number | null;
}

export const MAX_QUANTITY = 999;

/** Checks the input's shape before anything is read (bad input is refused the same for every caller). */
export function checkItemUpdate(input: SubscriptionItemUpdate): void {
  const { quantity, unitAmount, position, expectedVersion } = input;
  if ((quantity === undefined || quantity === null) && !unitAmount) throw badUserInput('input', 'give a quantity, a unitAmount, or both.');
  if (quantity !== undefined && quantity !== null && (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY)) {
    throw badUserInput('quantity', `must be a whole number from 1 to ${MAX_QUANTITY}.`);
  }
  if (unitAmount) {
    if (!Number.isSafeInteger(unitAmount.amountMinor) || unitAmount.amountMinor < 1) throw badUserInput('unitAmount.amountMinor', 'must be a positive whole number of minor units.');
    normalizeCurrency(unitAmount.currency, 'unitAmount.currency');
  }
  if (position !== undefined && position !== null && (!Number.isInteger(position) || position < 0)) throw badUserInput('position', 'must be an item position (0 or more).');
  if (expectedVersion !== undefined && expectedVersion !== null && (!Number.isInteger(expectedVersion) || expectedVersion < 1)) throw badUserInput('expectedVersion', 'must be a version (1 or more).');
}

/** Stripe Billing bills a STRIPE subscription: a pause or an item change made only here would diverge from what Stripe charges. */
export function refuseStripeBilled(sub: BillingSubscriptionEntity, what: string): void {
  if (sub.provider === 'STRIPE') {
    throw new HandoffError(ErrorCode.SUBSCRIPTION_CHANGE_UNSUPPORTED, `Billing subscription ${sub.id} is billed by Stripe Billing: ${what} is not supported for it yet (cancel is).`);
  }
}

export const currencyMismatch = (id: string, subscriptionCurrency: string, given: string) =>
  new HandoffError(ErrorCode.SUBSCRIPTION_CURRENCY_MISMATCH, `Billing subscription ${id} bills in ${subscriptionCurrency}; a price in ${given} cannot be used on it.`);

export async function updateBillingSubscription(
  dataSource: DataSource,
  principal: Principal,
  id: string,
  input: SubscriptionItemUpdate,
  opts: { now?: () => Date; within?: EntityManager } = {},
): Promise<BillingSubscriptionEntity> {
  checkItemUpdate(input);
  return withManagedSubscription(
    dataSource,
    principal,
    id,
    (manager, sub) => applyItemUpdate(manager, sub, input, (opts.now ?? (() => new Date()))()),
    opts.within,
  );
}

async function applyItemUpdate(manager: EntityManager, sub: BillingSubscriptionEntity, input: SubscriptionItemUpdate, at: Date): Promise<BillingSubscriptionEntity> {
  if (sub.status === B.CANCELED) throw subscriptionAlreadyCanceled(sub.id);
  refuseStripeBilled(sub, 'changing its items');
  if (input.expectedVersion !== undefined && input.expectedVersion !== null && input.expectedVersion !== sub.version) throw versionConflict(input.expectedVersion, sub.version);
  if (input.unitAmount) {
    const currency = normalizeCurrency(input.unitAmount.currency, 'unitAmount.currency');
    if (currency !== sub.currency) throw currencyMismatch(sub.id, sub.currency, currency);
  }
  const items = await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: sub.id }, order: { position: 'ASC' } });
  const position = input.position ?? (items.length === 1 ? items[0]!.position : null);
  if (position === null) throw badUserInput('position', `the subscription has ${items.length} items: name the one to change.`);
  const item = items.find((i) => i.position === position);
  if (!item) throw badUserInput('position', `the subscription has no item at position ${position}.`);

  const quantity = input.quantity ?? item.quantity;
  const unitAmountMinor = input.unitAmount?.amountMinor ?? item.unitAmountMinor;
  if (quantity === item.quantity && unitAmountMinor === item.unitAmountMinor) return sub; // nothing changes: no event, no proration

  await manager.update(BillingSubscriptionItemEntity, { subscriptionId: sub.id, position }, { quantity, unitAmountMinor });
  // The current paid period's unused time is prorated (a trial pays nothing: nothing to prorate).
  const periodStart = sub.currentPeriodStart;
  const periodEnd = sub.currentPeriodEnd;
  if (sub.currentPeriod >= 1 && periodStart && periodEnd) {
    const p = prorate({
      currency: sub.currency,
      oldAmountMinor: item.unitAmountMinor * item.quantity,
      newAmountMinor: unitAmountMinor * quantity,
      periodStart,
      periodEnd,
      at,
    });
    const line = (kind: 'credit' | 'charge', amountMinor: number, q: number, unit: number): BillingInvoiceLineEntity =>
      manager.create(BillingInvoiceLineEntity, {
        id: `bil_${ulid()}`, subscriptionId: sub.id, merchantId: sub.merchantId, invoiceId: null, kind: InvoiceLineKind.PRORATION,
        description: `${kind === 'credit' ? 'Unused time on' : 'Remaining time on'} ${q} × ${item.name} (${unit} ${sub.currency} minor units each)`,
        itemPosition: position, quantity: q, unitAmountMinor: unit, amountMinor, currency: sub.currency,
        periodStart: at > periodStart ? at : periodStart, periodEnd, createdAt: at,
      });
    const lines = [
      ...(p.credit.amountMinor > 0 ? [line('credit', -p.credit.amountMinor, item.quantity, item.unitAmountMinor)] : []),
      ...(p.charge.amountMinor > 0 ? [line('charge', p.charge.amountMinor, quantity, unitAmountMinor)] : []),
    ];
    if (lines.length > 0) await manager.insert(BillingInvoiceLineEntity, lines);
  }
  return changeSubscription(manager, sub, {}, undefined, { itemsBefore: items });
}
