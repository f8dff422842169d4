// The billing clock (issue 22; docs/recurring.md "Testing renewals: the billing clock"): in a
// sandbox or test deployment, makes a subscription's next renewal (or dunning retry) due now
// instead of in a month, as Stripe's test clocks do, and runs it through the normal path.
//   - Refused with BILLING_CLOCK_UNAVAILABLE when the deployment runs with NODE_ENV=production,
//     and for a subscription Stripe bills (Stripe has its own test clocks); a merchant its own
//     TEST subscription, an admin any; agents and the hosted page: FORBIDDEN.
//   - Time travel by moving the subscription's timeline back, not by a second clock: its billing
//     cycle anchor moves back to the latest time for which its next charge is due now (by the
//     wait, then whole days, calendar months being 28 to 31 days), and every time is derived
//     again from it as for a subscription started then (period bounds by periodBounds, the
//     invoices' bounds, a dunning retry's time at its schedule's distance from its period's
//     start, the trial moved with the anchor), under the subscription's row lock, through
//     changeSubscription (subscription.updated, versioned). No status moves:
//     the renewal then runs as in production (the renewal queue's `renew` job, chargeOffSession:
//     the same locks, unique invoice and live intent per period, PSP keys, dunning schedule).
//   - Idempotent: a second call (or a racing one, serialized by the lock) finds the renewal
//     already due and moves nothing; the job id is the scheduler's (subscription, period, due
//     time), so both calls enqueue one job.
import { badUserInput, ErrorCode, forbidden, HandoffError, periodBounds, requireAuthenticated, versionConflict, type NodeEnv, type Principal } from '@handoff/shared';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { changeSubscription, lockSubscription } from '../billing-subscription.changes.js';
import { BillingInvoiceEntity, type BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { billingSubscriptionNotFound, BillingSubscriptionService } from '../billing-subscription.service.js';
import { RENEWAL_JOB, renewalJobId, type DueRenewal, type RenewalJobData } from '../renewal.job.js';

export const billingClockUnavailable = (why: 'production' | 'provider') =>
  new HandoffError(
    ErrorCode.BILLING_CLOCK_UNAVAILABLE,
    why === 'production'
      ? 'The billing clock is for sandbox and test deployments; this one runs in production.'
      : 'The billing clock moves subscriptions the sandbox PSP bills; Stripe bills this one (use Stripe test clocks).',
    { reason: `billing_clock:${why}` },
  );

export interface BillingClockResult {
  subscription: BillingSubscriptionEntity;
  /** The renewal made due and enqueued; null when the subscription renews no more (canceled, unpaid, or waiting for the buyer's authentication). */
  due: DueRenewal | null;
}

type ClockSubscription = Pick<BillingSubscriptionEntity, 'interval' | 'intervalCount' | 'currentPeriod' | 'nextRenewalAt' | 'billingCycleAnchor'>;
type ClockInvoice = Pick<BillingInvoiceEntity, 'period' | 'periodStart' | 'nextAttemptAt'>;
const back = (d: Date | null, ms: number) => (d ? new Date(d.getTime() - ms) : d);
const DAY_MS = 86_400_000;

/**
 * When the subscription's next charge falls due for a cycle anchored at `anchor`: the next
 * period's start (its renewal), or, in dunning, its open invoice's next attempt (that start plus
 * the schedule's days, kept as the distance the invoice stores).
 */
export function nextDue(sub: ClockSubscription, invoices: readonly ClockInvoice[], anchor: Date): Date {
  const start = periodBounds(anchor, sub, sub.currentPeriod + 1).start;
  const open = invoices.find((i) => i.period === sub.currentPeriod + 1 && i.nextAttemptAt);
  return open ? new Date(start.getTime() + (open.nextAttemptAt!.getTime() - open.periodStart.getTime())) : start;
}

/**
 * The latest anchor, at or before the current one, for which the next charge is due by `now`:
 * moved back by the wait, then a day at a time while calendar months (28 to 31 days) still put
 * it in the future.
 */
export function earlierAnchor(sub: ClockSubscription, invoices: readonly ClockInvoice[], now: Date): Date {
  const wait = sub.nextRenewalAt!.getTime() - now.getTime();
  let anchor = new Date(sub.billingCycleAnchor!.getTime() - wait);
  for (let i = 0; i < 8 && nextDue(sub, invoices, anchor).getTime() > now.getTime(); i++) anchor = new Date(anchor.getTime() - DAY_MS);
  return anchor;
}

export class BillingClock {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Pick<Queue<RenewalJobData>, 'add'>,
    private readonly nodeEnv: NodeEnv,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * `period`, when given, names the period whose charge to make due (the next one,
   * currentPeriod + 1): a call that finds the subscription already past it (a racing or retried
   * call arriving after that renewal ran) moves nothing, so N calls for one period advance once.
   */
  async advance(principal: Principal, id: string, period?: number): Promise<BillingClockResult> {
    const p = requireAuthenticated(principal);
    if (period !== undefined && (!Number.isInteger(period) || period < 1 || period > 100_000)) throw badUserInput('period', 'must be a whole number from 1.');
    if (p.kind !== 'MERCHANT' && p.kind !== 'ADMIN') throw forbidden('Only the merchant or an admin may advance a billing clock.');
    if (this.nodeEnv === 'production') throw billingClockUnavailable('production');
    const visible = await new BillingSubscriptionService(this.dataSource).getVisible(principal, id);
    if (visible.provider !== 'TEST') throw billingClockUnavailable('provider');
    const result = await this.dataSource.transaction(async (manager): Promise<BillingClockResult> => {
      const sub = await lockSubscription(manager, visible.id);
      if (!sub) throw billingSubscriptionNotFound(id);
      const now = this.now();
      const due = (s: BillingSubscriptionEntity) => ({ subscriptionId: s.id, period: s.currentPeriod + 1, dueAt: s.nextRenewalAt! });
      if (period !== undefined && period <= sub.currentPeriod) return { subscription: sub, due: null };
      if (period !== undefined && period > sub.currentPeriod + 1) {
        throw badUserInput('period', `period ${period} is not this subscription's next one (${sub.currentPeriod + 1}): the clock makes one period due at a time.`);
      }
      if (!sub.nextRenewalAt || !sub.billingCycleAnchor) return { subscription: sub, due: null };
      if (sub.nextRenewalAt.getTime() <= now.getTime()) return { subscription: sub, due: due(sub) };
      const invoices = await manager.find(BillingInvoiceEntity, { where: { subscriptionId: sub.id } });
      const anchor = earlierAnchor(sub, invoices, now);
      const ms = sub.billingCycleAnchor.getTime() - anchor.getTime();
      const cycle = { interval: sub.interval, intervalCount: sub.intervalCount };
      // Every time derived again from the earlier anchor, as for a subscription started then.
      const current = sub.currentPeriod >= 1 ? periodBounds(anchor, cycle, sub.currentPeriod) : null;
      const next = nextDue(sub, invoices, anchor);
      sub.trialStart = back(sub.trialStart, ms);
      sub.trialEnd = back(sub.trialEnd, ms);
      const moved = await changeSubscription(manager, sub, {
        billingCycleAnchor: anchor,
        currentPeriodStart: current?.start ?? back(sub.currentPeriodStart, ms),
        currentPeriodEnd: current?.end ?? back(sub.currentPeriodEnd, ms),
        nextRenewalAt: next,
      });
      for (const inv of invoices) {
        const bounds = periodBounds(anchor, cycle, inv.period);
        const nextAttemptAt = inv.nextAttemptAt ? new Date(bounds.start.getTime() + (inv.nextAttemptAt.getTime() - inv.periodStart.getTime())) : null;
        const saved = await manager.update(BillingInvoiceEntity, { id: inv.id, version: inv.version }, { periodStart: bounds.start, periodEnd: bounds.end, nextAttemptAt, version: inv.version + 1, updatedAt: new Date() });
        if (saved.affected !== 1) throw versionConflict(inv.version, -1);
      }
      // Never enqueued before it is due (chargeOffSession charges a period's first attempt whenever asked).
      return { subscription: moved, due: moved.nextRenewalAt && moved.nextRenewalAt.getTime() <= now.getTime() ? due(moved) : null };
    });
    // After the commit (the job must find the moved rows): the scheduler's own job, with its id.
    if (result.due) {
      await this.queue.add(RENEWAL_JOB, { subscriptionId: result.due.subscriptionId, period: result.due.period }, {
        jobId: renewalJobId(result.due), attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: 1000, removeOnFail: false,
      });
    }
    return result;
  }
}
