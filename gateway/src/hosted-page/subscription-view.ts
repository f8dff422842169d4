// What the hosted page tells the buyer of a SUBSCRIPTION checkout session (issue 22;
// docs/recurring.md): how often it renews and for how much (the recurring lines' total before
// tax and shipping, as each renewal's invoice starts from), and, with a trial, that nothing is
// charged today. The card is kept for the renewals: the page says so before the buyer pays.
import { formatDecimal, money } from '@handoff/shared/money/money';
import { moneyView, type MoneyView } from './money-format.js';

export interface RecurringData {
  interval: string;
  intervalCount: number;
  trialDays: number;
}

export interface SubscriptionView {
  interval: string;
  interval_count: number;
  trial_days: number;
  /** The recurring lines' total each period. */
  amount: MoneyView;
  /** The sentence shown above the card form. */
  notice: string;
}

const UNIT: Record<string, [string, string]> = { DAY: ['day', 'days'], WEEK: ['week', 'weeks'], MONTH: ['month', 'months'], YEAR: ['year', 'years'] };

/** "every month", "every 3 months". */
export function cadence(interval: string, count: number): string {
  const [one, many] = UNIT[interval] ?? [interval.toLowerCase(), `${interval.toLowerCase()}s`];
  return count === 1 ? `every ${one}` : `every ${count} ${many}`;
}

/** The session's subscription as the page shows it; null for a PAYMENT session or one with no recurring line. */
export function subscriptionView(
  mode: string,
  lines: ReadonlyArray<{ total: { amountMinor: number; currency: string }; recurring?: RecurringData | null }>,
  locale?: string,
): SubscriptionView | null {
  if (mode !== 'SUBSCRIPTION') return null;
  const recurring = lines.filter((l) => l.recurring);
  const first = recurring[0]?.recurring;
  if (!first) return null;
  const currency = recurring[0]!.total.currency;
  const each = money(recurring.reduce((n, l) => n + l.total.amountMinor, 0), currency);
  const amount = moneyView({ amountMinor: each.amountMinor, currency, amount: formatDecimal(each) }, locale);
  const every = cadence(first.interval, first.intervalCount);
  const notice =
    first.trialDays > 0
      ? `Free for ${first.trialDays} ${first.trialDays === 1 ? 'day' : 'days'}, then ${amount.display} ${every}. Nothing is charged today; your card is saved for the renewals.`
      : `${amount.display} ${every} until you cancel. Your card is saved for the renewals.`;
  return { interval: first.interval.toLowerCase(), interval_count: first.intervalCount, trial_days: first.trialDays, amount, notice };
}
