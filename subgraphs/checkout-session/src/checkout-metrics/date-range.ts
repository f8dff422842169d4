// The date range of a metrics query or an export: `from` inclusive, `to` exclusive, both real
// instants, `from` before `to` (INVALID_DATE_RANGE otherwise), at most MAX_RANGE_DAYS apart
// (DATE_RANGE_TOO_LARGE: a longer one is asked for in parts). Defaults: `to` now, `from` 30 days before `to`.
import { badUserInput, ErrorCode, HandoffError } from '@handoff/shared';

export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 86_400_000;
// Earliest and latest instants a range may name (Postgres timestamptz and JS Date agree on these).
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

export interface DateRange {
  from: Date;
  to: Date;
}

function instant(value: Date | null | undefined, field: string): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw badUserInput(field, 'must be an ISO 8601 date-time.');
  if (t < EARLIEST || t >= LATEST) throw badUserInput(field, 'must be between 2000-01-01 and 2200-01-01.');
  return new Date(t);
}

/** The range asked for, checked; `required`: both ends must be given (an export names its range). */
export function dateRange(fromArg: Date | null | undefined, toArg: Date | null | undefined, opts: { required?: boolean; now?: Date } = {}): DateRange {
  const from = instant(fromArg, 'from');
  const to = instant(toArg, 'to');
  if (opts.required && !from) throw badUserInput('from', 'is required.');
  if (opts.required && !to) throw badUserInput('to', 'is required.');
  const end = to ?? opts.now ?? new Date();
  const start = from ?? new Date(end.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (start.getTime() >= end.getTime()) {
    throw new HandoffError(ErrorCode.INVALID_DATE_RANGE, '`from` must be before `to`.', { field: 'from' });
  }
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new HandoffError(ErrorCode.DATE_RANGE_TOO_LARGE, `The range may span at most ${MAX_RANGE_DAYS} days; ask for it in parts.`, {
      field: 'to',
      maxDays: MAX_RANGE_DAYS,
    });
  }
  return { from: start, to: end };
}
