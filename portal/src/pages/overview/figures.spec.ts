import { describe, expect, it } from 'vitest';
import type { PortalOverviewQuery } from '../../generated/graphql';
import { daysOf, lastDays, overviewFigures, rangeVariables } from './figures';

const money = (amountMinor: number, currency: string) => ({ amountMinor, currency });
const row = (key: string, currency: string, count: number, value: number, commission: number, refunded = 0, refundedCount = 0) => ({
  key,
  currency,
  count,
  transactionValue: money(value, currency),
  commission: money(commission, currency),
  refunded: money(refunded, currency),
  refundedCount,
});

describe('overview figures', () => {
  const range = { from: '2026-12-01', to: '2026-12-04' };

  it('fills every day of the range, per currency, and derives owed commission and refund rate', () => {
    const data: PortalOverviewQuery = {
      byDay: [row('2026-12-01', 'GBP', 2, 3000, 300, 2000, 1), row('2026-12-03', 'GBP', 1, 1000, 100), row('2026-12-03', 'JPY', 1, 500, 50)],
      byStatus: [row('PENDING', 'GBP', 1, 1000, 100, 300, 1), row('PAID', 'GBP', 1, 1000, 100), row('CLAWED_BACK', 'GBP', 1, 2000, 200, 2000, 1), row('VALIDATED', 'JPY', 1, 500, 50)],
      checkoutMetrics: { checkoutInitiated: 8, completed: 4, conversionRate: 0.5 },
    };
    const f = overviewFigures(data, range);
    expect(f.conversions).toBe(4);
    expect(f.refundRate).toBe(0.5); // a full refund (clawed back) and a partial one, of four
    expect(f.conversionRate).toBe(0.5);
    expect(f.conversionsByDay.map((p) => p.value)).toEqual([2, 0, 2, 0]);
    const gbp = f.currencies.find((c) => c.currency === 'GBP')!;
    expect(gbp.gmvMinor).toBe(4000);
    expect(gbp.refundedMinor).toBe(2000);
    expect(gbp.commissionMinor).toBe(400);
    expect(gbp.owedMinor).toBe(100);
    expect(gbp.gmvByDay).toEqual([
      { day: '2026-12-01', value: 3000 },
      { day: '2026-12-02', value: 0 },
      { day: '2026-12-03', value: 1000 },
      { day: '2026-12-04', value: 0 },
    ]);
    expect(f.currencies.find((c) => c.currency === 'JPY')!.owedMinor).toBe(50);
  });

  it('has no rates when there is nothing to divide', () => {
    const f = overviewFigures({ byDay: [], byStatus: [], checkoutMetrics: { checkoutInitiated: 0, completed: 0, conversionRate: null } }, range);
    expect(f.refundRate).toBeNull();
    expect(f.conversionRate).toBeNull();
    expect(f.currencies).toEqual([]);
  });

  it('asks the graph for whole UTC days, the last one included', () => {
    expect(rangeVariables(range)).toEqual({ from: '2026-12-01T00:00:00.000Z', to: '2026-12-05T00:00:00.000Z' });
    expect(daysOf(lastDays(7, new Date('2026-12-06T23:00:00Z')))).toHaveLength(7);
  });
});
