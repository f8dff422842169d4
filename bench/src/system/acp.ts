// Issue 21's measured flow through the gateway, as an ACP agent platform runs it with its agent
// key: `POST /acp/{m}/checkout_sessions` (create: two offers, no address yet) → `POST …/{id}`
// (update: the shipping address; the first shipping option is chosen, the session is priced and
// ready) → `POST /acp/{m}/agentic_commerce/delegate_payment` (a vt_ token for this session, the
// allowance its total) → `POST …/{id}/complete` (the delegated payment; answered once completed).
// N closed-loop workers, each on a fresh session; completions/s are completed sessions, and each
// call's latency is its own (p50 / p99). Target: create p50 ≤ 20 ms.
import { randomUUID } from 'node:crypto';
import { post } from '../harness/http-client.js';
import { gqlRetried } from '../harness/world.js';
import type { Accounting, PhaseCost } from './accounting.js';
import { load, percentile, rateOf, round, sleep, type Rate } from './measure.js';

export const ACP_STEPS = ['create', 'update', 'delegate', 'complete'] as const;
export type AcpStep = (typeof ACP_STEPS)[number];

export interface AcpWorld {
  gatewayUrl: string;
  merchantId: string;
  agentKey: string;
  offers: string[];
}

class AcpStepError extends Error {
  constructor(readonly step: AcpStep, readonly status: number, body: string) {
    super(`${step}: ${status} ${body.slice(0, 300)}`);
  }
}

/** A US merchant (sandbox PSP) with shipping and 8 % tax, two offers, and an agent key. */
export async function setUpAcpWorld(gatewayUrl: string, adminKey: string): Promise<AcpWorld> {
  const admin = <R = any>(query: string, variables?: Record<string, unknown>) => gqlRetried<R>(`${gatewayUrl}/graphql`, adminKey, query, variables);
  const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
  const merchantId = (await admin(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
    input: { name: 'ACP Bench Shop', country: 'US', defaultCurrency: 'USD', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
  })).createMerchant.id as string;
  await admin(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantId });
  await admin(`mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`, {
    m: merchantId,
    input: { zones: [{ id: 'us', name: 'US', countries: ['US'], rates: [{ id: 'standard', label: 'Standard', amount: usd(500), carrier: 'USPS', minDays: 3, maxDays: 5 }] }], pickupLocations: [] },
  });
  await admin(`mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`, {
    m: merchantId, input: { pricesIncludeTax: false, rates: [{ country: 'US', basisPoints: 800 }] },
  });
  const offers: string[] = [];
  for (const [i, name] of ['Kettle', 'Filter papers'].entries()) {
    offers.push((await admin(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, { input: { merchantId, name, provider: 'bench', price: usd(1900 + i * 700) } })).createOffer.id as string);
  }
  const agentId = (await admin(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, { input: { name: 'ACP bench platform', builderName: `acp-bench-${Date.now()}` } })).registerAgent.id as string;
  const agentKey = (await admin(`mutation($a: ID!) { createApiKey(input: { role: AGENT, agentId: $a }) { key } }`, { a: agentId })).createApiKey.key as string;
  return { gatewayUrl, merchantId, agentKey, offers };
}

async function acp(w: AcpWorld, step: AcpStep, path: string, body: unknown, expected: number): Promise<any> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${w.agentKey}`, 'api-version': '2026-04-17', 'idempotency-key': randomUUID() };
  const res = await post(`${w.gatewayUrl}/acp/${w.merchantId}${path}`, headers, JSON.stringify(body), 30_000);
  if (res.status !== expected) throw new AcpStepError(step, res.status, res.text);
  return JSON.parse(res.text);
}

/** One purchase; `timed(step, ms)` gets each call's latency. Checks what each answer must say. */
export async function runAcpFlow(w: AcpWorld, timed: (step: AcpStep, ms: number) => void = () => undefined): Promise<string> {
  const step = async <T>(name: AcpStep, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    timed(name, performance.now() - t0);
    return out;
  };
  const created = await step('create', () => acp(w, 'create', '/checkout_sessions', { line_items: [{ id: w.offers[0] }, { id: w.offers[1] }], currency: 'usd', capabilities: {}, buyer: { email: 'bench@example.com' } }, 201));
  const id = created.id as string;
  const address = { name: 'Ada Buyer', line_one: '1 Market St', city: 'San Francisco', state: 'CA', country: 'US', postal_code: '94105' };
  const updated = await step('update', () => acp(w, 'update', `/checkout_sessions/${id}`, { fulfillment_details: { name: 'Ada Buyer', address } }, 200));
  if (updated.status !== 'ready_for_payment') throw new AcpStepError('update', 200, `not ready: ${JSON.stringify(updated).slice(0, 300)}`);
  const total = (updated.totals as Array<{ type: string; amount: number }>).find((t) => t.type === 'total')!.amount;
  const token = await step('delegate', () => acp(w, 'delegate', '/agentic_commerce/delegate_payment', {
    payment_method: { type: 'card', card_number_type: 'fpan', number: '4242424242424242', exp_month: '12', exp_year: String(new Date().getFullYear() + 2), cvc: '123', name: 'Ada Buyer', display_card_funding_type: 'credit', metadata: {} },
    allowance: { reason: 'one_time', max_amount: total, currency: 'usd', checkout_session_id: id, merchant_id: w.merchantId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
    risk_signals: [{ type: 'card_testing', score: 1, action: 'authorized' }],
    metadata: {},
  }, 201));
  const done = await step('complete', () => acp(w, 'complete', `/checkout_sessions/${id}/complete`, {
    payment_data: { handler_id: 'handoff_delegated_card', instrument: { type: 'card', credential: { type: 'spt', token: token.id } } },
  }, 200));
  if (done.status !== 'completed' || !done.order?.id) throw new AcpStepError('complete', 200, `not completed: ${JSON.stringify(done).slice(0, 300)}`);
  return id;
}

export interface AcpLevel {
  concurrency: number;
  completions: Rate;
  steps: Record<AcpStep, { p50Ms: number; p99Ms: number; n: number }>;
  errors: Record<string, number>;
  cost: PhaseCost;
  load: number[];
}

export async function measureAcpLevel(w: AcpWorld, concurrency: number, timing: { warmupMs: number; durationMs: number }, acct: Accounting): Promise<AcpLevel> {
  const from = Date.now() + timing.warmupMs;
  const to = from + timing.durationMs;
  const done: number[] = [];
  const stepMs = Object.fromEntries(ACP_STEPS.map((s) => [s, [] as number[]])) as Record<AcpStep, number[]>;
  const errors: Record<string, number> = {};
  let snapshot: Awaited<ReturnType<Accounting['snapshot']>> | undefined;
  const snapshotAt = sleep(timing.warmupMs).then(async () => (snapshot = await acct.snapshot()));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < to) {
        const t0 = Date.now();
        const mine: Array<[AcpStep, number]> = [];
        try {
          await runAcpFlow(w, (s, ms) => mine.push([s, ms]));
          const t1 = Date.now();
          done.push(t1);
          if (t0 >= from && t1 < to) for (const [s, ms] of mine) stepMs[s].push(ms);
        } catch (err) {
          const k = err instanceof AcpStepError ? `${err.step} ${err.status}` : (err as Error).name;
          errors[k] = (errors[k] ?? 0) + 1;
          if (Object.values(errors).reduce((a, b) => a + b, 0) <= 3) process.stderr.write(`  ACP flow error: ${(err as Error).message}\n`);
          await sleep(50);
        }
      }
    }),
  );
  await snapshotAt;
  const completions = rateOf(done, from, to);
  const cost = await acct.since(snapshot!, completions.count);
  const steps = Object.fromEntries(ACP_STEPS.map((s) => [s, { p50Ms: round(percentile(stepMs[s], 50)), p99Ms: round(percentile(stepMs[s], 99)), n: stepMs[s].length }])) as AcpLevel['steps'];
  return { concurrency, completions, steps, errors, cost, load: load() };
}

/** The phase's table (markdown). Target: create p50 ≤ 20 ms. */
export function acpTable(levels: AcpLevel[]): string {
  const lines = [
    `| concurrency | completions/s (median of 1-s rates; mean) | ${ACP_STEPS.map((s) => `${s} p50 / p99 ms`).join(' | ')} | CPU ms per completion | load after |`,
    `|---|---|${ACP_STEPS.map(() => '---').join('|')}|---|---|`,
    ...levels.map((l) => {
      const errors = Object.keys(l.errors).length ? `; errors ${JSON.stringify(l.errors)}` : '';
      return `| ${l.concurrency} | **${l.completions.median}** (${l.completions.mean})${errors} | ${ACP_STEPS.map((s) => `${s === 'create' ? '**' : ''}${l.steps[s].p50Ms}${s === 'create' ? '**' : ''} / ${l.steps[s].p99Ms}`).join(' | ')} | ${l.cost.perOp?.totalCpuMs ?? '—'} | ${l.load.join(' ')} |`;
    }),
  ];
  lines.push('', `Target: create p50 ≤ 20 ms: ${levels.map((l) => `${l.steps.create.p50Ms} ms at ${l.concurrency}`).join(', ')}.`);
  return lines.join('\n');
}
