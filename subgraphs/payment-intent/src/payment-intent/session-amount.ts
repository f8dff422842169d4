// The one place that says what a checkout session's payment intent must be created for: the
// session's amount due and its currency (checkout-session's total, the grand total of its
// current calculation; applied gift cards and store credit will reduce it here). A stale
// calculation is refused when the intent is confirmed (checkout-binding.ts), before anything is
// charged.
import { badUserInput, type Money } from '@handoff/shared';
import type { CheckoutRiskSignals } from '../ports/checkout-session.port.js';

/** What the session's card payment must be, in minor units. */
export function sessionAmountDue(session: Pick<CheckoutRiskSignals, 'amountMinor'>): number {
  return session.amountMinor;
}

/** BAD_USER_INPUT naming the field unless `amount` is what the session charges. */
export function assertSessionAmount(session: Pick<CheckoutRiskSignals, 'amountMinor' | 'currency' | 'checkoutSessionId'>, amount: Money): void {
  if (amount.currency !== session.currency) throw badUserInput('input.amount.currency', `must be the checkout session's currency (${session.currency}).`);
  const due = sessionAmountDue(session);
  if (amount.amountMinor !== due) {
    throw badUserInput('input.amount.amountMinor', `must be what checkout session ${session.checkoutSessionId} charges (${due}, the grand total of its calculation).`);
  }
}
