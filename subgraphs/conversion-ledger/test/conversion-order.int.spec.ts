// The conversions list's order argument against real PostgreSQL: CREATED_DESC pages newest first
// by (created_at, id) — ties broken by id, descending — with cursors that neither repeat nor skip
// a row, the exact reverse of the default (oldest first); filters and the caller's scope apply
// the same way in both orders; a cursor that is not one is BAD_USER_INPUT.
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { FakeDirectory, gbp, id, startLedger, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const merchant = dir.addMerchant({});
const other = dir.addMerchant({});
const agent = dir.addAgent(true);

const asMerchant = (m: { id: string }): Principal => ({ kind: 'MERCHANT', keyId: `k_${m.id}`, merchantId: m.id });
const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`;
const LIST = `query($first: Int, $after: String, $order: ConversionOrder, $filter: ConversionFilter) {
  conversions(first: $first, after: $after, order: $order, filter: $filter) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;
/** The merchant's conversions as created (ids), with created_at set below. */
const made: string[] = [];

const report = async (m: { id: string }) => {
  const session = dir.addRecommendation(m.id, agent.id, gbp(1000)).sessionId!;
  const res = await call(asMerchant(m), REPORT, { input: { sessionId: session, orderReference: id('ORD'), transactionValue: gbp(1000) } });
  expect(res.errors).toBeUndefined();
  return res.data!.reportConversion.id as string;
};

/** Every id of the list, page by page (`first` a page), in the order asked. */
async function walk(p: Principal, first: number, order?: string, filter?: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await call(p, LIST, { first, after, order, filter });
    expect(res.errors).toBeUndefined();
    const page = res.data.conversions;
    seen.push(...page.edges.map((e: any) => e.node.id));
    if (!page.pageInfo.hasNextPage) {
      expect(seen).toHaveLength(page.totalCount);
      return seen;
    }
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  let secret: string;
  ({ app, server, secret } = await startLedger(dir, keys));
  call = signedCaller(server.url, secret);
  for (let i = 0; i < 5; i++) made.push(await report(merchant));
  await report(other);
  // Creation times with a tie (the 2nd and 3rd share a microsecond), so the id decides between them.
  const at = ['2026-01-01T10:00:00.000001Z', '2026-01-02T10:00:00.000002Z', '2026-01-02T10:00:00.000002Z', '2026-01-03T10:00:00Z', '2026-01-04T10:00:00Z'];
  for (const [i, cid] of made.entries()) await app.dataSource.query(`UPDATE ledger.conversions SET created_at = $2 WHERE id = $1`, [cid, at[i]]);
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('conversions(order:)', () => {
  it('CREATED_DESC is newest first, ties by id descending, the exact reverse of the default, on every page size', async () => {
    const tie = [made[1]!, made[2]!].sort();
    const oldestFirst = [made[0]!, tie[0]!, tie[1]!, made[3]!, made[4]!];
    for (const first of [1, 2, 3, 100]) {
      expect(await walk(asMerchant(merchant), first)).toEqual(oldestFirst);
      expect(await walk(asMerchant(merchant), first, 'CREATED_ASC')).toEqual(oldestFirst);
      expect(await walk(asMerchant(merchant), first, 'CREATED_DESC')).toEqual([...oldestFirst].reverse());
    }
  });

  it('filters and the caller scope apply in both orders', async () => {
    const from = '2026-01-02T00:00:00Z';
    const to = '2026-01-04T00:00:00Z';
    const asc = await walk(asMerchant(merchant), 2, 'CREATED_ASC', { from, to });
    expect(asc).toHaveLength(3);
    expect(await walk(asMerchant(merchant), 2, 'CREATED_DESC', { from, to })).toEqual([...asc].reverse());
    // The other merchant sees only its own, whatever the order.
    const theirs = await walk(asMerchant(other), 2, 'CREATED_DESC');
    expect(theirs).toHaveLength(1);
    expect(made).not.toContain(theirs[0]);
    expect((await call(asMerchant(merchant), LIST, { order: 'CREATED_DESC', after: 'not-a-cursor!' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
