import { describe, expect, it } from 'vitest';
import { dateRange, MAX_RANGE_DAYS } from './date-range.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'none';
};

describe('dateRange', () => {
  const now = new Date('2026-05-01T00:00:00Z');

  it('defaults to the 30 days before `to` (now when absent)', () => {
    expect(dateRange(null, null, { now })).toEqual({ from: new Date('2026-04-01T00:00:00Z'), to: now });
    expect(dateRange(null, new Date('2026-02-01T00:00:00Z'), { now }).from).toEqual(new Date('2026-01-02T00:00:00Z'));
  });

  it('takes a range of exactly the most days, and refuses one millisecond more', () => {
    const to = new Date(now.getTime() + MAX_RANGE_DAYS * 86_400_000);
    expect(dateRange(now, to).to).toEqual(to);
    expect(codeOf(() => dateRange(now, new Date(to.getTime() + 1)))).toBe('DATE_RANGE_TOO_LARGE');
  });

  it('refuses an inverted or empty range, a bad instant, and a missing end when required', () => {
    expect(codeOf(() => dateRange(now, new Date(now.getTime() - 1)))).toBe('INVALID_DATE_RANGE');
    expect(codeOf(() => dateRange(now, now))).toBe('INVALID_DATE_RANGE');
    expect(codeOf(() => dateRange(new Date(Number.NaN), now))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => dateRange(new Date('1970-01-01T00:00:00Z'), now))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => dateRange(null, now, { required: true }))).toBe('BAD_USER_INPUT');
  });
});
