// BI reads on a real streaming replica (DATABASE_READ_URL): its own PostgreSQL primary and a
// pg_basebackup'd standby (test/support/streaming-replica.ts), the ledger migrated on the
// primary. With the standby's replay paused, a conversion reported on the primary is missing
// from the BI reads (conversions, commissionSummary, ledgerEntries: the replica answered them)
// but present in the reads that must be fresh (the mutation's answer, conversion(id) and its
// entries); the lag shows in /health/ready (ready all along) and in /metrics; past
// DATABASE_READ_MAX_LAG_SECONDS the BI reads go to the primary; replay resumed, the replica has
// it; the replica stopped, a read it fails is answered by the primary, later BI reads go there
// at once, and readiness says why.
import type { Principal, ReplicaStatus, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { startStreamingReplica, type StreamingReplica } from '../../../test/support/streaming-replica.js';
import { FakeDirectory, gbp, id, startLedger, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const merchant = dir.addMerchant();
const agent = dir.addAgent(true);
const admin: Principal = { kind: 'ADMIN', keyId: 'k_admin' };
const asMerchant: Principal = { kind: 'MERCHANT', keyId: `k_${merchant.id}`, merchantId: merchant.id };

const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id ledgerEntries { account amount { amountMinor } } } }`;
const BI = `query($filter: ConversionFilter, $entries: LedgerEntryFilter) {
  conversions(filter: $filter, first: 100) { totalCount edges { node { id ledgerEntries { account } } } }
  commissionSummary(filter: $filter, groupBy: MERCHANT) { key count }
  ledgerEntries(filter: $entries, first: 100) { totalCount } }`;
const FRESH = `query($id: ID!) { conversion(id: $id) { id ledgerEntries { account amount { amountMinor } } } }`;

interface Ledger {
  app: SubgraphApp;
  server: RunningServer;
  call: ReturnType<typeof signedCaller>;
}

let cluster: StreamingReplica | undefined;
const ledgers: Ledger[] = [];

async function start(extraEnv: Record<string, string>): Promise<Ledger> {
  const { app, server, secret } = await startLedger(dir, keys, {
    DATABASE_URL: cluster!.primaryUrl,
    DATABASE_READ_URL: cluster!.replicaUrl,
    DATABASE_READ_LAG_CHECK_MS: '100',
    DB_POOL_SIZE: '3',
    ...extraEnv,
  });
  const ledger = { app, server, call: signedCaller(server.url, secret) };
  ledgers.push(ledger);
  return ledger;
}

/** Polls `probe` until `done` holds (the machine is loaded: conditions, never fixed sleeps). */
async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ready(l: Ledger): Promise<{ status: number; body: { ready: boolean; details: { readReplica: ReplicaStatus } } }> {
  const res = await fetch(`${l.server.url}/health/ready`);
  return { status: res.status, body: (await res.json()) as never };
}

async function metric(l: Ledger, name: string): Promise<number> {
  const text = await (await fetch(`${l.server.url}/metrics`)).text();
  const line = text.split('\n').find((s) => s.startsWith(`${name}{`) || s.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function report(l: Ledger): Promise<{ id: string; entries: number }> {
  const session = dir.addRecommendation(merchant.id, agent.id, gbp(5000)).sessionId!;
  const res = await l.call(asMerchant, REPORT, {
    input: { sessionId: session, orderReference: id('ORD'), transactionValue: { amountMinor: 5000, currency: 'GBP' } },
  });
  expect(res.errors).toBeUndefined();
  return { id: res.data!.reportConversion.id, entries: res.data!.reportConversion.ledgerEntries.length };
}

/** The BI reads, by the admin, about this merchant and conversion `conversionId`. */
async function bi(l: Ledger, conversionId: string) {
  const res = await l.call(admin, BI, { filter: { merchantId: merchant.id }, entries: { conversionId } });
  expect(res.errors).toBeUndefined();
  const d = res.data!;
  return {
    ids: (d.conversions.edges as Array<{ node: { id: string } }>).map((e) => e.node.id),
    total: d.conversions.totalCount as number,
    summaryCount: (d.commissionSummary as Array<{ count: number }>)[0]?.count ?? 0,
    entriesOfConversion: d.ledgerEntries.totalCount as number,
  };
}

async function fresh(l: Ledger, conversionId: string) {
  const res = await l.call(asMerchant, FRESH, { id: conversionId });
  expect(res.errors).toBeUndefined();
  return res.data!.conversion as { id: string; ledgerEntries: unknown[] } | null;
}

beforeAll(async () => {
  cluster = await startStreamingReplica();
}, 180_000);

afterAll(async () => {
  for (const l of ledgers) {
    await l.server.close().catch(() => undefined);
    await l.app.close().catch(() => undefined);
  }
  await cluster?.stop();
}, 60_000);

describe('BI reads on a streaming replica', () => {
  it('the replica answers BI reads (it misses what its paused replay has not applied), fresh reads never go there; lag in /health/ready and /metrics', { timeout: 120_000 }, async () => {
    const l = await start({ DATABASE_READ_MAX_LAG_SECONDS: '600' });
    // A second subgraph process on the same databases, with a small max lag (reads to the primary past it).
    const strict = await start({ DATABASE_READ_MAX_LAG_SECONDS: '1' });
    for (const x of [l, strict]) {
      const h = await until(() => ready(x), (r) => r.body.details?.readReplica.state === 'streaming', 'the replica measured as streaming');
      expect(h.status).toBe(200);
      expect(h.body.details.readReplica).toMatchObject({ configured: true, readsGoTo: 'replica', replayPaused: false });
      expect(h.body.details.readReplica.lagSeconds).toBeLessThan(1);
    }
    expect(await metric(l, 'handoff_db_replica_up')).toBe(1);
    expect(await metric(l, 'handoff_db_replica_reads_routed')).toBe(1);

    const a = await report(l);
    expect(a.entries).toBeGreaterThan(0);
    // Replicated: the BI reads see it once the standby has replayed it.
    await until(() => bi(l, a.id), (r) => r.ids.includes(a.id) && r.entriesOfConversion === a.entries, 'the replica to replay conversion A');

    await cluster!.replica(`SELECT pg_wal_replay_pause()`);
    await until(() => cluster!.replica<{ s: string }>(`SELECT pg_get_wal_replay_pause_state() AS s`), (r) => r[0]!.s === 'paused', 'replay paused');
    const b = await report(l);
    // The command's own answer (read-your-writes) has B's entries: it is the primary's.
    expect(b.entries).toBeGreaterThan(0);
    const primaryCount = await cluster!.primary<{ n: number }>(`SELECT count(*)::int AS n FROM ledger.conversions WHERE merchant_id = $1`, [merchant.id]);
    expect(primaryCount[0]!.n).toBe(2);

    // BI reads: answered by the replica, which has not applied B.
    const stale = await bi(l, b.id);
    expect(stale.ids).toEqual([a.id]);
    expect(stale.total).toBe(1);
    expect(stale.summaryCount).toBe(1);
    expect(stale.entriesOfConversion).toBe(0);
    // A fresh read (by id, with its children) never goes to the replica.
    const freshB = await fresh(l, b.id);
    expect(freshB?.id).toBe(b.id);
    expect(freshB!.ledgerEntries).toHaveLength(b.entries);

    // The lag grows while replay is paused, and readiness says so without turning unready.
    const lagging = await until(() => ready(l), (r) => (r.body.details.readReplica.lagSeconds ?? 0) > 0.3, 'lag reported');
    expect(lagging.status).toBe(200);
    expect(lagging.body.ready).toBe(true);
    expect(lagging.body.details.readReplica).toMatchObject({ state: 'streaming', readsGoTo: 'replica', replayPaused: true, maxLagSeconds: 600 });
    expect(lagging.body.details.readReplica.lagBytes).toBeGreaterThan(0);
    expect(await metric(l, 'handoff_db_replica_lag_seconds')).toBeGreaterThan(0.3);
    expect(await metric(l, 'handoff_db_replica_lag_bytes')).toBeGreaterThan(0);

    // Past its max lag, the strict process sends BI reads to the primary (which has B).
    const over = await until(() => ready(strict), (r) => r.body.details.readReplica.readsGoTo === 'primary', 'the strict process past its max lag');
    expect(over.status).toBe(200);
    expect(over.body.details.readReplica).toMatchObject({ state: 'lagging', replayPaused: true });
    expect(over.body.details.readReplica.lagSeconds).toBeGreaterThan(1);
    expect(await metric(strict, 'handoff_db_replica_reads_routed')).toBe(0);
    const fromPrimary = await bi(strict, b.id);
    expect(fromPrimary.ids.sort()).toEqual([a.id, b.id].sort());
    expect(fromPrimary.entriesOfConversion).toBe(b.entries);
    // Meanwhile the patient process still reads the paused replica.
    expect((await bi(l, b.id)).ids).toEqual([a.id]);

    // Resumed: the replica applies B, BI reads see it, the lag is back to 0, the strict process reads the replica again.
    await cluster!.replica(`SELECT pg_wal_replay_resume()`);
    const caughtUp = await until(() => bi(l, b.id), (r) => r.ids.includes(b.id), 'the replica to replay conversion B');
    expect(caughtUp).toMatchObject({ total: 2, summaryCount: 2, entriesOfConversion: b.entries });
    await until(() => ready(l), (r) => r.body.details.readReplica.lagSeconds === 0 && r.body.details.readReplica.replayPaused === false, 'lag back to 0');
    await until(() => ready(strict), (r) => r.body.details.readReplica.readsGoTo === 'replica', 'the strict process back on the replica');
  });

  it('with the replica down, a read it fails is answered by the primary, readiness stays 200 and says so, and BI reads go to the primary', { timeout: 120_000 }, async () => {
    const l = ledgers[0] ?? (await start({ DATABASE_READ_MAX_LAG_SECONDS: '600' }));
    // Measured once at start, then not for a minute: it still routes to the replica when the replica goes.
    const unaware = await start({ DATABASE_READ_MAX_LAG_SECONDS: '600', DATABASE_READ_LAG_CHECK_MS: '60000' });
    for (const x of [l, unaware]) await until(() => ready(x), (r) => r.body.details?.readReplica.state === 'streaming', 'the replica measured as streaming');
    await cluster!.stopReplica();
    // Written after the replica stopped: only the primary can answer it.
    const c = await report(l);
    expect(unaware.app.reads.status().readsGoTo).toBe('replica');
    const answered = await bi(unaware, c.id);
    expect(answered.ids).toContain(c.id);
    expect(answered.entriesOfConversion).toBe(c.entries);
    // The request's three BI reads run together: each that started on the replica fell back.
    const fellBack = await metric(unaware, 'handoff_db_replica_fallbacks_total');
    expect(fellBack).toBeGreaterThanOrEqual(1);
    expect(fellBack).toBeLessThanOrEqual(3);
    expect((await ready(unaware)).body.details.readReplica).toMatchObject({ state: 'unreachable', readsGoTo: 'primary' });

    const down = await until(() => ready(l), (r) => r.body.details.readReplica.state === 'unreachable', 'the replica reported unreachable');
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ ready: true, failing: [] });
    expect(down.body.details.readReplica).toMatchObject({ readsGoTo: 'primary', lagSeconds: null });
    expect(await metric(l, 'handoff_db_replica_up')).toBe(0);
    expect(Number.isNaN(await metric(l, 'handoff_db_replica_lag_seconds'))).toBe(true);
    const r = await bi(l, c.id);
    expect(r.ids).toContain(c.id);
    expect(r.entriesOfConversion).toBe(c.entries);
  });
});
