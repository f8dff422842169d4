// The authoritative calculation (issue 18) through the gateway: a merchant configured as a shop
// would be (GB shipping zone with two rates, GB tax at 20 % with a reduced category, three
// stacking promotions: a percentage code, an automatic amount off over a minimum subtotal, a code
// off some offers' lines), one 10-line checkout session per worker with its address, shipping
// option and both codes set, then `calculateCheckout` back to back at a fixed concurrency; the
// baseline is a plain `checkoutSession(id) { totals }` read of the same sessions. All set-up goes
// through the gateway's GraphQL with the admin key; the calculations are the merchant's.
import { gql, gqlRetried, GraphQLCallError } from '../harness/world.js';
import type { Accounting, PhaseCost } from './accounting.js';
import { closedLoop, load, round, sleep, type LoopResult } from './measure.js';

export interface CalculationWorld {
  merchantId: string;
  merchantKey: string;
  /** One session per worker (a calculation saves the session at a new version: workers never share one). */
  sessionIds: string[];
  /** The first session's calculation as set-up checked it. */
  sample: { grandTotalMinor: number; promotions: string[]; taxMinor: number; shippingMinor: number };
}

const money = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const M = '{ amountMinor currency }';

/** What a buyer's page asks for after a calculation: the session's totals and the calculation's summary. */
export const CALCULATE = `mutation($id: ID!) {
  calculateCheckout(id: $id) {
    id version calculationStale
    totals { subtotal ${M} discount ${M} tax ${M} shipping ${M} total ${M} }
    calculation { id calculatedAt promotions { promotionId code amount ${M} } totals { grandTotal ${M} } }
  }
}`;
/** The baseline: the stored totals, read. */
export const READ_TOTALS = `query($id: ID!) { checkoutSession(id: $id) { id totals { subtotal ${M} discount ${M} tax ${M} shipping ${M} total ${M} } } }`;

const CHECK = `query($id: ID!) {
  checkoutSession(id: $id) {
    calculation {
      lines { id taxCategory tax ${M} discount ${M} }
      taxLines { target category basisPoints amount ${M} }
      shipping { id amount ${M} tax ${M} }
      promotions { promotionId code automatic amount ${M} }
      promotionsNotApplied { code reason }
      blockers { code reason }
      totals { subTotal ${M} discountTotal ${M} taxTotal ${M} shippingTotal ${M} grandTotal ${M} }
    }
  }
}`;

/** The merchant, its pricing configuration and `sessions` ready sessions, each calculated once and checked. */
export async function setUpCalculationWorld(graphqlUrl: string, adminKey: string, sessions: number): Promise<CalculationWorld> {
  const admin = <R = any>(query: string, variables?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, adminKey, query, variables);
  const merchantId = (
    await admin(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name: 'Calculation Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
    })
  ).createMerchant.id as string;
  await admin(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: merchantId });
  const merchantKey = (await admin(`mutation($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantId })).createApiKey.key as string;

  // Ten offers, three of them in the reduced tax category.
  const offers: Array<{ id: string; price: number }> = [];
  for (let i = 0; i < 10; i++) {
    const price = 450 + i * 275;
    const id = (
      await admin(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
        input: { merchantId, name: `Item ${i + 1}`, price: money(price), ...(i % 3 === 0 ? { taxCategory: 'reduced' } : {}) },
      })
    ).createOffer.id as string;
    offers.push({ id, price });
  }
  await admin(`mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`, {
    m: merchantId,
    input: {
      zones: [
        {
          id: 'gb',
          name: 'United Kingdom',
          countries: ['GB'],
          rates: [
            { id: 'standard', label: 'Standard delivery', amount: money(495), carrier: 'Royal Mail', serviceCode: 'tracked48', minDays: 2, maxDays: 4 },
            { id: 'express', label: 'Next day', amount: money(995), carrier: 'DPD', serviceCode: 'next-day', minDays: 1, maxDays: 1 },
          ],
        },
        { id: 'eu', name: 'Europe', countries: ['FR', 'DE', 'IE'], rates: [{ id: 'eu-standard', label: 'EU standard', amount: money(1295), minDays: 3, maxDays: 7 }] },
      ],
    },
  });
  await admin(`mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`, {
    m: merchantId,
    input: {
      pricesIncludeTax: false,
      defaultCategory: 'standard',
      rates: [
        { country: 'GB', basisPoints: 2000 },
        { country: 'GB', category: 'reduced', basisPoints: 500 },
        { country: 'FR', basisPoints: 2000 },
        { country: 'DE', basisPoints: 1900 },
      ],
    },
  });
  const promo = (input: Record<string, unknown>) => admin(`mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`, { input: { merchantId, ...input } });
  await promo({ name: '10 % off', code: 'SAVE10', percentOffBasisPoints: 1000 });
  await promo({ name: '£5 off £40', automatic: true, amountOff: money(500), minSubtotal: money(4000) });
  await promo({ name: '15 % off three items', code: 'TRIO15', percentOffBasisPoints: 1500, scope: 'OFFERS', offerIds: offers.slice(0, 3).map((o) => o.id) });

  const merchant = <R = any>(query: string, variables?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, merchantKey, query, variables);
  const lineItems = offers.map((o, i) => ({ name: `Item ${i + 1}`, unitAmount: money(o.price), quantity: 1 + (i % 3), offerId: o.id }));
  const sessionIds: string[] = [];
  for (let s = 0; s < sessions; s++) {
    const id = (await merchant(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id } }`, { input: { lineItems } }))
      .createCheckoutSession.id as string;
    await merchant(`mutation($id: ID!, $a: CheckoutAddressInput!) { setCheckoutShippingAddress(id: $id, address: $a) { id } }`, {
      id,
      a: { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' },
    });
    await merchant(`mutation($id: ID!) { selectCheckoutShipping(id: $id, selection: { shippingOptionId: "standard" }) { id } }`, { id });
    for (const code of ['SAVE10', 'TRIO15']) await merchant(`mutation($id: ID!, $c: String!) { applyCheckoutPromotion(id: $id, code: $c) { id } }`, { id, c: code });
    await merchant(CALCULATE, { id });
    sessionIds.push(id);
  }
  const calc = (await merchant(CHECK, { id: sessionIds[0] })).checkoutSession.calculation;
  const promotions = (calc.promotions as Array<{ code: string | null }>).map((p) => p.code ?? 'automatic');
  const t = calc.totals;
  if (promotions.length !== 3 || calc.blockers.length > 0 || calc.promotionsNotApplied.length > 0 || !calc.shipping || t.taxTotal.amountMinor <= 0 || t.shippingTotal.amountMinor !== 495) {
    throw new Error(`calculation set-up: expected 3 promotions, shipping and tax, no blockers; got ${JSON.stringify(calc)}`);
  }
  if (t.grandTotal.amountMinor !== t.subTotal.amountMinor - t.discountTotal.amountMinor + t.taxTotal.amountMinor + t.shippingTotal.amountMinor) {
    throw new Error(`calculation set-up: totals do not add up: ${JSON.stringify(t)}`);
  }
  return {
    merchantId,
    merchantKey,
    sessionIds,
    sample: { grandTotalMinor: t.grandTotal.amountMinor, promotions, taxMinor: t.taxTotal.amountMinor, shippingMinor: t.shippingTotal.amountMinor },
  };
}

const classify = (err: unknown) => (err instanceof GraphQLCallError ? `${err.status} ${err.codes.join(',') || 'no code'}` : ((err as Error).name ?? 'error'));

/** `calculateCheckout` back to back, worker i on session i; each answer must carry a fresh calculation. */
export function measureCalculations(graphqlUrl: string, world: CalculationWorld, concurrency: number, timing: { warmupMs: number; durationMs: number }): Promise<LoopResult> {
  if (concurrency > world.sessionIds.length) throw new Error(`${concurrency} workers need as many sessions (${world.sessionIds.length} made)`);
  return closedLoop(
    concurrency,
    timing,
    async (worker) => {
      const cs = (await gql(graphqlUrl, world.merchantKey, CALCULATE, { id: world.sessionIds[worker] }, 30_000)).calculateCheckout;
      if (cs.calculationStale || cs.calculation?.promotions.length !== 3 || cs.totals.total.amountMinor !== world.sample.grandTotalMinor) {
        throw new Error(`unexpected calculation: ${JSON.stringify(cs).slice(0, 300)}`);
      }
    },
    classify,
  );
}

/** The baseline: `checkoutSession(id) { totals }` back to back on the same sessions. */
export function measureTotalsReads(graphqlUrl: string, world: CalculationWorld, concurrency: number, timing: { warmupMs: number; durationMs: number }): Promise<LoopResult> {
  return closedLoop(
    concurrency,
    timing,
    async (worker) => {
      const cs = (await gql(graphqlUrl, world.merchantKey, READ_TOTALS, { id: world.sessionIds[worker % world.sessionIds.length] }, 30_000)).checkoutSession;
      if (cs?.totals.total.amountMinor !== world.sample.grandTotalMinor) throw new Error(`unexpected totals: ${JSON.stringify(cs)}`);
    },
    classify,
  );
}

export interface CalculationLevel {
  concurrency: number;
  calculate: LoopResult & { cost: PhaseCost };
  read: LoopResult & { cost: PhaseCost };
  load: number[];
}

export interface CalculationResult {
  sample: CalculationWorld['sample'];
  levels: CalculationLevel[];
}

/** Set-up, then at each concurrency: the totals read (baseline), then the calculations, with the calculations' cost. */
export async function measureCalculationPhase(
  graphqlUrl: string,
  adminKey: string,
  concurrencies: number[],
  timing: { warmupMs: number; durationMs: number },
  acct: Accounting,
  log: (msg: string) => void,
): Promise<CalculationResult> {
  const world = await setUpCalculationWorld(graphqlUrl, adminKey, Math.max(...concurrencies));
  log(`calculation: ${world.sessionIds.length} sessions of 10 lines; promotions ${world.sample.promotions.join(', ')}; tax ${world.sample.taxMinor}, shipping ${world.sample.shippingMinor}, total ${world.sample.grandTotalMinor}`);
  const levels: CalculationLevel[] = [];
  for (const c of concurrencies) {
    const tr = await acct.snapshot();
    const reads = await measureTotalsReads(graphqlUrl, world, c, timing);
    const read = { ...reads, cost: await acct.since(tr, reads.rate.count) };
    log(`  totals reads at ${c}: ${read.rate.median}/s (mean ${read.rate.mean}), p50 ${read.latencyP50Ms} ms, p99 ${read.latencyP99Ms} ms, errors ${JSON.stringify(read.errors)}`);
    log(`  cost per read: ${JSON.stringify(read.cost.perOp)}`);
    await sleep(1000);
    const t = await acct.snapshot();
    const calc = await measureCalculations(graphqlUrl, world, c, timing);
    const cost = await acct.since(t, calc.rate.count);
    log(`calculations at ${c}: ${calc.rate.median}/s (mean ${calc.rate.mean}), p50 ${calc.latencyP50Ms} ms, p99 ${calc.latencyP99Ms} ms, errors ${JSON.stringify(calc.errors)}`);
    log(`  cost per calculation: ${JSON.stringify(cost.perOp)}`);
    levels.push({ concurrency: c, calculate: { ...calc, cost }, read, load: load() });
    await sleep(1000);
  }
  return { sample: world.sample, levels };
}

/** The phase's table (markdown). Targets: p50 ≤ 5 ms at 1, ≥ 300 calculations/s. */
export function calculationTable(r: CalculationResult): string {
  const best = Math.max(...r.levels.map((l) => l.calculate.rate.median));
  return [
    '| concurrency | calculations/s (median of 1-s rates; mean) | p50 / p99 ms | totals reads/s (baseline; mean) | read p50 / p99 ms | calculate / read (rate) | CPU ms per calculation (by process) | CPU ms per read | commits per calculation | load after |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.levels.map((l) => {
      const c = l.calculate;
      const per = c.cost.perOp;
      const byProcess = per
        ? `${per.totalCpuMs}: ${Object.entries(per.cpuMs).filter(([n, v]) => n !== 'bench client' && v >= 0.1).sort((a, b) => b[1] - a[1]).map(([n, v]) => `${n} ${v}`).join(', ')} (client ${per.cpuMs['bench client']})`
        : '—';
      const errors = Object.keys(c.errors).length ? `; errors ${JSON.stringify(c.errors)}` : '';
      return `| ${l.concurrency} | **${c.rate.median}** (${c.rate.mean})${errors} | ${c.latencyP50Ms} / ${c.latencyP99Ms} | ${l.read.rate.median} (${l.read.rate.mean}) | ${l.read.latencyP50Ms} / ${l.read.latencyP99Ms} | ${round(c.rate.median / l.read.rate.median, 2)} | ${byProcess} | ${l.read.cost.perOp?.totalCpuMs ?? '—'} | ${per?.commits ?? '—'} | ${l.load.join(' ')} |`;
    }),
    '',
    `Targets: p50 ≤ 5 ms at concurrency 1: ${r.levels.find((l) => l.concurrency === 1)?.calculate.latencyP50Ms ?? '—'} ms; ≥ 300 calculations/s: best ${best}/s.`,
  ].join('\n');
}
