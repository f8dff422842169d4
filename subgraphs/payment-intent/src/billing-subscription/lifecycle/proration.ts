// Proration of a mid-period price or quantity change (issue 22 lifecycle; docs/recurring.md):
// credit for the unused time of the old amount, charge for the remaining time of the new one,
// both by whole seconds of the current period, in integer minor units of the subscription's
// currency. The one place this rounds: each side is rounded half-up on its own through the money
// helper's divideRounded (so a credit and a charge of equal amounts cancel exactly), and the net
// is their difference (positive: the buyer owes it on the next invoice; negative: a credit).
// The currency's exponent (JPY 0, GBP 2, KWD 3) does not enter the arithmetic: amounts are
// already minor units; it only decides what one minor unit is.
import { divideRounded, money, subtract, type Money } from '@handoff/shared';

export interface Proration {
  /** The unused part of the old amount, given back (≥ 0). */
  credit: Money;
  /** The remaining part of the new amount, owed (≥ 0). */
  charge: Money;
  /** charge − credit: what the next invoice adds (negative: takes off). */
  net: Money;
  /** Whole seconds left in the period at the change, and the period's length in seconds. */
  remainingSeconds: number;
  periodSeconds: number;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** amount × remaining / total, half-up, through the money helper. */
function portion(amountMinor: number, remaining: number, total: number): bigint {
  return divideRounded(BigInt(amountMinor) * BigInt(remaining), BigInt(total), 'half_up');
}

/**
 * The proration of moving from `oldAmountMinor` to `newAmountMinor` (per period, the items'
 * unit amount × quantity) at `at`, inside [periodStart, periodEnd). A change at or after the
 * period's end prorates nothing; one before its start prorates the whole period.
 */
export function prorate(args: { currency: string; oldAmountMinor: number; newAmountMinor: number; periodStart: Date; periodEnd: Date; at: Date }): Proration {
  const { currency, oldAmountMinor, newAmountMinor } = args;
  money(oldAmountMinor, currency, 'oldAmount');
  money(newAmountMinor, currency, 'newAmount');
  const start = seconds(args.periodStart);
  const end = seconds(args.periodEnd);
  if (end <= start) throw new RangeError(`prorate: the period ${args.periodStart.toISOString()}..${args.periodEnd.toISOString()} is empty.`);
  const total = end - start;
  const remaining = Math.min(total, Math.max(0, end - seconds(args.at)));
  const credit = money(portion(oldAmountMinor, remaining, total), currency);
  const charge = money(portion(newAmountMinor, remaining, total), currency);
  return { credit, charge, net: subtract(charge, credit), remainingSeconds: remaining, periodSeconds: total };
}
