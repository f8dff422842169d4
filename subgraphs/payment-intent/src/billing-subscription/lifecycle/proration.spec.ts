import { describe, expect, it } from 'vitest';
import { prorate } from './proration.js';

const start = new Date('2026-01-01T00:00:00Z');
const end = new Date('2026-01-31T00:00:00Z'); // 30 days
const at = (days: number, extraSeconds = 0) => new Date(start.getTime() + days * 86_400_000 + extraSeconds * 1000);

describe('prorate', () => {
  it('credits the unused old amount and charges the remaining new amount by seconds (GBP, halfway)', () => {
    const p = prorate({ currency: 'GBP', oldAmountMinor: 3000, newAmountMinor: 4500, periodStart: start, periodEnd: end, at: at(15) });
    expect(p.credit).toEqual({ amountMinor: 1500, currency: 'GBP' });
    expect(p.charge).toEqual({ amountMinor: 2250, currency: 'GBP' });
    expect(p.net).toEqual({ amountMinor: 750, currency: 'GBP' });
    expect([p.remainingSeconds, p.periodSeconds]).toEqual([15 * 86_400, 30 * 86_400]);
  });

  it('rounds each side half-up in JPY (exponent 0): 1000 yen × 1/3 = 333.33 → 333, 2000 × 1/3 = 666.67 → 667', () => {
    const p = prorate({ currency: 'JPY', oldAmountMinor: 1000, newAmountMinor: 2000, periodStart: start, periodEnd: end, at: at(20) });
    expect(p.credit.amountMinor).toBe(333);
    expect(p.charge.amountMinor).toBe(667);
    expect(p.net).toEqual({ amountMinor: 334, currency: 'JPY' });
  });

  it('rounds in KWD (exponent 3, fils) and a tie goes up: 1 fils × half = 0.5 → 1', () => {
    const p = prorate({ currency: 'KWD', oldAmountMinor: 1, newAmountMinor: 12_345, periodStart: start, periodEnd: end, at: at(15) });
    expect(p.credit).toEqual({ amountMinor: 1, currency: 'KWD' });
    expect(p.charge).toEqual({ amountMinor: 6173, currency: 'KWD' }); // 6172.5 → 6173
    expect(p.net.amountMinor).toBe(6172);
  });

  it('a downgrade nets a credit; the same amount nets exactly zero whatever the rounding', () => {
    expect(prorate({ currency: 'GBP', oldAmountMinor: 4500, newAmountMinor: 3000, periodStart: start, periodEnd: end, at: at(15) }).net.amountMinor).toBe(-750);
    expect(prorate({ currency: 'GBP', oldAmountMinor: 999, newAmountMinor: 999, periodStart: start, periodEnd: end, at: at(7, 1234) }).net.amountMinor).toBe(0);
  });

  it('counts whole seconds: one second before the end prorates 1/2 592 000 of the period', () => {
    const p = prorate({ currency: 'GBP', oldAmountMinor: 0, newAmountMinor: 2_592_000, periodStart: start, periodEnd: end, at: new Date(end.getTime() - 1000) });
    expect(p.charge.amountMinor).toBe(1);
  });

  it('prorates nothing at or after the end and the whole period before the start', () => {
    expect(prorate({ currency: 'GBP', oldAmountMinor: 3000, newAmountMinor: 6000, periodStart: start, periodEnd: end, at: end }).net.amountMinor).toBe(0);
    expect(prorate({ currency: 'GBP', oldAmountMinor: 3000, newAmountMinor: 6000, periodStart: start, periodEnd: end, at: at(-1) }).net.amountMinor).toBe(3000);
  });

  it('refuses an amount that is not minor units and an empty period', () => {
    expect(() => prorate({ currency: 'GBP', oldAmountMinor: 1.5, newAmountMinor: 1, periodStart: start, periodEnd: end, at: at(1) })).toThrow();
    expect(() => prorate({ currency: 'GBP', oldAmountMinor: 1, newAmountMinor: 1, periodStart: end, periodEnd: end, at: at(1) })).toThrow(RangeError);
  });
});
