// Canceling a billing subscription (issue 22 lifecycle; docs/recurring.md "Lifecycle"): a
// merchant its own, an admin any. Now: → CANCELED with canceledAt, no next renewal, its open
// invoices VOID, in one transaction. At period end: cancelAtPeriodEnd = true, status unchanged;
// the renewal job reads the flag and cancels instead of charging the next period. The row lock
// (lockSubscription) serializes concurrent commands: of two racing cancels one moves the
// subscription and the other finds it CANCELED (SUBSCRIPTION_ALREADY_CANCELED).
import { ErrorCode, forbidden, HandoffError, requireAuthenticated, type Principal } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { billingSubscriptionNotFound, BillingSubscriptionService } from '../billing-subscription.service.js';
import { changeInvoice, changeSubscription, lockSubscription } from '../billing-subscription.changes.js';
import { BillingInvoiceEntity, type BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { BillingInvoiceStatus, BillingSubscriptionStatus } from '../billing-subscription.states.js';

export const subscriptionAlreadyCanceled = (id: string) =>
  new HandoffError(ErrorCode.SUBSCRIPTION_ALREADY_CANCELED, `Billing subscription ${id} is already canceled.`);

/** Only a merchant (its own) or an admin changes a subscription; the hosted page and agents only read. */
export function requireSubscriptionManager(principal: Principal): void {
  const p = requireAuthenticated(principal);
  if (p.kind !== 'MERCHANT' && p.kind !== 'ADMIN') throw forbidden('Only the merchant or an admin may change a billing subscription.');
}

/**
 * Runs `change` on the subscription `id` the principal may manage, its row locked, in one
 * transaction: BILLING_SUBSCRIPTION_NOT_FOUND when it may not see it.
 */
export async function withManagedSubscription<T>(
  dataSource: DataSource,
  principal: Principal,
  id: string,
  change: (manager: EntityManager, sub: BillingSubscriptionEntity) => Promise<T>,
  /** The caller's transaction (an idempotency key's); a new one when absent. */
  within?: EntityManager,
): Promise<T> {
  requireSubscriptionManager(principal);
  const visible = await new BillingSubscriptionService(dataSource).getVisible(principal, id);
  const run = async (manager: EntityManager) => {
    const sub = await lockSubscription(manager, visible.id);
    if (!sub) throw billingSubscriptionNotFound(id);
    return change(manager, sub);
  };
  return within ? run(within) : dataSource.transaction(run);
}

/** Cancels now (atPeriodEnd false) or at the current period's end (true). */
export function cancelBillingSubscription(dataSource: DataSource, principal: Principal, id: string, atPeriodEnd: boolean, within?: EntityManager): Promise<BillingSubscriptionEntity> {
  return withManagedSubscription(dataSource, principal, id, async (manager, sub) => {
    if (sub.status === BillingSubscriptionStatus.CANCELED) throw subscriptionAlreadyCanceled(sub.id);
    if (atPeriodEnd) {
      if (sub.cancelAtPeriodEnd) return sub; // asked again: nothing moves, no event
      return changeSubscription(manager, sub, { cancelAtPeriodEnd: true });
    }
    return cancelNow(manager, sub, new Date());
  }, within);
}

/** → CANCELED now, its open invoices VOID; the caller holds the subscription's row lock (a cancel, or a renewal due with cancelAtPeriodEnd). */
export async function cancelNow(manager: EntityManager, sub: BillingSubscriptionEntity, at: Date): Promise<BillingSubscriptionEntity> {
  const open = await manager.find(BillingInvoiceEntity, { where: { subscriptionId: sub.id, status: BillingInvoiceStatus.OPEN } });
  for (const invoice of open) await changeInvoice(manager, sub, invoice, { nextAttemptAt: null }, { to: BillingInvoiceStatus.VOID });
  return changeSubscription(manager, sub, { canceledAt: at, nextRenewalAt: null, cancelAtPeriodEnd: false }, BillingSubscriptionStatus.CANCELED);
}
