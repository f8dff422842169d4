import { describe, expect, it } from 'vitest';
import { addIntervals, MAX_INTERVAL_COUNT, periodBounds, sameCycle, trialEnd, validateRecurringPrice } from './recurring-price.contract.js';

const refusal = (input: unknown) => {
  try {
    validateRecurringPrice(input, 'lineItems[0].recurring');
  } catch (err) {
    return (err as { extensions: Record<string, unknown> }).extensions;
  }
  throw new Error('accepted');
};

describe('validateRecurringPrice', () => {
  it('takes a price, defaulting the count to 1 and the trial to 0, the interval in any case', () => {
    expect(validateRecurringPrice({ interval: 'month' }, 'r')).toEqual({ interval: 'MONTH', intervalCount: 1, trialDays: 0 });
    expect(validateRecurringPrice({ interval: 'WEEK', intervalCount: 2, trialDays: 14 }, 'r')).toEqual({ interval: 'WEEK', intervalCount: 2, trialDays: 14 });
    expect(validateRecurringPrice(null, 'r')).toBeNull();
    expect(validateRecurringPrice(undefined, 'r')).toBeNull();
  });

  it('refuses an unknown interval, zero or negative counts, more than a year, a trial over 365 days, with stable reasons', () => {
    expect(refusal({ interval: 'FORTNIGHT' })).toMatchObject({ code: 'INVALID_RECURRING_PRICE', reason: 'recurring:interval', field: 'lineItems[0].recurring.interval' });
    expect(refusal({ interval: 7 })).toMatchObject({ reason: 'recurring:interval' });
    expect(refusal({ interval: 'MONTH', intervalCount: 0 })).toMatchObject({ reason: 'recurring:interval_count', field: 'lineItems[0].recurring.intervalCount' });
    expect(refusal({ interval: 'MONTH', intervalCount: -1 })).toMatchObject({ reason: 'recurring:interval_count' });
    expect(refusal({ interval: 'MONTH', intervalCount: 1.5 })).toMatchObject({ reason: 'recurring:interval_count' });
    expect(refusal({ interval: 'MONTH', intervalCount: 13 })).toMatchObject({ reason: 'recurring:interval_count' });
    expect(refusal({ interval: 'YEAR', intervalCount: 2 })).toMatchObject({ reason: 'recurring:interval_count' });
    expect(refusal({ interval: 'DAY', trialDays: 366 })).toMatchObject({ reason: 'recurring:trial_days', field: 'lineItems[0].recurring.trialDays' });
    expect(refusal({ interval: 'DAY', trialDays: -1 })).toMatchObject({ reason: 'recurring:trial_days' });
    expect(refusal('monthly')).toMatchObject({ reason: 'recurring:shape' });
    expect(refusal({ interval: 'M'.repeat(100_000) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lineItems[0].recurring.interval' });
    for (const [interval, max] of Object.entries(MAX_INTERVAL_COUNT)) expect(validateRecurringPrice({ interval, intervalCount: max }, 'r')?.intervalCount).toBe(max);
  });

  it('compares cycles by interval and count only', () => {
    expect(sameCycle({ interval: 'MONTH', intervalCount: 1, trialDays: 0 }, { interval: 'MONTH', intervalCount: 1, trialDays: 7 })).toBe(true);
    expect(sameCycle({ interval: 'MONTH', intervalCount: 1, trialDays: 0 }, { interval: 'MONTH', intervalCount: 3, trialDays: 0 })).toBe(false);
  });
});

describe('periods', () => {
  const at = (s: string) => new Date(s);

  it('adds months keeping the anchor day, clamped to short months, never drifting', () => {
    const anchor = at('2026-01-31T10:00:00Z');
    expect(addIntervals(anchor, 'MONTH', 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addIntervals(anchor, 'MONTH', 2).toISOString()).toBe('2026-03-31T10:00:00.000Z');
    expect(addIntervals(at('2028-01-31T00:00:00Z'), 'MONTH', 1).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(addIntervals(at('2026-11-15T00:00:00Z'), 'MONTH', 3).toISOString()).toBe('2027-02-15T00:00:00.000Z');
    expect(addIntervals(at('2028-02-29T00:00:00Z'), 'YEAR', 1).toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });

  it('adds days and weeks exactly', () => {
    expect(addIntervals(at('2026-03-01T00:00:00Z'), 'DAY', 30).toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(addIntervals(at('2026-03-01T00:00:00Z'), 'WEEK', 2).toISOString()).toBe('2026-03-15T00:00:00.000Z');
  });

  it('bounds period N from the anchor: consecutive, one cycle long', () => {
    const anchor = at('2026-01-31T10:00:00Z');
    const cycle = { interval: 'MONTH' as const, intervalCount: 1 };
    expect(periodBounds(anchor, cycle, 1)).toEqual({ start: anchor, end: at('2026-02-28T10:00:00Z') });
    expect(periodBounds(anchor, cycle, 2)).toEqual({ start: at('2026-02-28T10:00:00Z'), end: at('2026-03-31T10:00:00Z') });
    expect(periodBounds(anchor, { interval: 'WEEK', intervalCount: 2 }, 3).start.toISOString()).toBe('2026-02-28T10:00:00.000Z'); // 2 periods of 14 days
    expect(() => periodBounds(anchor, cycle, 0)).toThrow();
    expect(trialEnd(at('2026-01-01T00:00:00Z'), 14).toISOString()).toBe('2026-01-15T00:00:00.000Z');
  });
});
