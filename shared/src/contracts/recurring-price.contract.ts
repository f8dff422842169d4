// Recurring prices (issue 22), written once: an offer (merchant), a checkout line
// (checkout-session) and a billing subscription's items (payment-intent) carry the same
// `{ interval, intervalCount, trialDays }`, checked by the same rules, with the same stable codes
// (INVALID_RECURRING_PRICE, reason recurring:<field>). Stripe's limits are the reference: an
// interval count of at most one year (365 days, 52 weeks, 12 months, 1 year); a trial of at most
// 365 days (issue 22's "a trial longer than a year" is refused).
import { badUserInput, ErrorCode, HandoffError } from '../errors/codes.js';

export const RECURRING_INTERVALS = ['DAY', 'WEEK', 'MONTH', 'YEAR'] as const;
export type RecurringInterval = (typeof RECURRING_INTERVALS)[number];

/** The largest interval count of each interval: one year. */
export const MAX_INTERVAL_COUNT: Readonly<Record<RecurringInterval, number>> = Object.freeze({ DAY: 365, WEEK: 52, MONTH: 12, YEAR: 1 });
export const MAX_TRIAL_DAYS = 365;

export interface RecurringPrice {
  interval: RecurringInterval;
  /** 1 to MAX_INTERVAL_COUNT[interval]: a period is `intervalCount` intervals. */
  intervalCount: number;
  /** 0 to 365: days before the first charge (0: charged at checkout). */
  trialDays: number;
}

/** What a client sends: intervalCount defaults to 1, trialDays to 0. */
export interface RecurringPriceInput {
  interval?: unknown;
  intervalCount?: unknown;
  trialDays?: unknown;
}

export const invalidRecurringPrice = (field: string, what: 'interval' | 'interval_count' | 'trial_days' | 'shape', message: string) =>
  new HandoffError(ErrorCode.INVALID_RECURRING_PRICE, `${field}: ${message}`, { field, reason: `recurring:${what}` });

export const isRecurringInterval = (v: unknown): v is RecurringInterval => typeof v === 'string' && (RECURRING_INTERVALS as readonly string[]).includes(v);

/** The price checked (null when none was given), or INVALID_RECURRING_PRICE naming the field at fault. */
export function validateRecurringPrice(input: unknown, field: string): RecurringPrice | null {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'object' || Array.isArray(input)) throw invalidRecurringPrice(field, 'shape', 'must be an object { interval, intervalCount, trialDays }.');
  const i = input as RecurringPriceInput;
  // An oversized value is refused as any unbounded text is (BAD_USER_INPUT), before it is compared.
  if (typeof i.interval === 'string' && i.interval.length > 20) throw badUserInput(`${field}.interval`, 'must be at most 20 characters (DAY, WEEK, MONTH or YEAR).');
  const interval = typeof i.interval === 'string' ? i.interval.trim().toUpperCase() : i.interval;
  if (!isRecurringInterval(interval)) throw invalidRecurringPrice(`${field}.interval`, 'interval', `must be one of ${RECURRING_INTERVALS.join(', ')}.`);
  const count = i.intervalCount ?? 1;
  const max = MAX_INTERVAL_COUNT[interval];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > max) {
    throw invalidRecurringPrice(`${field}.intervalCount`, 'interval_count', `must be an integer from 1 to ${max} for ${interval} (at most one year).`);
  }
  const trial = i.trialDays ?? 0;
  if (typeof trial !== 'number' || !Number.isInteger(trial) || trial < 0 || trial > MAX_TRIAL_DAYS) {
    throw invalidRecurringPrice(`${field}.trialDays`, 'trial_days', `must be an integer from 0 to ${MAX_TRIAL_DAYS}.`);
  }
  return { interval, intervalCount: count, trialDays: trial };
}

/** Whether two prices bill on the same cycle (interval and count). */
export const sameCycle = (a: RecurringPrice, b: RecurringPrice): boolean => a.interval === b.interval && a.intervalCount === b.intervalCount;

/**
 * `anchor` moved on by `n` intervals, in UTC. Months and years keep the anchor's day, clamped to
 * the month's last day (Jan 31 + 1 month = Feb 28 or 29; + 2 months = Mar 31), as Stripe's billing
 * cycle anchor does: period N is always computed from the anchor, never from the previous end,
 * so a short month does not shift the later ones.
 */
export function addIntervals(anchor: Date, interval: RecurringInterval, n: number): Date {
  if (!Number.isInteger(n) || n < 0) throw new Error(`addIntervals: ${n} is not a count.`);
  const t = anchor.getTime();
  if (interval === 'DAY') return new Date(t + n * 86_400_000);
  if (interval === 'WEEK') return new Date(t + n * 7 * 86_400_000);
  const months = interval === 'MONTH' ? n : n * 12;
  const y = anchor.getUTCFullYear();
  const m = anchor.getUTCMonth() + months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(anchor.getUTCDate(), lastDay);
  return new Date(Date.UTC(targetYear, targetMonth, day, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
}

/**
 * The bounds of paid period `period` (1 = the first) of a cycle anchored at `anchor` (the first
 * paid period's start: the checkout's payment, or the trial's end).
 */
export function periodBounds(anchor: Date, price: Pick<RecurringPrice, 'interval' | 'intervalCount'>, period: number): { start: Date; end: Date } {
  if (!Number.isInteger(period) || period < 1) throw new Error(`periodBounds: period ${period} is not 1 or more.`);
  return {
    start: addIntervals(anchor, price.interval, (period - 1) * price.intervalCount),
    end: addIntervals(anchor, price.interval, period * price.intervalCount),
  };
}

/** A trial's end: `trialDays` days after `start`. */
export const trialEnd = (start: Date, trialDays: number): Date => new Date(start.getTime() + trialDays * 86_400_000);

/**
 * What a SUBSCRIPTION checkout session commits to at payment (checkout-session's
 * beginCheckoutPayment answers it to payment-intent, which creates the billing subscription):
 * the cycle all its recurring lines share and its recurring lines. Null for a PAYMENT session.
 */
export interface SubscriptionPlanTerms {
  interval: RecurringInterval;
  intervalCount: number;
  trialDays: number;
  items: SubscriptionPlanItem[];
}

export interface SubscriptionPlanItem {
  /** The line's position in its session (0-based). */
  position: number;
  name: string;
  offerId: string | null;
  unitAmountMinor: number;
  quantity: number;
}
