// The checkout KPIs as Prometheus gauges on the gateway's /metrics (wherever it is served: its own
// METRICS_PORT listener, or the public port outside production), per merchant over the last 24 h:
// computed from the stored data by checkout-session (POST /internal/checkout-metrics/recent, one
// grouped query over the sessions created in the window and their timelines) when scraped, never
// counted in this process, and kept CACHE_MS so that a scrape's gauges, and scrapes close together,
// share one read. When checkout-session cannot answer, the gauges are left out of that scrape and
// handoff_checkout_kpis_up is 0.
import { Gauge } from 'prom-client';
import { RECENT_CHECKOUT_KPIS_PATH, type MerchantCheckoutKpis, type RecentCheckoutKpisAnswer } from '@handoff/shared/contracts/checkout-analytics.contract';
import type { GatewayRouteDeps } from '../../route-deps.js';

export const CACHE_MS = 10_000;

type KpiOf = (k: MerchantCheckoutKpis) => number | null;

const GAUGES: Array<[name: string, help: string, pick: KpiOf]> = [
  ['handoff_checkout_initiated', 'Checkout sessions created in the last 24 h, per merchant', (k) => k.checkoutInitiated],
  ['handoff_checkout_payment_attempts', 'Payment confirmations sent to the PSP for the checkout sessions created in the last 24 h, per merchant', (k) => k.paymentAttempts],
  ['handoff_checkout_3ds_challenges', '3-D Secure challenges of the checkout sessions created in the last 24 h, per merchant', (k) => k.threeDSChallenges],
  ['handoff_checkout_abandon_rate', 'Share of the checkout sessions created in the last 24 h that expired or were canceled unpaid, per merchant', (k) => k.abandonRate],
  ['handoff_checkout_conversion_rate', 'Share of the checkout sessions created in the last 24 h that completed, per merchant', (k) => k.conversionRate],
  ['handoff_checkout_avg_time_to_purchase_seconds', 'Mean seconds from creation to completion of the completed checkout sessions created in the last 24 h, per merchant', (k) => k.avgTimeToPurchaseSeconds],
];

export function registerCheckoutKpiGauges(deps: Pick<GatewayRouteDeps, 'metrics' | 'callInternal' | 'logger'>, now: () => number = Date.now): void {
  let cached: { at: number; value: Promise<RecentCheckoutKpisAnswer | null> } | undefined;
  const read = async (): Promise<RecentCheckoutKpisAnswer | null> => {
    try {
      const answer = await deps.callInternal('checkout-session', RECENT_CHECKOUT_KPIS_PATH, Buffer.from('{}'));
      if (answer.status !== 200) throw new Error(`checkout-session answered ${answer.status}`);
      const json = JSON.parse(answer.body.toString('utf8')) as RecentCheckoutKpisAnswer;
      if (!Array.isArray(json.merchants)) throw new Error('checkout-session answered no merchants');
      return json;
    } catch (err) {
      deps.logger.warn({ err }, 'checkout KPIs could not be read for /metrics');
      return null;
    }
  };
  const recent = () => {
    if (!cached || now() - cached.at >= CACHE_MS) cached = { at: now(), value: read() };
    return cached.value;
  };
  const registers = [deps.metrics.registry];
  new Gauge({
    name: 'handoff_checkout_kpis_up',
    help: 'Whether the checkout KPI gauges could be read from checkout-session at this scrape (1) or not (0)',
    registers,
    async collect() {
      this.set((await recent()) ? 1 : 0);
    },
  });
  for (const [name, help, pick] of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['merchant_id'],
      registers,
      async collect() {
        this.reset();
        const answer = await recent();
        for (const k of answer?.merchants ?? []) {
          const v = pick(k);
          if (v !== null) this.set({ merchant_id: k.merchantId }, v);
        }
      },
    });
  }
}
