// Issue 20's measured flow through the gateway: a 3-line checkout session (offers with tracked
// stock) is created and calculated by the merchant (seed 003 REST), its stock reserved
// (`POST …/reserve`), paid by the buyer on the hosted page's API with the session's client secret
// and a sandbox test card (`POST /api/checkout/:id/pay`, the call the hosted page's form makes),
// then finalized by the merchant (`POST …/finalize`: the order and its receipt). N closed-loop
// workers, each running the whole flow on a fresh session; sessions/s are finalized sessions, and
// each step's latency is its own (p50 / p99). Statements per step are counted separately
// (finalization-statements.ts) with PostgreSQL's statement log, a few sessions run one by one.
import { post } from '../harness/http-client.js';
import { gqlRetried } from '../harness/world.js';
import type { Accounting, PhaseCost } from './accounting.js';
import { load, percentile, rateOf, round, sleep, type Rate } from './measure.js';

export const STEPS = ['create', 'calculate', 'reserve', 'pay', 'finalize'] as const;
export type Step = (typeof STEPS)[number];

export interface FinalizationWorld {
  gatewayUrl: string;
  merchantId: string;
  merchantKey: string;
  offers: Array<{ id: string; name: string; price: number }>;
}

export class StepError extends Error {
  constructor(
    readonly step: Step,
    readonly status: number,
    body: string,
  ) {
    super(`${step}: ${status} ${body.slice(0, 300)}`);
  }
}

/** The merchant (sandbox PSP), its key and three offers with plenty of stock. */
export async function setUpFinalizationWorld(gatewayUrl: string, adminKey: string): Promise<FinalizationWorld> {
  const graphqlUrl = `${gatewayUrl}/graphql`;
  const admin = <R = any>(query: string, variables?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, adminKey, query, variables);
  const merchantId = (
    await admin(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name: 'Finalization Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
    })
  ).createMerchant.id as string;
  await admin(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantId });
  const merchantKey = (await admin(`mutation($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantId })).createApiKey.key as string;
  const offers: FinalizationWorld['offers'] = [];
  for (const [i, name] of ['Teapot', 'Cup', 'Loose tea'].entries()) {
    const price = 1250 + i * 300;
    const id = (await admin(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, { input: { merchantId, name, price: { amountMinor: price, currency: 'GBP' } } }))
      .createOffer.id as string;
    await gqlRetried(graphqlUrl, merchantKey, `mutation($o: ID!, $q: Int!) { setStock(offerId: $o, quantity: $q) { onHand } }`, { o: id, q: 1_000_000 });
    offers.push({ id, name, price });
  }
  return { gatewayUrl, merchantId, merchantKey, offers };
}

async function call(step: Step, url: string, key: string, body: unknown, idempotencyKey?: string): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await post(url, headers, JSON.stringify(body), 30_000);
  if (res.status < 200 || res.status >= 300) throw new StepError(step, res.status, res.text);
  return JSON.parse(res.text);
}

let flows = 0;

/** One buyer's flow; `timed(step, ms)` gets each step's latency. Checks what each answer must say. */
export async function runFlow(
  w: FinalizationWorld,
  timed: (step: Step, ms: number) => void = () => undefined,
  beforeStep?: (step: Step) => Promise<void>,
): Promise<{ sessionId: string; orderId: string }> {
  const tag = `fin-${process.pid}-${++flows}-${Date.now()}`;
  const base = `${w.gatewayUrl}/v1/checkout/sessions`;
  const step = async <T>(name: Step, fn: () => Promise<T>): Promise<T> => {
    await beforeStep?.(name);
    const t0 = performance.now();
    const out = await fn();
    timed(name, performance.now() - t0);
    return out;
  };
  const line_items = w.offers.map((o, i) => ({ name: o.name, amount: o.price, quantity: 1 + (i % 2), offer_id: o.id }));
  const created = await step('create', () => call('create', base, w.merchantKey, { currency: 'GBP', line_items }, `${tag}-create`));
  const id = created.checkout_id as string;
  // What the hosted page's form sends: the session's client secret (the one its URL carries).
  const secret = created.client_token as string | null;
  if (!id || !secret) throw new StepError('create', 0, `no checkout_id / client_token: ${JSON.stringify(created).slice(0, 300)}`);
  const calculated = await step('calculate', () => call('calculate', `${base}/${id}/calculate`, w.merchantKey, {}, `${tag}-calc`));
  const total = calculated.totals?.grand_total as number | undefined;
  const reserved = await step('reserve', () => call('reserve', `${base}/${id}/reserve`, w.merchantKey, { expires_in_seconds: 900, allocation_strategy: 'all_or_nothing' }, `${tag}-reserve`));
  if (!reserved.reservation_id || (reserved.lines as Array<{ requested: number; reserved: number }>).some((l) => l.reserved !== l.requested)) {
    throw new StepError('reserve', 200, `not fully reserved: ${JSON.stringify(reserved)}`);
  }
  const card = { card: { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } };
  const paid = await step('pay', () => call('pay', `${w.gatewayUrl}/api/checkout/${id}/pay`, secret, card));
  if (paid.payment?.status !== 'succeeded' && paid.status !== 'succeeded' && paid.payment_status !== 'succeeded') {
    throw new StepError('pay', 200, `not succeeded: ${JSON.stringify(paid).slice(0, 300)}`);
  }
  const finalized = await step('finalize', () => call('finalize', `${base}/${id}/finalize`, w.merchantKey, { create_order: true }, `${tag}-finalize`));
  if (finalized.status !== 'completed' || !finalized.order_id || (total !== undefined && finalized.order.totals.grand_total !== total)) {
    throw new StepError('finalize', 200, `unexpected order: ${JSON.stringify(finalized).slice(0, 300)}`);
  }
  return { sessionId: id, orderId: finalized.order_id as string };
}

export interface FinalizationLevel {
  concurrency: number;
  sessions: Rate;
  steps: Record<Step, { p50Ms: number; p99Ms: number; n: number }>;
  flowP50Ms: number;
  errors: Record<string, number>;
  cost: PhaseCost;
  load: number[];
}

/** N workers run the flow back to back for warm-up + duration; flows finishing in the window count. */
export async function measureFinalizationLevel(
  w: FinalizationWorld,
  concurrency: number,
  timing: { warmupMs: number; durationMs: number },
  acct: Accounting,
  /** > 0: each flow waits this long before finalize (untimed), after pay's fallout (a diagnostic). */
  finalizeAfterMs = 0,
): Promise<FinalizationLevel> {
  const beforeStep = finalizeAfterMs > 0 ? async (s: Step) => (s === 'finalize' ? sleep(finalizeAfterMs) : undefined) : undefined;
  const start = Date.now();
  const from = start + timing.warmupMs;
  const to = from + timing.durationMs;
  const done: number[] = [];
  const flowMs: number[] = [];
  const stepMs = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  const errors: Record<string, number> = {};
  let snapshot: Awaited<ReturnType<Accounting['snapshot']>> | undefined;
  const snapshotAt = sleep(timing.warmupMs).then(async () => (snapshot = await acct.snapshot()));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < to) {
        const t0 = Date.now();
        const p0 = performance.now();
        const mine: Array<[Step, number]> = [];
        try {
          await runFlow(w, (s, ms) => mine.push([s, ms]), beforeStep);
          const t1 = Date.now();
          done.push(t1);
          if (t0 >= from && t1 < to) {
            flowMs.push(performance.now() - p0);
            for (const [s, ms] of mine) stepMs[s].push(ms);
          }
        } catch (err) {
          const k = err instanceof StepError ? `${err.step} ${err.status}` : (err as Error).name;
          errors[k] = (errors[k] ?? 0) + 1;
          if (Object.values(errors).reduce((a, b) => a + b, 0) <= 3) process.stderr.write(`  flow error: ${(err as Error).message}\n`);
          await sleep(50);
        }
      }
    }),
  );
  await snapshotAt;
  const sessions = rateOf(done, from, to);
  const cost = await acct.since(snapshot!, sessions.count);
  const steps = Object.fromEntries(STEPS.map((s) => [s, { p50Ms: round(percentile(stepMs[s], 50)), p99Ms: round(percentile(stepMs[s], 99)), n: stepMs[s].length }])) as FinalizationLevel['steps'];
  return { concurrency, sessions, steps, flowP50Ms: round(percentile(flowMs, 50)), errors, cost, load: load() };
}

/** The phase's table (markdown). Target: finalize p50 ≤ 20 ms. */
export function finalizationTable(levels: FinalizationLevel[], statements: Record<string, number> | undefined): string {
  const lines = [
    `| concurrency | sessions/s (median of 1-s rates; mean) | ${STEPS.map((s) => `${s} p50 / p99 ms`).join(' | ')} | whole flow p50 ms | CPU ms per session (by process) | commits per session | load after |`,
    `|---|---|${STEPS.map(() => '---').join('|')}|---|---|---|---|`,
    ...levels.map((l) => {
      const per = l.cost.perOp;
      const byProcess = per
        ? `${per.totalCpuMs}: ${Object.entries(per.cpuMs).filter(([n, v]) => n !== 'bench client' && !n.startsWith('pg:') && v >= 0.1).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${v}`).join(', ')}`
        : '—';
      const errors = Object.keys(l.errors).length ? `; errors ${JSON.stringify(l.errors)}` : '';
      return `| ${l.concurrency} | **${l.sessions.median}** (${l.sessions.mean})${errors} | ${STEPS.map((s) => `${s === 'finalize' ? '**' : ''}${l.steps[s].p50Ms}${s === 'finalize' ? '**' : ''} / ${l.steps[s].p99Ms}`).join(' | ')} | ${l.flowP50Ms} | ${byProcess} | ${per?.commits ?? '—'} | ${l.load.join(' ')} |`;
    }),
  ];
  if (statements) {
    lines.push('', `Statements per session (PostgreSQL statement log, sessions run one by one, all processes): ${Object.entries(statements).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  }
  const at1 = levels.find((l) => l.concurrency === 1);
  lines.push('', `Target: finalize p50 ≤ 20 ms: ${at1 ? `${at1.steps.finalize.p50Ms} ms at concurrency 1` : '—'}${levels.filter((l) => l.concurrency !== 1).map((l) => `, ${l.steps.finalize.p50Ms} ms at ${l.concurrency}`).join('')}.`);
  return lines.join('\n');
}
