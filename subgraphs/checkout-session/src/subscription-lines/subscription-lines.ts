// A SUBSCRIPTION checkout session's lines (issue 22; docs/recurring.md). The rules, checked when
// lines are written (create, update) once each line's recurring price is known (its own, else its
// offer's: line-catalog.ts), and refused with SUBSCRIPTION_LINES_INVALID before anything is
// written:
//   - a SUBSCRIPTION session has at least one recurring line (subscription:no_recurring_line);
//   - a PAYMENT session has none (subscription:recurring_in_payment_mode): it would be charged once;
//   - every recurring line bills on one cycle, interval and count (subscription:mixed_intervals),
//     with one trial (subscription:mixed_trials): one subscription, one invoice per period;
//   - a session with a trial has only recurring lines (subscription:trial_with_one_time_lines):
//     nothing is charged at checkout, so there is nothing to charge a one-time line with.
// At payment, the plan (subscriptionPlanOf) goes to payment-intent with the commitment's terms;
// a trial's session commits to 0 (nothing charged now: the card is saved for the first renewal).
import { ErrorCode, HandoffError, sameCycle, type RecurringPrice, type SubscriptionPlanTerms } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { CheckoutMode } from '../checkout-session/checkout-session.enums.js';
import type { LineItemDraft } from '../checkout-session/checkout-session.validation.js';
import { LineItemEntity } from '../checkout-session/line-item.entity.js';

type Why = 'no_recurring_line' | 'recurring_in_payment_mode' | 'mixed_intervals' | 'mixed_trials' | 'trial_with_one_time_lines';

export const subscriptionLinesInvalid = (why: Why, message: string, field = 'lineItems') =>
  new HandoffError(ErrorCode.SUBSCRIPTION_LINES_INVALID, `${field}: ${message}`, { field, reason: `subscription:${why}` });

/** SUBSCRIPTION_LINES_INVALID unless `lines` (their recurring prices resolved) fit a session of `mode`. */
export function assertSubscriptionLines(mode: CheckoutMode, lines: readonly Pick<LineItemDraft, 'recurring'>[]): void {
  const recurring = lines.map((l, i) => ({ i, price: l.recurring ?? null })).filter((l): l is { i: number; price: RecurringPrice } => l.price !== null);
  if (mode !== CheckoutMode.SUBSCRIPTION) {
    if (recurring.length > 0) {
      throw subscriptionLinesInvalid('recurring_in_payment_mode', 'a recurring line needs a SUBSCRIPTION session (mode: SUBSCRIPTION).', `lineItems[${recurring[0]!.i}].recurring`);
    }
    return;
  }
  if (recurring.length === 0) throw subscriptionLinesInvalid('no_recurring_line', 'a SUBSCRIPTION session needs at least one line with a recurring price.');
  const first = recurring[0]!.price;
  for (const { i, price } of recurring) {
    if (!sameCycle(first, price)) {
      throw subscriptionLinesInvalid('mixed_intervals', `every recurring line bills on one cycle (every ${first.intervalCount} ${first.interval}, not ${price.intervalCount} ${price.interval}).`, `lineItems[${i}].recurring`);
    }
    if (price.trialDays !== first.trialDays) {
      throw subscriptionLinesInvalid('mixed_trials', `every recurring line has one trial (${first.trialDays} days, not ${price.trialDays}).`, `lineItems[${i}].recurring.trialDays`);
    }
  }
  if (first.trialDays > 0 && recurring.length !== lines.length) {
    const i = lines.findIndex((l) => !l.recurring);
    throw subscriptionLinesInvalid('trial_with_one_time_lines', 'a session with a trial charges nothing at checkout: every line must be recurring.', `lineItems[${i}]`);
  }
}

/** The plan a SUBSCRIPTION session's lines make (null for a PAYMENT session, or one with no recurring line), read in the caller's transaction. */
export async function subscriptionPlanOf(manager: EntityManager, cs: { id: string; mode: CheckoutMode }): Promise<SubscriptionPlanTerms | null> {
  if (cs.mode !== CheckoutMode.SUBSCRIPTION) return null;
  const lines = await manager.find(LineItemEntity, { where: { checkoutSessionId: cs.id }, order: { position: 'ASC' } });
  return planOfLines(lines);
}

/** The plan of stored lines: their recurring ones, on the first one's cycle. */
export function planOfLines(lines: readonly LineItemEntity[]): SubscriptionPlanTerms | null {
  const recurring = lines.filter((l) => l.recurringInterval !== null);
  const first = recurring[0];
  if (!first) return null;
  return {
    interval: first.recurringInterval!,
    intervalCount: first.recurringIntervalCount!,
    trialDays: first.recurringTrialDays!,
    items: recurring.map((l) => ({ position: l.position, name: l.name, offerId: l.offerId, unitAmountMinor: l.unitAmountMinor, quantity: l.quantity })),
  };
}

/** Whether a payment at checkout is deferred (a trial): the session commits to 0 and its payment succeeds at 0. */
export const chargedAtCheckout = (plan: SubscriptionPlanTerms | null): boolean => !plan || plan.trialDays === 0;
