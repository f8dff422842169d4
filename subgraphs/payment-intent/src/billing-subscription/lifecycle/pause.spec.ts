import { periodBounds } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { resumeSchedule, subtractIntervals } from './pause.js';

const d = (iso: string) => new Date(iso);

describe('resumeSchedule', () => {
  const monthly = { interval: 'MONTH' as const, intervalCount: 1, currentPeriod: 2, billingCycleAnchor: d('2026-01-10T00:00:00Z'), currentPeriodEnd: d('2026-03-10T00:00:00Z') };

  it('before the paid period ends: the renewal stays at its end, the anchor unchanged', () => {
    expect(resumeSchedule(monthly, d('2026-03-01T12:00:00Z'))).toEqual({ nextRenewalAt: d('2026-03-10T00:00:00Z') });
  });

  it('after it: re-anchored so the next period (3) starts at the resume, charged now', () => {
    const at = d('2026-05-20T08:30:00Z');
    const s = resumeSchedule(monthly, at);
    expect(s).toEqual({ nextRenewalAt: at, billingCycleAnchor: d('2026-03-20T08:30:00Z') });
    expect(periodBounds(s.billingCycleAnchor!, monthly, 3)).toEqual({ start: at, end: d('2026-06-20T08:30:00Z') });
  });

  it('day and week cycles start exactly at the resume', () => {
    const at = d('2026-07-31T23:00:00Z');
    for (const interval of ['DAY', 'WEEK'] as const) {
      const sub = { ...monthly, interval, intervalCount: 3, currentPeriodEnd: d('2026-02-01T00:00:00Z') };
      const s = resumeSchedule(sub, at);
      expect(periodBounds(s.billingCycleAnchor!, sub, 3).start).toEqual(at);
    }
  });

  it('a month cycle resumed on the 31st starts on the day clamped by the re-anchored month (Feb 28 → Mar 28), never after the resume', () => {
    const sub = { ...monthly, currentPeriod: 1, currentPeriodEnd: d('2026-02-10T00:00:00Z') };
    const at = d('2026-03-31T10:00:00Z');
    const s = resumeSchedule(sub, at);
    expect(s.billingCycleAnchor).toEqual(d('2026-02-28T10:00:00Z'));
    expect(s.nextRenewalAt).toEqual(d('2026-03-28T10:00:00Z'));
  });
});

describe('subtractIntervals', () => {
  it('moves back months and years keeping the day, clamped', () => {
    expect(subtractIntervals(d('2026-03-31T00:00:00Z'), 'MONTH', 1)).toEqual(d('2026-02-28T00:00:00Z'));
    expect(subtractIntervals(d('2026-01-15T00:00:00Z'), 'MONTH', 13)).toEqual(d('2024-12-15T00:00:00Z'));
    expect(subtractIntervals(d('2028-02-29T00:00:00Z'), 'YEAR', 1)).toEqual(d('2027-02-28T00:00:00Z'));
  });
});
