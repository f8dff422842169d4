// Checkout KPIs (seed 003 §16), computed from the stored data on each ask, never from counters:
// the cohort is the checkout sessions CREATED in [from, to) (one merchant's, or every merchant's
// for an admin who names none), and each KPI says what became of them (docs/api.md "Checkout
// metrics" defines each):
//   checkout_initiated    sessions created in the range
//   payment_attempts      their timeline's payment.confirm_attempted entries (each confirmation sent to the PSP)
//   3ds_challenges        their timeline's payment.requires_action entries (the PSP asked the buyer to authenticate)
//   conversion_rate       completed (status COMPLETE) / initiated          (null when none was initiated)
//   abandon_rate          ended unpaid (EXPIRED or CANCELED) / initiated    (null when none was initiated)
//   avg_time_to_purchase  mean seconds from creation to the checkout.completed entry of the completed ones (null when none)
// Sessions still OPEN count in neither rate. Payment-intent's entries reach the timeline by queue,
// a moment after the payment: a query for a range that ends now may not count the last second's.
import { forbidden, optionalId, requireKind, type MerchantCheckoutKpis, type Principal, type ReadPool, type RecentCheckoutKpisAnswer } from '@handoff/shared';
import { table } from '../events.js';
import { dateRange, type DateRange } from './date-range.js';

export interface CheckoutKpis extends Omit<MerchantCheckoutKpis, 'merchantId'> {
  /** The merchant asked about; null for an admin's every-merchant figures. */
  merchantId: string | null;
  from: Date;
  to: Date;
  /** Sessions of the cohort still OPEN. */
  open: number;
}

export const RECENT_WINDOW_SECONDS = 86_400;
/** The most merchants /metrics lists (the busiest of the window): the label set stays bounded. */
export const RECENT_MERCHANTS_MAX = 500;

const KINDS = ['payment.confirm_attempted', 'payment.requires_action', 'checkout.completed'];

// One pass over the cohort ($1 merchant or null for all, $2 from, $3 to) and its timeline entries
// of the three kinds that count (the session index, then timeline_entries_session_idx).
const cohortSql = (groupByMerchant: boolean, limit = '') => `
  WITH s AS (
    SELECT id, merchant_id, status, created_at FROM ${table('checkout_sessions')}
     WHERE ($1::text IS NULL OR merchant_id = $1) AND created_at >= $2 AND created_at < $3
  ), t AS (
    SELECT te.checkout_session_id AS id,
           count(*) FILTER (WHERE te.kind = 'payment.confirm_attempted') AS attempts,
           count(*) FILTER (WHERE te.kind = 'payment.requires_action') AS challenges,
           min(te.at) FILTER (WHERE te.kind = 'checkout.completed') AS completed_at
      FROM ${table('timeline_entries')} te JOIN s ON s.id = te.checkout_session_id
     WHERE te.kind = ANY($4::text[])
     GROUP BY te.checkout_session_id
  )
  SELECT ${groupByMerchant ? 's.merchant_id,' : ''}
         count(*)::int8 AS initiated,
         count(*) FILTER (WHERE s.status = 'COMPLETE')::int8 AS completed,
         count(*) FILTER (WHERE s.status IN ('EXPIRED', 'CANCELED'))::int8 AS abandoned,
         count(*) FILTER (WHERE s.status = 'OPEN')::int8 AS open,
         coalesce(sum(t.attempts), 0)::int8 AS attempts,
         coalesce(sum(t.challenges), 0)::int8 AS challenges,
         avg(extract(epoch FROM t.completed_at - s.created_at)) FILTER (WHERE s.status = 'COMPLETE' AND t.completed_at IS NOT NULL)::float8 AS avg_seconds
    FROM s LEFT JOIN t ON t.id = s.id
   ${groupByMerchant ? `GROUP BY s.merchant_id ORDER BY count(*) DESC, s.merchant_id ${limit}` : ''}`;

interface Row {
  merchant_id?: string;
  initiated: string;
  completed: string;
  abandoned: string;
  open: string;
  attempts: string;
  challenges: string;
  avg_seconds: number | null;
}

const rate = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function kpisOf(r: Row): Omit<MerchantCheckoutKpis, 'merchantId'> & { open: number } {
  const initiated = Number(r.initiated);
  const completed = Number(r.completed);
  const abandoned = Number(r.abandoned);
  return {
    checkoutInitiated: initiated,
    paymentAttempts: Number(r.attempts),
    threeDSChallenges: Number(r.challenges),
    completed,
    abandoned,
    open: Number(r.open),
    conversionRate: rate(completed, initiated),
    abandonRate: rate(abandoned, initiated),
    avgTimeToPurchaseSeconds: r.avg_seconds === null ? null : Math.round(r.avg_seconds * 1000) / 1000,
  };
}

export class CheckoutMetricsService {
  /** KPIs are BI reads: on the read replica when DATABASE_READ_URL is set and it is close enough. */
  constructor(private readonly reads: ReadPool) {}

  /** A merchant's KPIs (its own), or an admin's for one merchant or all. */
  async kpis(principal: Principal, args: { merchantId?: string | null; from?: Date | null; to?: Date | null }): Promise<CheckoutKpis> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const asked = optionalId(args.merchantId ?? undefined, 'merchantId');
    if (p.kind === 'MERCHANT' && asked !== undefined && asked !== p.merchantId) throw forbidden("A merchant key reads its own merchant's metrics.");
    const merchantId = p.kind === 'MERCHANT' ? p.merchantId : (asked ?? null);
    const range = dateRange(args.from, args.to);
    const [row] = (await this.reads.read((ds) => ds.query(cohortSql(false), [merchantId, range.from, range.to, KINDS]))) as Row[];
    return { merchantId, ...range, ...kpisOf(row!) };
  }

  /** Every merchant's KPIs over the last 24 h, the busiest first (the gateway's /metrics). */
  async recent(now = new Date()): Promise<RecentCheckoutKpisAnswer> {
    const range: DateRange = { from: new Date(now.getTime() - RECENT_WINDOW_SECONDS * 1000), to: now };
    const rows = (await this.reads.read((ds) => ds.query(cohortSql(true, `LIMIT ${RECENT_MERCHANTS_MAX}`), [null, range.from, range.to, KINDS]))) as Row[];
    return {
      windowSeconds: RECENT_WINDOW_SECONDS,
      merchants: rows.map((r) => {
        const { open: _open, ...k } = kpisOf(r);
        return { merchantId: r.merchant_id!, ...k };
      }),
    };
  }
}
