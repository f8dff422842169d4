// Merchant-reported conversions and milestones over GraphQL, against real PostgreSQL: seed 001's
// report, repeats, idempotency, milestones in and out of flow and order, and tenancy of the BI
// reads by id, by list and by nested field.
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { CommissionType } from '../src/commission/commission.js';
import { expectBooksBalanced, FakeDirectory, gbp, id, startLedger, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const merchant = dir.addMerchant({
  flow: { type: 'install_activation', steps: ['order_placed', 'install_scheduled', 'install_completed', 'service_activated'], payableAfter: 'install_completed' },
});
const hybrid = dir.addMerchant({ terms: { type: CommissionType.HYBRID, cpaMinor: 200, cpaCurrency: 'GBP', percentageBps: 250 } });
const agent = dir.addAgent(true);
const otherAgent = dir.addAgent(true);
const session = dir.addRecommendation(merchant.id, agent.id, gbp(1000)).sessionId!;
const otherSession = dir.addRecommendation(hybrid.id, otherAgent.id, gbp(1000)).sessionId!;

const asMerchant = (m: { id: string }): Principal => ({ kind: 'MERCHANT', keyId: `k_${m.id}`, merchantId: m.id });
const asAgent = (a: { id: string }): Principal => ({ kind: 'AGENT', keyId: `k_${a.id}`, agentId: a.id });
const admin: Principal = { kind: 'ADMIN', keyId: 'k_admin' };

const REPORT = `mutation($input: ReportConversionInput!, $key: String) { reportConversion(input: $input, idempotencyKey: $key) {
  id status conversionPath verification orderReference validationPeriodDays
  transactionValue { amountMinor currency amount }
  commission { type amount { amount } networkFee { amount } builderPayout { amount } }
  agent { id } session { id } } }`;
const MILESTONE = `mutation($id: ID!, $input: MilestoneInput!) { recordMilestone(conversionId: $id, input: $input) {
  id version milestones { step status metadata } } }`;
const CONVERSIONS = `query($filter: ConversionFilter, $first: Int, $after: String) { conversions(filter: $filter, first: $first, after: $after) {
  totalCount edges { cursor node { id orderReference merchant { id } } } pageInfo { hasNextPage endCursor } } }`;
const SUMMARY = `query($filter: ConversionFilter, $groupBy: SummaryGroup!) { commissionSummary(filter: $filter, groupBy: $groupBy) {
  key currency count commission { amountMinor } networkFee { amountMinor } builderPayout { amountMinor } } }`;
const BY_ID = `query($id: ID!) { conversion(id: $id) { id ledgerEntries { account direction amount { amount } kind } } }`;
const ENTRIES = `query($filter: LedgerEntryFilter) { ledgerEntries(filter: $filter, first: 100) { totalCount edges { node { account conversionId } } } }`;
const BALANCES = `query { ledgerBalances { account balance { amountMinor currency } } }`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;

beforeAll(async () => {
  let secret: string;
  ({ app, server, secret } = await startLedger(dir, keys));
  call = signedCaller(server.url, secret);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});
afterEach(async () => {
  await expectBooksBalanced(app);
});

const report = (p: Principal, input: Record<string, unknown>, key?: string) => call(p, REPORT, { input, key });

describe('reportConversion', () => {
  it("returns seed 001's example: value 10, CPA 8 → amount 8, fee 1.60, payout 6.40; pending_validation", async () => {
    const res = await report(asMerchant(merchant), { sessionId: session, orderReference: 'ORD-100045', transactionValue: { amountMinor: 1000, currency: 'GBP' } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.reportConversion).toMatchObject({
      status: 'PENDING', conversionPath: 'MERCHANT_REPORTED', verification: 'pending_validation', orderReference: 'ORD-100045',
      validationPeriodDays: 36500, transactionValue: { amountMinor: 1000, currency: 'GBP', amount: '10.00' },
      commission: { type: 'CPA', amount: { amount: '8.00' }, networkFee: { amount: '1.60' }, builderPayout: { amount: '6.40' } },
      agent: { id: agent.id }, session: { id: session },
    });
  });

  it('a repeat of merchant + order reference returns the same conversion, also concurrently', async () => {
    const input = { sessionId: session, orderReference: `ORD-${id('r')}`, transactionValue: { amountMinor: 1000, currency: 'GBP' } };
    const results = await Promise.all(Array.from({ length: 6 }, () => report(asMerchant(merchant), input)));
    const ids = new Set(results.map((r) => r.data?.reportConversion?.id));
    expect(ids.size).toBe(1);
    const n = await app.dataSource.query(`SELECT count(*)::int AS n FROM ledger.conversions WHERE order_reference = $1`, [input.orderReference]);
    expect(n[0].n).toBe(1);
  });

  it('computes HYBRID commission (CPA + basis points)', async () => {
    const res = await report(asMerchant(hybrid), { sessionId: otherSession, orderReference: 'H-1', transactionValue: { amountMinor: 10000, currency: 'GBP' } });
    expect(res.data?.reportConversion.commission).toMatchObject({ type: 'HYBRID', amount: { amount: '4.50' }, networkFee: { amount: '0.90' }, builderPayout: { amount: '3.60' } });
  });

  it('refuses other roles, unknown sessions, other currencies, and a reused idempotency key', async () => {
    const input = { sessionId: session, orderReference: 'ORD-X', transactionValue: { amountMinor: 1000, currency: 'GBP' } };
    expect((await report(asAgent(agent), input)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await report(asMerchant(merchant), { ...input, sessionId: 'ses_nope' })).errors?.[0]?.extensions?.code).toBe('SESSION_NOT_FOUND');
    expect((await report(asMerchant(merchant), { ...input, transactionValue: { amountMinor: 1000, currency: 'EUR' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const key = id('idem');
    expect((await report(asMerchant(merchant), { ...input, orderReference: 'IDEM-1' }, key)).errors).toBeUndefined();
    expect((await report(asMerchant(merchant), { ...input, orderReference: 'IDEM-2' }, key)).errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it("refuses a session that never recommended the merchant's offers as an unknown one, writing nothing", async () => {
    // `session` recommended only `merchant`'s offer; `hybrid` reporting on it would pay that agent's builder.
    const orderReference = id('FOREIGN');
    const res = await report(asMerchant(hybrid), { sessionId: session, orderReference, transactionValue: { amountMinor: 1000, currency: 'GBP' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('SESSION_NOT_FOUND');
    expect(res.errors?.[0]?.message).toBe((await report(asMerchant(hybrid), { sessionId: 'ses_nope', orderReference, transactionValue: { amountMinor: 1000, currency: 'GBP' } })).errors?.[0]?.message.replace('ses_nope', session));
    const rows = await app.dataSource.query(`SELECT count(*)::int AS n FROM ledger.conversions WHERE order_reference = $1`, [orderReference]);
    expect(rows[0].n).toBe(0);
  });
});

describe('recordMilestone', () => {
  it('takes the steps of the flow in order, keeps metadata, and rejects others with INVALID_MILESTONE', async () => {
    const c = (await report(asMerchant(merchant), { sessionId: session, orderReference: id('M'), transactionValue: { amountMinor: 1000, currency: 'GBP' } })).data!.reportConversion;
    const step = (s: string, status = 'completed', metadata?: unknown) => call(asMerchant(merchant), MILESTONE, { id: c.id, input: { step: s, status, metadata } });
    const notInFlow = await step('payment_received');
    expect(notInFlow.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_MILESTONE', reason: 'milestone:not_in_flow' });
    const early = await step('install_completed');
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_MILESTONE', reason: 'milestone:out_of_order' });
    expect((await step('order_placed')).errors).toBeUndefined();
    expect((await step('install_scheduled', 'failed', { reason: 'no access' })).errors).toBeUndefined();
    expect((await step('install_completed')).errors?.[0]?.extensions?.reason).toBe('milestone:out_of_order');
    const ok = await step('install_scheduled', 'completed', { slot: '2026-04-15T10:30:00Z' });
    expect(ok.data?.recordMilestone.milestones).toEqual([
      { step: 'order_placed', status: 'completed', metadata: null },
      { step: 'install_scheduled', status: 'failed', metadata: { reason: 'no access' } },
      { step: 'install_scheduled', status: 'completed', metadata: { slot: '2026-04-15T10:30:00Z' } },
    ]);
    expect((await step('order_placed')).errors?.[0]?.extensions?.reason).toBe('milestone:already_completed');
    await step('install_completed');
    const row = await app.dataSource.query(`SELECT payable_since FROM ledger.conversions WHERE id = $1`, [c.id]);
    expect(row[0].payable_since).not.toBeNull();
    const other = await call(asMerchant(hybrid), MILESTONE, { id: c.id, input: { step: 'service_activated', status: 'completed' } });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONVERSION_NOT_FOUND');
  });
});

describe('BI reads and tenancy', () => {
  it('pages conversions with a stable cursor and filters, and shows each caller only its own', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await call(asMerchant(merchant), CONVERSIONS, { first: 2, after });
      expect(res.errors).toBeUndefined();
      const page = res.data.conversions;
      seen.push(...page.edges.map((e: any) => e.node.id));
      expect(page.edges.every((e: any) => e.node.merchant.id === merchant.id)).toBe(true);
      if (!page.pageInfo.hasNextPage) {
        expect(seen).toHaveLength(page.totalCount);
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const foreign = await call(asMerchant(hybrid), CONVERSIONS, { filter: { merchantId: merchant.id } });
    expect(foreign.data?.conversions.totalCount).toBe(0);
    const mine = await call(asAgent(otherAgent), CONVERSIONS, {});
    expect(mine.data?.conversions.edges.map((e: any) => e.node.merchant.id)).toEqual([hybrid.id]);
    expect((await call(admin, CONVERSIONS, { filter: { merchantId: merchant.id } })).data?.conversions.totalCount).toBe(seen.length);
    expect((await call(admin, CONVERSIONS, { after: 'not-a-cursor!' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('summarises commission by merchant, agent, day and status, within the caller scope', async () => {
    const byMerchant = await call(admin, SUMMARY, { filter: { merchantId: merchant.id }, groupBy: 'MERCHANT' });
    const row = byMerchant.data?.commissionSummary[0];
    expect(row).toMatchObject({ key: merchant.id, currency: 'GBP' });
    expect(row.commission.amountMinor).toBe(row.networkFee.amountMinor + row.builderPayout.amountMinor);
    for (const groupBy of ['AGENT', 'DAY', 'STATUS']) {
      const res = await call(asMerchant(merchant), SUMMARY, { groupBy });
      expect(res.errors).toBeUndefined();
      expect(res.data?.commissionSummary.reduce((n: number, r: any) => n + r.count, 0)).toBe(row.count);
    }
  });

  it('shows ledger entries and balances only to their owners, by id, list and nested field', async () => {
    const c = (await report(asMerchant(hybrid), { sessionId: otherSession, orderReference: id('E'), transactionValue: { amountMinor: 1000, currency: 'GBP' } })).data!.reportConversion;
    const nested = await call(asMerchant(hybrid), BY_ID, { id: c.id });
    expect(nested.data?.conversion.ledgerEntries).toEqual(expect.arrayContaining([
      { account: `merchant_receivable:${hybrid.id}`, direction: 'debit', amount: { amount: '2.25' }, kind: 'commission' },
      { account: 'network_revenue', direction: 'credit', amount: { amount: '0.45' }, kind: 'commission' },
    ]));
    expect((await call(asMerchant(merchant), BY_ID, { id: c.id })).data?.conversion).toBeNull();
    expect((await call(asAgent(agent), BY_ID, { id: c.id })).data?.conversion).toBeNull();
    const foreign = await call(asMerchant(merchant), ENTRIES, { filter: { conversionId: c.id } });
    expect(foreign.data?.ledgerEntries.totalCount).toBe(0);
    const balances = (await call(asMerchant(hybrid), BALANCES)).data?.ledgerBalances;
    expect(balances.map((b: any) => b.account)).toEqual([`merchant_receivable:${hybrid.id}`]);
    const check = await call(admin, `{ ledgerCheck { balanced } }`);
    expect(check.data?.ledgerCheck.balanced).toBe(true);
    expect((await call(asMerchant(hybrid), `{ ledgerCheck { balanced } }`)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
