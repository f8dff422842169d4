// GET /v1/checkout/metrics (seed 003 §16) → checkoutMetrics: the checkout KPIs of the sessions
// created in [from, to), in the seed's names. `?from=&to=` (ISO 8601; to defaults to now, from
// to 30 days before to), `?merchant_id=` for an admin (none: every merchant). A merchant key: its own.
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import { sendInputProblem } from '../rest-http.js';
import { graph, mountRoute, type Call } from '../checkout-service/route-kit.js';

export const METRICS = '/v1/checkout/metrics';
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

const QUERY = `query RestCheckoutMetrics($m: ID, $from: DateTime, $to: DateTime) {
  checkoutMetrics(merchantId: $m, from: $from, to: $to) {
    merchantId from to checkoutInitiated paymentAttempts threeDSChallenges completed abandoned open conversionRate abandonRate avgTimeToPurchaseSeconds } }`;

interface MetricsJson {
  merchantId: string | null;
  from: string;
  to: string;
  checkoutInitiated: number;
  paymentAttempts: number;
  threeDSChallenges: number;
  completed: number;
  abandoned: number;
  open: number;
  conversionRate: number | null;
  abandonRate: number | null;
  avgTimeToPurchaseSeconds: number | null;
}

/** `?name=` as an ISO 8601 instant (null when absent), or undefined once a 400 naming it is sent. */
export function queryInstant(call: Call, name: string): string | null | undefined {
  const raw = call.req.query[name];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !ISO_TIME.test(raw) || Number.isNaN(Date.parse(raw))) {
    return void sendInputProblem(call.res, { field: name, message: 'must be an ISO 8601 date-time (2026-05-01T00:00:00Z).' });
  }
  return new Date(raw).toISOString();
}

/** `?merchant_id=` (null when absent), or undefined once a 400 is sent. */
export function queryMerchant(call: Call): string | null | undefined {
  const raw = call.req.query.merchant_id;
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 100) return void sendInputProblem(call.res, { field: 'merchant_id', message: 'must be a merchant id.' });
  return raw;
}

/** Range errors name the query's own fields. */
export const rangeField = (f: string) => (f === 'merchantId' ? 'merchant_id' : f.replace(/^input\./, ''));

export function mountMetricsRoute(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'get', METRICS, async (call) => {
    const from = queryInstant(call, 'from');
    if (from === undefined) return;
    const to = queryInstant(call, 'to');
    if (to === undefined) return;
    const m = queryMerchant(call);
    if (m === undefined) return;
    const data = await graph<{ checkoutMetrics: MetricsJson }>(call, QUERY, { m, from, to }, { rename: rangeField });
    if (!data) return;
    const k = data.checkoutMetrics;
    call.res.json({
      object: 'checkout_metrics',
      merchant_id: k.merchantId,
      from: k.from,
      to: k.to,
      checkout_initiated: k.checkoutInitiated,
      payment_attempts: k.paymentAttempts,
      '3ds_challenges': k.threeDSChallenges,
      abandon_rate: k.abandonRate,
      conversion_rate: k.conversionRate,
      avg_time_to_purchase: k.avgTimeToPurchaseSeconds,
      completed: k.completed,
      abandoned: k.abandoned,
      open: k.open,
    });
  });
}
