// Pausing and resuming a billing subscription (issue 22 lifecycle; docs/recurring.md "Pause and
// resume"), the way Stripe's paused status works: a merchant its own, an admin any; row-locked
// (withManagedSubscription), so racing commands are serialized.
//   pause:  ACTIVE → PAUSED, next_renewal_at null (the renewal scan and chargeOffSession renew
//           TRIALING / ACTIVE / PAST_DUE only: a paused subscription is never charged). A canceled
//           one: SUBSCRIPTION_ALREADY_CANCELED; any other status (a trial, past due, already
//           paused): INVALID_STATE_TRANSITION. Events: subscription.updated + subscription.paused.
//   resume: PAUSED → ACTIVE. The rule for the next renewal:
//           - resumed before the paid period's end: the period stays paid, nothing is charged now,
//             next_renewal_at = the period's end (as if it had never paused);
//           - resumed after it: the time paused is not billed; the cycle is re-anchored so that the
//             next period starts at the resume and is charged now (next_renewal_at = the resume):
//             billing_cycle_anchor moves back by the periods already paid, so period numbers go on
//             (current_period + 1 is charged next). Day and week cycles start exactly at the resume;
//             a month or year cycle resumed on the 29th to 31st starts on that day clamped to the
//             re-anchored month's length, as every period of such a cycle is.
//           Not PAUSED: SUBSCRIPTION_NOT_PAUSED (a canceled one: SUBSCRIPTION_ALREADY_CANCELED).
//           Events: subscription.updated + subscription.resumed.
import { currentRequestId, ErrorCode, HandoffError, periodBounds, webhookEventOutboxEvent, type Principal, type RecurringInterval } from '@handoff/shared';
import type { DataSource, EntityManager } from 'typeorm';
import { changeSubscription } from '../billing-subscription.changes.js';
import { BillingSubscriptionItemEntity, type BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { announceBilling, billingSubscriptionObject } from '../billing-subscription.events.js';
import { BillingSubscriptionStatus as B } from '../billing-subscription.states.js';
import { subscriptionAlreadyCanceled, withManagedSubscription } from './cancel.js';
import { refuseStripeBilled } from './update.js';

const DAY_MS = 86_400_000;

export const subscriptionNotPaused = (id: string, status: string) =>
  new HandoffError(ErrorCode.SUBSCRIPTION_NOT_PAUSED, `Billing subscription ${id} is ${status}, not PAUSED: only a paused subscription resumes.`);

export function pauseBillingSubscription(dataSource: DataSource, principal: Principal, id: string, within?: EntityManager): Promise<BillingSubscriptionEntity> {
  return withManagedSubscription(dataSource, principal, id, async (manager, sub) => {
    if (sub.status === B.CANCELED) throw subscriptionAlreadyCanceled(sub.id);
    refuseStripeBilled(sub, 'pausing');
    const paused = await changeSubscription(manager, sub, { nextRenewalAt: null }, B.PAUSED);
    await announceLifecycle(manager, 'subscription.paused', paused);
    return paused;
  }, within);
}

export function resumeBillingSubscription(dataSource: DataSource, principal: Principal, id: string, opts: { now?: () => Date; within?: EntityManager } = {}): Promise<BillingSubscriptionEntity> {
  return withManagedSubscription(dataSource, principal, id, async (manager, sub) => {
    if (sub.status === B.CANCELED) throw subscriptionAlreadyCanceled(sub.id);
    if (sub.status !== B.PAUSED) throw subscriptionNotPaused(sub.id, sub.status);
    refuseStripeBilled(sub, 'resuming');
    const resumed = await changeSubscription(manager, sub, resumeSchedule(sub, (opts.now ?? (() => new Date()))()), B.ACTIVE);
    await announceLifecycle(manager, 'subscription.resumed', resumed);
    return resumed;
  }, opts.within);
}

/** The next renewal (and anchor) of a subscription resumed at `at` (the rule above). */
export function resumeSchedule(sub: Pick<BillingSubscriptionEntity, 'currentPeriod' | 'currentPeriodEnd' | 'billingCycleAnchor' | 'interval' | 'intervalCount'>, at: Date): { nextRenewalAt: Date; billingCycleAnchor?: Date } {
  if (sub.currentPeriodEnd && at < sub.currentPeriodEnd) return { nextRenewalAt: sub.currentPeriodEnd };
  if (sub.currentPeriod < 1) return { nextRenewalAt: at };
  const anchor = subtractIntervals(at, sub.interval, sub.currentPeriod * sub.intervalCount);
  return { nextRenewalAt: periodBounds(anchor, sub, sub.currentPeriod + 1).start, billingCycleAnchor: anchor };
}

/** `at` moved back by `n` intervals (months and years keep the day, clamped to the target month's last day). */
export function subtractIntervals(at: Date, interval: RecurringInterval, n: number): Date {
  if (interval === 'DAY') return new Date(at.getTime() - n * DAY_MS);
  if (interval === 'WEEK') return new Date(at.getTime() - n * 7 * DAY_MS);
  const months = interval === 'MONTH' ? n : n * 12;
  const m = at.getUTCMonth() - months;
  const year = at.getUTCFullYear() + Math.floor(m / 12);
  const month = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(at.getUTCDate(), lastDay), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()));
}

/** subscription.paused / subscription.resumed (besides the subscription.updated changeSubscription wrote), in the change's transaction. */
async function announceLifecycle(manager: EntityManager, type: 'subscription.paused' | 'subscription.resumed', s: BillingSubscriptionEntity): Promise<void> {
  const items = await manager.find(BillingSubscriptionItemEntity, { where: { subscriptionId: s.id }, order: { position: 'ASC' } });
  await announceBilling(manager, [
    webhookEventOutboxEvent({
      type,
      merchantId: s.merchantId,
      agentId: s.metadata?.aap_agent_id ?? null,
      checkoutId: s.checkoutSessionId,
      paymentIntentId: s.checkoutPaymentIntentId,
      correlation: { subscription_id: s.id, request_id: currentRequestId() ?? null },
      object: billingSubscriptionObject(s, items),
      occurredAt: new Date().toISOString(),
    }),
  ]);
}
