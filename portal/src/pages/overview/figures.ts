// The Overview's figures from the ledger's reporting rows (commissionSummary by DAY and by
// STATUS) and the checkout KPIs: per-currency totals and daily series with no missing days.
import type { PortalOverviewQuery } from '../../generated/graphql';

type Row = PortalOverviewQuery['byDay'][number];

export interface Range {
  from: string; // YYYY-MM-DD, inclusive
  to: string; // YYYY-MM-DD, inclusive
}

export function daysOf(range: Range): string[] {
  const days: string[] = [];
  const end = Date.parse(`${range.to}T00:00:00Z`);
  for (let t = Date.parse(`${range.from}T00:00:00Z`); t <= end && days.length < 400; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The graph's [from, to) instants of a range of whole UTC days. */
export function rangeVariables(range: Range): { from: string; to: string } {
  return { from: `${range.from}T00:00:00.000Z`, to: new Date(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000).toISOString() };
}

export function lastDays(n: number, today = new Date()): Range {
  const to = today.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (n - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}

/** Statuses whose commission the merchant still owes (not paid, clawed back, rejected or disputed). */
const OWED = new Set(['PENDING', 'VALIDATED', 'PAYABLE']);

export interface CurrencyFigures {
  currency: string;
  gmvMinor: number;
  refundedMinor: number;
  commissionMinor: number;
  /** Commission of the range's conversions not yet settled (pending, validated or payable). */
  owedMinor: number;
  conversions: number;
  gmvByDay: Array<{ day: string; value: number }>;
  commissionByDay: Array<{ day: string; value: number }>;
}

export interface OverviewFigures {
  currencies: CurrencyFigures[];
  conversionsByDay: Array<{ day: string; value: number }>;
  conversions: number;
  /** Of the range's conversions, those with any refund (full or partial): 0..1, null when none. */
  refundRate: number | null;
  conversionRate: number | null;
}

export function overviewFigures(data: PortalOverviewQuery, range: Range): OverviewFigures {
  const days = daysOf(range);
  const byCurrency = new Map<string, Row[]>();
  for (const row of data.byDay) byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
  const series = (rows: Row[], pick: (r: Row) => number) => {
    const at = new Map<string, number>();
    for (const r of rows) if (r.key) at.set(r.key, (at.get(r.key) ?? 0) + pick(r));
    return days.map((day) => ({ day, value: at.get(day) ?? 0 }));
  };
  const currencies = [...byCurrency.entries()]
    .map(([currency, rows]) => ({
      currency,
      gmvMinor: rows.reduce((s, r) => s + r.transactionValue.amountMinor, 0),
      refundedMinor: rows.reduce((s, r) => s + r.refunded.amountMinor, 0),
      commissionMinor: rows.reduce((s, r) => s + r.commission.amountMinor, 0),
      owedMinor: data.byStatus
        .filter((r) => r.currency === currency && OWED.has(r.key ?? ''))
        .reduce((s, r) => s + r.commission.amountMinor, 0),
      conversions: rows.reduce((s, r) => s + r.count, 0),
      gmvByDay: series(rows, (r) => r.transactionValue.amountMinor),
      commissionByDay: series(rows, (r) => r.commission.amountMinor),
    }))
    .sort((a, b) => b.conversions - a.conversions || a.currency.localeCompare(b.currency));
  const conversionsByDay = series(data.byDay, (r) => r.count);
  const conversions = data.byStatus.reduce((s, r) => s + r.count, 0);
  const refunded = data.byStatus.reduce((s, r) => s + r.refundedCount, 0);
  return {
    currencies,
    conversionsByDay,
    conversions,
    refundRate: conversions > 0 ? refunded / conversions : null,
    conversionRate: data.checkoutMetrics.conversionRate ?? null,
  };
}
