// commissionSummary's refund figures (the merchant portal's refund rate, issue 23) against real
// PostgreSQL and Redis: verified payments, then a full and a partial refund through the PSP event
// queue as payment-intent relays them; per group, `refunded` sums what was refunded and
// `refundedCount` counts the conversions with any refund. Another merchant sees none of it.
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { CommissionType } from '../src/commission/commission.js';
import { expectBooksBalanced, FakeDirectory, followUp, gbp, PaymentEventFeed, startLedger, succeededPayload, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const merchant = dir.addMerchant({ terms: { type: CommissionType.PERCENTAGE, cpaMinor: null, cpaCurrency: null, percentageBps: 1000 } });
const other = dir.addMerchant();
const agent = dir.addAgent(true);
const asMerchant = (m: { id: string }): Principal => ({ kind: 'MERCHANT', keyId: `k_${m.id}`, merchantId: m.id });

const SUMMARY = `query($filter: ConversionFilter, $groupBy: SummaryGroup!) { commissionSummary(filter: $filter, groupBy: $groupBy) {
  key currency count transactionValue { amountMinor } refunded { amountMinor currency } refundedCount } }`;

let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

beforeAll(async () => {
  let secret: string;
  ({ app, server, secret } = await startLedger(dir, keys));
  call = signedCaller(server.url, secret);
  workers = await app.startWorkers();
  feed = new PaymentEventFeed(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', process.env.TEST_QUEUE_PREFIX!);
});

afterAll(async () => {
  await feed?.close();
  await workers?.close();
  await server?.close();
  await app?.close();
});

afterEach(async () => {
  await expectBooksBalanced(app);
});

async function summary(p: Principal, groupBy: string, filter: Record<string, unknown> = {}) {
  const res = await call(p, SUMMARY, { groupBy, filter });
  expect(res.errors).toBeUndefined();
  return res.data!.commissionSummary as Array<Record<string, unknown>>;
}

async function verified(amount: number) {
  const rec = dir.addRecommendation(merchant.id, agent.id, gbp(amount));
  const p = succeededPayload(keys, rec, { amountMinor: amount });
  expect(await feed.send('succeeded', p)).toBe('verified');
  return p;
}

describe('commissionSummary refunds', () => {
  it('sums refunded amounts and counts refunded conversions, per group; other tenants see none', async () => {
    const full = await verified(1000);
    const partial = await verified(5000);
    await verified(2000);
    expect(await summary(asMerchant(merchant), 'MERCHANT')).toEqual([
      { key: merchant.id, currency: 'GBP', count: 3, transactionValue: { amountMinor: 8000 }, refunded: { amountMinor: 0, currency: 'GBP' }, refundedCount: 0 },
    ]);

    expect(await feed.send('refunded', followUp(full, 'charge.refunded', { amountRefunded: 1000, status: 'succeeded' }))).toBe('clawed_back');
    await feed.send('refunded', followUp(partial, 'refund.succeeded', { refund: { id: 're_partial', amount: 1500 } }));

    expect(await summary(asMerchant(merchant), 'MERCHANT')).toEqual([
      { key: merchant.id, currency: 'GBP', count: 3, transactionValue: { amountMinor: 8000 }, refunded: { amountMinor: 2500, currency: 'GBP' }, refundedCount: 2 },
    ]);
    const byStatus = Object.fromEntries((await summary(asMerchant(merchant), 'STATUS')).map((r) => [r.key, [r.count, r.refunded, r.refundedCount]]));
    expect(byStatus).toEqual({
      CLAWED_BACK: [1, { amountMinor: 1000, currency: 'GBP' }, 1],
      PENDING: [2, { amountMinor: 1500, currency: 'GBP' }, 1],
    });
    const today = new Date().toISOString().slice(0, 10);
    expect((await summary(asMerchant(merchant), 'DAY')).map((r) => [r.key, r.refundedCount])).toEqual([[today, 2]]);
    // A range that holds none of them has no rows at all.
    expect(await summary(asMerchant(merchant), 'MERCHANT', { to: new Date(Date.now() - 86_400_000).toISOString() })).toEqual([]);
    // Tenancy: another merchant's summary, even naming this merchant, has none of it.
    expect(await summary(asMerchant(other), 'MERCHANT')).toEqual([]);
    expect(await summary(asMerchant(other), 'MERCHANT', { merchantId: merchant.id })).toEqual([]);
  });
});
