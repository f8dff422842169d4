import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { GatewayRouteDeps, InternalResponse } from '../../route-deps.js';
import { CACHE_MS, registerCheckoutKpiGauges } from './kpi-gauges.js';

const kpis = (merchantId: string, initiated: number) => ({
  merchantId, checkoutInitiated: initiated, paymentAttempts: 3, threeDSChallenges: 1, completed: 1, abandoned: 0,
  conversionRate: 0.25, abandonRate: 0, avgTimeToPurchaseSeconds: null,
});

function setup(answers: Array<InternalResponse | Error>) {
  const registry = new Registry();
  const calls: string[] = [];
  let now = 1_000_000;
  const deps = {
    metrics: { registry } as unknown as GatewayRouteDeps['metrics'],
    logger: { warn: () => undefined } as unknown as GatewayRouteDeps['logger'],
    callInternal: (async (_s: string, path: string) => {
      calls.push(path);
      const next = answers.shift() ?? new Error('no more answers');
      if (next instanceof Error) throw next;
      return next;
    }) as GatewayRouteDeps['callInternal'],
  };
  registerCheckoutKpiGauges(deps, () => now);
  return { registry, calls, advance: (ms: number) => (now += ms) };
}

const ok = (merchants: unknown[]): InternalResponse => ({ status: 200, headers: {}, body: Buffer.from(JSON.stringify({ windowSeconds: 86400, merchants })) });

describe('checkout KPI gauges', () => {
  it('reads the KPIs once per scrape and cache window, one series per merchant, leaving out what is null', async () => {
    const { registry, calls, advance } = setup([ok([kpis('m1', 4), kpis('m2', 2)]), ok([kpis('m1', 5)])]);
    const first = await registry.metrics();
    expect(first).toMatch(/^handoff_checkout_initiated\{merchant_id="m1"\} 4$/m);
    expect(first).toMatch(/^handoff_checkout_initiated\{merchant_id="m2"\} 2$/m);
    expect(first).toMatch(/^handoff_checkout_conversion_rate\{merchant_id="m1"\} 0.25$/m);
    expect(first).not.toMatch(/^handoff_checkout_avg_time_to_purchase_seconds\{/m);
    expect(first).toMatch(/^handoff_checkout_kpis_up 1$/m);
    await registry.metrics();
    expect(calls).toHaveLength(1);
    advance(CACHE_MS);
    const later = await registry.metrics();
    expect(calls).toHaveLength(2);
    expect(later).toMatch(/^handoff_checkout_initiated\{merchant_id="m1"\} 5$/m);
    expect(later).not.toMatch(/merchant_id="m2"/);
  });

  it('leaves the KPIs out and says so when checkout-session cannot answer', async () => {
    const { registry } = setup([new Error('connect ECONNREFUSED'), { status: 503, headers: {}, body: Buffer.from('{}') }]);
    const down = await registry.metrics();
    expect(down).toMatch(/^handoff_checkout_kpis_up 0$/m);
    expect(down).not.toMatch(/merchant_id=/);
  });
});
