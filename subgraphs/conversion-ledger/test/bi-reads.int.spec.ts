// BI reads against real PostgreSQL and Redis: a page of conversions with their milestones and
// ledger entries costs one SQL per child kind (no N+1); commissionSummary's exact sums per
// group and filter; the replay-by-cursor read of `conversion.updated` uses its index; and a
// conversion change leaves through the outbox relay onto Redis pub/sub.
import { eventsChannel, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { CommissionType } from '../src/commission/commission.js';
import { CONVERSION_UPDATED } from '../src/conversion/conversion.events.js';
import { expectBooksBalanced, FakeDirectory, gbp, id, startLedger, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const flow = { type: 'install_activation', steps: ['order_placed', 'install_scheduled', 'install_completed', 'service_activated'], payableAfter: null };
// 10 % of the transaction value, half up; builder = floor(80 %), network = the rest.
const pct = dir.addMerchant({ flow, terms: { type: CommissionType.PERCENTAGE, cpaMinor: null, percentageBps: 1000 } });
const cpa = dir.addMerchant({ defaultCurrency: 'EUR', terms: { type: CommissionType.CPA, cpaMinor: 500, cpaCurrency: 'EUR' } });
const registered = dir.addAgent(true);
const anonymous = dir.addAgent(null);

const admin: Principal = { kind: 'ADMIN', keyId: 'k_admin' };
const asMerchant = (m: { id: string }): Principal => ({ kind: 'MERCHANT', keyId: `k_${m.id}`, merchantId: m.id });
const asAgent = (a: { id: string }): Principal => ({ kind: 'AGENT', keyId: `k_${a.id}`, agentId: a.id });

const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id status } }`;
const MILESTONE = `mutation($id: ID!, $input: MilestoneInput!) { recordMilestone(conversionId: $id, input: $input) { id } }`;
const PAGE = `query($filter: ConversionFilter) { conversions(filter: $filter, first: 100) { totalCount edges { node {
  id milestones { step status metadata } ledgerEntries { account direction amount { amountMinor } kind conversionId } } } } }`;
const SUMMARY = `query($filter: ConversionFilter, $groupBy: SummaryGroup!) { commissionSummary(filter: $filter, groupBy: $groupBy) {
  key currency count transactionValue { amountMinor } commission { amountMinor } networkFee { amountMinor } builderPayout { amountMinor } } }`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;
let prefix: string;
let redisUrl: string;
/** Conversions of merchant `pct`, reported in beforeAll: [id, value] */
const reported: Array<{ id: string; value: number; agent: string }> = [];

const report = async (m: { id: string; defaultCurrency: string }, agent: { id: string }, value: number) => {
  const session = dir.addRecommendation(m.id, agent.id, gbp(value)).sessionId!;
  const res = await call(asMerchant(m), REPORT, {
    input: { sessionId: session, orderReference: id('ORD'), transactionValue: { amountMinor: value, currency: m.defaultCurrency } },
  });
  expect(res.errors).toBeUndefined();
  return res.data!.reportConversion.id as string;
};

beforeAll(async () => {
  let secret: string;
  ({ app, server, secret } = await startLedger(dir, keys));
  ({ queuePrefix: prefix, redisUrl } = (await import('../../../test/support/env.js')).testEnv());
  call = signedCaller(server.url, secret);
  // pct: 1000 → 100 (80 + 20); 2500 → 250 (200 + 50); 333 → 33 (26 + 7); anonymous 1005 → 101 (0 + 21, 80 held)
  for (const [value, agent] of [[1000, registered], [2500, registered], [333, registered], [1005, anonymous]] as const) {
    reported.push({ id: await report(pct, agent, value), value, agent: agent.id });
  }
  // cpa (EUR): 5.00 each, whatever the value.
  await report(cpa, registered, 100);
  await report(cpa, anonymous, 99_999);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});
afterEach(async () => {
  await expectBooksBalanced(app);
});

describe('a page of conversions with milestones and ledger entries', () => {
  it('reads the children of the whole page in one SQL per kind, each conversion getting its own', async () => {
    for (const [i, c] of reported.entries()) {
      for (const step of flow.steps.slice(0, i + 1)) {
        const res = await call(asMerchant(pct), MILESTONE, { id: c.id, input: { step, status: 'completed', metadata: { n: i } } });
        expect(res.errors).toBeUndefined();
      }
    }
    const ds = app.dataSource;
    const original = ds.query.bind(ds);
    const sql: string[] = [];
    ds.query = ((q: string, params?: unknown[]) => {
      sql.push(q);
      return original(q, params);
    }) as typeof ds.query;
    let res;
    try {
      res = await call(admin, PAGE, { filter: { merchantId: pct.id } });
    } finally {
      ds.query = original as typeof ds.query;
    }
    expect(res.errors).toBeUndefined();
    expect(sql.filter((q) => q.includes('ledger.conversion_milestones'))).toHaveLength(1);
    expect(sql.filter((q) => q.includes('ledger.ledger_entries'))).toHaveLength(1);

    const nodes = new Map<string, any>(res.data!.conversions.edges.map((e: any) => [e.node.id, e.node]));
    expect(nodes.size).toBe(reported.length);
    for (const [i, c] of reported.entries()) {
      const node = nodes.get(c.id);
      expect(node.milestones.map((m: any) => m.step)).toEqual(flow.steps.slice(0, i + 1));
      expect(node.milestones.every((m: any) => m.status === 'completed' && m.metadata.n === i)).toBe(true);
      expect(node.ledgerEntries.length).toBeGreaterThanOrEqual(2);
      expect(node.ledgerEntries.every((e: any) => e.conversionId === c.id && e.kind === 'commission')).toBe(true);
      const signed = node.ledgerEntries.reduce((n: number, e: any) => n + (e.direction === 'debit' ? 1 : -1) * e.amount.amountMinor, 0);
      expect(signed).toBe(0);
    }
  });
});

describe('commissionSummary', () => {
  const row = (key: string | null, currency: string, count: number, value: number, commission: number, fee: number, payout: number) => ({
    key, currency, count, transactionValue: { amountMinor: value }, commission: { amountMinor: commission },
    networkFee: { amountMinor: fee }, builderPayout: { amountMinor: payout },
  });
  const summary = async (p: Principal, groupBy: string, filter: Record<string, unknown> = {}) => {
    const res = await call(p, SUMMARY, { groupBy, filter });
    expect(res.errors).toBeUndefined();
    return res.data!.commissionSummary;
  };

  it('sums exactly per merchant, agent, day and status, per currency', async () => {
    const scope = { from: new Date(Date.now() - 3_600_000).toISOString() };
    const pctAll = row(pct.id, 'GBP', 4, 1000 + 2500 + 333 + 1005, 100 + 250 + 33 + 101, 20 + 50 + 7 + 21, 80 + 200 + 26);
    expect(await summary(admin, 'MERCHANT', { ...scope, merchantId: pct.id })).toEqual([pctAll]);
    expect(await summary(asMerchant(pct), 'MERCHANT')).toEqual([pctAll]);
    expect(await summary(asMerchant(cpa), 'STATUS')).toEqual([row('PENDING', 'EUR', 2, 100 + 99_999, 1000, 200, 400)]);

    const byAgent = await summary(asMerchant(pct), 'AGENT');
    expect(byAgent).toEqual([
      row(registered.id, 'GBP', 3, 3833, 383, 77, 306),
      row(anonymous.id, 'GBP', 1, 1005, 101, 21, 0),
    ].sort((a, b) => a.key!.localeCompare(b.key!)));

    const today = new Date().toISOString().slice(0, 10);
    const day = await summary(asAgent(registered), 'DAY', scope);
    expect(day).toEqual([row(today, 'EUR', 1, 100, 500, 100, 400), row(today, 'GBP', 3, 3833, 383, 77, 306)]);
  });

  it('applies every filter, and never goes outside the caller', async () => {
    expect(await summary(admin, 'STATUS', { merchantId: pct.id, agentId: anonymous.id })).toEqual([row('PENDING', 'GBP', 1, 1005, 101, 21, 0)]);
    expect(await summary(admin, 'STATUS', { merchantId: pct.id, status: 'PAID' })).toEqual([]);
    expect(await summary(admin, 'STATUS', { merchantId: pct.id, conversionPath: 'VERIFIED_PAYMENT' })).toEqual([]);
    expect(await summary(admin, 'STATUS', { merchantId: pct.id, to: new Date(Date.now() - 3_600_000).toISOString() })).toEqual([]);
    // Another merchant asking for pct's rows, or an agent for another agent's: nothing.
    expect(await summary(asMerchant(cpa), 'MERCHANT', { merchantId: pct.id })).toEqual([]);
    expect(await summary(asAgent(anonymous), 'AGENT', { agentId: registered.id })).toEqual([]);
    expect(await summary({ kind: 'CLIENT', checkoutSessionId: 'cs_x' } as Principal, 'STATUS')).toEqual([]);
  });
});

describe('conversion.updated', () => {
  it('is read back by cursor through its index (the subscriptions replay)', async () => {
    // The planner may prefer a scan on a tiny table; forbid that to see whether the index serves the query.
    await app.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      await m.query('SET LOCAL enable_bitmapscan = off');
      const forced: Array<{ 'QUERY PLAN': string }> = await m.query(
        `EXPLAIN SELECT payload FROM ledger.outbox
          WHERE topic = $1 AND (payload->>'cursor')::bigint > $2::bigint ORDER BY (payload->>'cursor')::bigint LIMIT $3`,
        [CONVERSION_UPDATED, '0', 100],
      );
      const forcedText = forced.map((r) => r['QUERY PLAN']).join('\n');
      expect(forcedText, forcedText).toMatch(/Index Scan using outbox_conversion_cursor_idx/);
      expect(forcedText).not.toMatch(/Sort/);
    });
  });

  // Generous timeouts: the relay publishes in outbox order, behind whatever other test files left undelivered.
  it('leaves through the outbox relay onto Redis pub/sub, in order, with its cursor', async () => {
    const sub = new Redis(redisUrl);
    const received: any[] = [];
    const workers = await app.startWorkers();
    try {
      await sub.subscribe(eventsChannel(prefix, CONVERSION_UPDATED));
      sub.on('message', (_channel, message) => received.push(JSON.parse(message)));
      const c = reported[2]!; // three steps done: a failed fourth is in order
      // Events c had before this test (from beforeAll) may still be on their way out of the
      // outbox: only what this test causes counts, i.e. cursors above c's last one so far.
      const [{ last }] = await app.dataSource.query(
        `SELECT coalesce(max((payload->>'cursor')::bigint), 0)::text AS last FROM ledger.outbox WHERE topic = $1 AND aggregate_id = $2`,
        [CONVERSION_UPDATED, c.id],
      );
      const ours = (e: any) =>
        (e.payload?.conversion?.id === c.id && BigInt(e.payload.cursor) > BigInt(last)) || e.payload?.conversion?.id === cid;
      let cid = '';
      const res = await call(asMerchant(pct), MILESTONE, { id: c.id, input: { step: 'service_activated', status: 'failed' } });
      expect(res.errors).toBeUndefined();
      cid = await report(pct, registered, 700);
      await expect.poll(() => received.filter(ours).length, { timeout: 30_000 }).toBe(2);
      const mine = received.filter(ours);
      expect(mine.map((e) => [e.topic, e.payload.conversion.id, e.payload.conversion.status, e.payload.conversion.merchantId])).toEqual([
        [CONVERSION_UPDATED, c.id, 'PENDING', pct.id],
        [CONVERSION_UPDATED, cid, 'PENDING', pct.id],
      ]);
      expect(mine[1].payload.conversion).toMatchObject({ commissionMinor: 70, networkFeeMinor: 14, builderPayoutMinor: 56, agentId: registered.id });
      expect(BigInt(mine[1].payload.cursor)).toBeGreaterThan(BigInt(mine[0].payload.cursor));
      // Delivered means marked so in the outbox (the row is kept for the replay).
      await expect.poll(async () => (await app.dataSource.query(
        `SELECT count(*)::int AS n FROM ledger.outbox WHERE topic = $1 AND aggregate_id = $2 AND published_at IS NOT NULL`, [CONVERSION_UPDATED, cid],
      ))[0].n, { timeout: 30_000 }).toBe(1);
    } finally {
      await sub.quit();
      await workers.close();
    }
  }, 60_000);
});
