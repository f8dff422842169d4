// Delivery estimates in business days → calendar dates. Business days are Monday to Friday in
// UTC, counted from the day after the calculation date (an order placed on a Friday with a
// 1-day estimate arrives on Monday). Public holidays are not modelled.
import type { DeliveryEstimate } from '../calculation/calculation.types.js';

const DAY_MS = 86_400_000;

/** The date `days` business days after `from` (UTC), as YYYY-MM-DD. 0 days: `from` itself, moved to Monday if on a weekend. */
export function addBusinessDays(from: Date, days: number): string {
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError('addBusinessDays: days must be a non-negative integer');
  let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const weekend = (ms: number) => {
    const d = new Date(ms).getUTCDay();
    return d === 0 || d === 6;
  };
  while (weekend(t)) t += DAY_MS;
  for (let left = days; left > 0; ) {
    t += DAY_MS;
    if (!weekend(t)) left -= 1;
  }
  return new Date(t).toISOString().slice(0, 10);
}

/** The estimate of a rate (null when it gives none), with dates when asked. */
export function deliveryEstimate(minDays: number | null, maxDays: number | null, at: Date, withDates: boolean): DeliveryEstimate | null {
  if (minDays === null || maxDays === null) return null;
  const estimate: DeliveryEstimate = { minDays, maxDays };
  if (withDates) {
    estimate.earliestDate = addBusinessDays(at, minDays);
    estimate.latestDate = addBusinessDays(at, maxDays);
  }
  return estimate;
}
