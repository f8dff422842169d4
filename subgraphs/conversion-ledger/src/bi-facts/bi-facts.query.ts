// The BI facts report (docs/bi.md): the funnel counts and the money of `ledger.bi_facts`,
// bucketed by UTC day, ISO week (Monday) or month, grouped by any set of dimensions. Counts are
// one statement, money another grouped by currency as well: amounts are never added across
// currencies. Tenancy: a merchant its own facts, an admin (or a service) any merchant's or all.
import {
  badUserInput, divideRounded, ErrorCode, forbidden, HandoffError, money, requireKind, type Money, type Principal,
} from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { Where } from '../sql-where.js';

export const BI_INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const;
export type BiInterval = (typeof BI_INTERVALS)[number];
export const BI_DIMENSIONS = ['MERCHANT', 'AGENT', 'OFFER', 'CURRENCY', 'CHANNEL'] as const;
export type BiDimension = (typeof BI_DIMENSIONS)[number];

export const MAX_RANGE_DAYS = 366;
export const MAX_GROUPS = 10_000;
const DAY_MS = 86_400_000;
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

const COLUMN: Record<BiDimension, string> = { MERCHANT: 'merchant_id', AGENT: 'agent_id', OFFER: 'offer_id', CURRENCY: 'currency', CHANNEL: 'channel' };
const LABEL: Record<BiInterval, string> = { DAY: 'YYYY-MM-DD', WEEK: 'IYYY-"W"IW', MONTH: 'YYYY-MM' };

export interface BiFactsArgs {
  from?: Date | null;
  to?: Date | null;
  interval: string;
  groupBy?: readonly string[] | null;
  merchantId?: string | null;
  agentId?: string | null;
}

export interface BiAmounts {
  currency: string;
  gmv: Money;
  refunded: Money;
  /** refunded / gmv, 4 decimals (half up); null when there was no GMV in this bucket and group. */
  refundRate: number | null;
  conversionValue: Money;
  paidOut: Money;
}

export interface BiFactsRow {
  bucket: string;
  bucketStart: Date;
  merchantId: string | null;
  agentId: string | null;
  offerId: string | null;
  currency: string | null;
  channel: string | null;
  agentSessions: number;
  recommendations: number;
  checkouts: number;
  paymentsSucceeded: number;
  refunds: number;
  conversionsVerified: number;
  paidOut: number;
  amounts: BiAmounts[];
}

export interface BiFactsReport {
  from: Date;
  to: Date;
  interval: BiInterval;
  groupBy: BiDimension[];
  merchantId: string | null;
  rows: BiFactsRow[];
}

function instant(value: Date | null | undefined, field: string): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const t = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(t)) throw badUserInput(field, 'must be an ISO 8601 date-time.');
  if (t < EARLIEST || t >= LATEST) throw badUserInput(field, 'must be between 2000-01-01 and 2200-01-01.');
  return new Date(t);
}

/** `[from, to)`: `to` defaults to now, `from` to 30 days before; INVALID_DATE_RANGE, DATE_RANGE_TOO_LARGE (366 days). */
export function biRange(fromArg: Date | null | undefined, toArg: Date | null | undefined, now = new Date()): { from: Date; to: Date } {
  const to = instant(toArg, 'to') ?? now;
  const from = instant(fromArg, 'from') ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime()) throw new HandoffError(ErrorCode.INVALID_DATE_RANGE, '`from` must be before `to`.', { field: 'from' });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new HandoffError(ErrorCode.DATE_RANGE_TOO_LARGE, `The range may span at most ${MAX_RANGE_DAYS} days; ask for it in parts.`, { field: 'to', maxDays: MAX_RANGE_DAYS });
  }
  return { from, to };
}

export function biInterval(value: string): BiInterval {
  if (!(BI_INTERVALS as readonly string[]).includes(value)) throw badUserInput('interval', `must be one of ${BI_INTERVALS.join(', ')}.`);
  return value as BiInterval;
}

export function biDimensions(values: readonly string[] | null | undefined): BiDimension[] {
  const list = [...(values ?? [])];
  for (const v of list) if (!(BI_DIMENSIONS as readonly string[]).includes(v)) throw badUserInput('groupBy', `unknown dimension ${JSON.stringify(String(v).slice(0, 40))}: one of ${BI_DIMENSIONS.join(', ')}.`);
  if (new Set(list).size !== list.length) throw badUserInput('groupBy', 'names a dimension twice.');
  // In one order whatever order they were asked in, so rows sort the same way.
  return BI_DIMENSIONS.filter((d) => list.includes(d));
}

/**
 * The facts `principal` may read, narrowed to `merchantId` when given: a merchant only its own
 * (another's is FORBIDDEN), an admin or a service anyone's. Adds to `w`; returns the merchant asked for.
 */
export function scopeBiFacts(w: Where, principal: Principal, merchantId: string | null | undefined): string | null {
  const p = requireKind(principal, 'ADMIN', 'SERVICE', 'MERCHANT');
  if (merchantId !== null && merchantId !== undefined && (typeof merchantId !== 'string' || merchantId.length === 0 || merchantId.length > 100)) {
    throw badUserInput('merchantId', 'must be a merchant id.');
  }
  if (p.kind === 'MERCHANT') {
    if (merchantId && merchantId !== p.merchantId) throw forbidden('A merchant reads its own BI facts only.');
    w.add((x) => `f.merchant_id = ${x}`, p.merchantId);
    return p.merchantId;
  }
  if (merchantId) w.add((x) => `f.merchant_id = ${x}`, merchantId);
  return merchantId ?? null;
}

/** refunded / gmv to 4 decimals, half up, in integers (the money helper's rounding). */
export function refundRate(refunded: Money, gmv: Money): number | null {
  if (gmv.amountMinor === 0) return null;
  return Number(divideRounded(BigInt(refunded.amountMinor) * 10_000n, BigInt(gmv.amountMinor), 'half_up')) / 10_000;
}

interface CountRow extends Record<string, unknown> {
  bucket_start: Date;
  bucket: string;
  agent_sessions: number;
  recommendations: number;
  checkouts: number;
  payments: number;
  refunds: number;
  conversions: number;
  payouts: number;
}

interface MoneyRow extends Record<string, unknown> {
  bucket: string;
  money_currency: string;
  gmv: string;
  refunded: string;
  conversion_value: string;
  paid_out: string;
}

export async function biFactsReport(db: Pick<DataSource, 'query'>, principal: Principal, args: BiFactsArgs, now = new Date()): Promise<BiFactsReport> {
  const interval = biInterval(args.interval);
  const groupBy = biDimensions(args.groupBy);
  const { from, to } = biRange(args.from, args.to, now);
  const w = new Where();
  const merchantId = scopeBiFacts(w, principal, args.merchantId);
  if (args.agentId !== null && args.agentId !== undefined) {
    if (typeof args.agentId !== 'string' || args.agentId.length === 0 || args.agentId.length > 100) throw badUserInput('agentId', 'must be an agent id.');
    w.add((x) => `f.agent_id = ${x}`, args.agentId);
  }
  w.add((x) => `f.occurred_at >= ${x}`, from).add((x) => `f.occurred_at < ${x}`, to);
  w.params.push(interval.toLowerCase());
  const start = `date_trunc($${w.params.length}, f.occurred_at, 'UTC')`;
  const label = `to_char(${start} AT TIME ZONE 'UTC', '${LABEL[interval]}')`;
  const dims = groupBy.map((d) => `f.${COLUMN[d]}`);
  const keys = [start, label, ...dims];
  const groupSql = keys.map((_, i) => String(i + 1)).join(', ');

  const counts = (await db.query(
    `SELECT ${start} AS bucket_start, ${label} AS bucket${dims.map((d, i) => `, ${d} AS d${i}`).join('')},
            (count(DISTINCT f.agent_session_id) FILTER (WHERE f.kind = 'AGENT_SESSION'))::int AS agent_sessions,
            (count(*) FILTER (WHERE f.kind = 'RECOMMENDATION'))::int AS recommendations,
            (count(*) FILTER (WHERE f.kind = 'CHECKOUT'))::int AS checkouts,
            (count(*) FILTER (WHERE f.kind = 'PAYMENT'))::int AS payments,
            (count(*) FILTER (WHERE f.kind = 'REFUND'))::int AS refunds,
            (count(*) FILTER (WHERE f.kind = 'CONVERSION'))::int AS conversions,
            (count(*) FILTER (WHERE f.kind = 'PAYOUT'))::int AS payouts
       FROM ledger.bi_facts f ${w.sql}
      GROUP BY ${groupSql} ORDER BY ${groupSql} NULLS FIRST LIMIT ${MAX_GROUPS + 1}`,
    w.params,
  )) as CountRow[];
  if (counts.length > MAX_GROUPS) throw badUserInput('groupBy', `more than ${MAX_GROUPS} groups: ask for a shorter range, a coarser interval or fewer dimensions.`);

  // Money: each group's amounts per currency (a CURRENCY group has one currency).
  const moneyRows = (await db.query(
    `SELECT ${label} AS bucket${dims.map((d, i) => `, ${d} AS d${i}`).join('')}, f.currency AS money_currency,
            coalesce(sum(f.amount_minor) FILTER (WHERE f.kind = 'PAYMENT'), 0)::text AS gmv,
            coalesce(sum(f.amount_minor) FILTER (WHERE f.kind = 'REFUND'), 0)::text AS refunded,
            coalesce(sum(f.amount_minor) FILTER (WHERE f.kind = 'CONVERSION'), 0)::text AS conversion_value,
            coalesce(sum(f.amount_minor) FILTER (WHERE f.kind = 'PAYOUT'), 0)::text AS paid_out
       FROM ledger.bi_facts f ${w.sql} AND f.amount_minor IS NOT NULL
      GROUP BY ${keys.slice(1).map((_, i) => String(i + 1)).join(', ')}, f.currency ORDER BY f.currency`,
    w.params,
  )) as MoneyRow[];

  const keyOf = (r: Record<string, unknown>) => JSON.stringify([r.bucket, ...dims.map((_, i) => r[`d${i}`] ?? null)]);
  const amountsOf = new Map<string, BiAmounts[]>();
  for (const m of moneyRows) {
    const c = m.money_currency;
    const gmv = money(m.gmv, c);
    const refunded = money(m.refunded, c);
    const list = amountsOf.get(keyOf(m)) ?? [];
    list.push({ currency: c, gmv, refunded, refundRate: refundRate(refunded, gmv), conversionValue: money(m.conversion_value, c), paidOut: money(m.paid_out, c) });
    amountsOf.set(keyOf(m), list);
  }
  const dim = (r: CountRow, d: BiDimension) => {
    const i = groupBy.indexOf(d);
    return i < 0 ? null : ((r[`d${i}`] as string | null) ?? null);
  };
  const rows = counts.map((r) => ({
    bucket: r.bucket,
    bucketStart: r.bucket_start,
    merchantId: dim(r, 'MERCHANT'),
    agentId: dim(r, 'AGENT'),
    offerId: dim(r, 'OFFER'),
    currency: dim(r, 'CURRENCY'),
    channel: dim(r, 'CHANNEL'),
    agentSessions: r.agent_sessions,
    recommendations: r.recommendations,
    checkouts: r.checkouts,
    paymentsSucceeded: r.payments,
    refunds: r.refunds,
    conversionsVerified: r.conversions,
    paidOut: r.payouts,
    amounts: amountsOf.get(keyOf(r)) ?? [],
  }));
  return { from, to, interval, groupBy, merchantId, rows };
}
