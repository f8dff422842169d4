// The read replica in the operators' health report (issue 24; docs/api.md "Operations"): the
// whole stack on a real PostgreSQL primary with a pg_basebackup'd streaming standby
// (test/support/streaming-replica.ts) as DATABASE_READ_URL. GET /v1/checkout/health reports
// `database_replica` for the subgraphs that read from it (checkout-session, conversion-ledger):
// reachable, its lag in seconds and WAL bytes and how long ago its last replayed commit was;
// with replay paused the lag grows while it stays `ok` (under DATABASE_READ_MAX_LAG_SECONDS);
// with the standby stopped it is `degraded` (not down), the primary still `ok`, and the report
// `degraded`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { startStreamingReplica, type StreamingReplica } from '../support/streaming-replica.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const USING_REPLICA = ['checkout-session', 'conversion-ledger'];

let cluster: StreamingReplica;
let handoff: RunningHandoff;
let admin: GqlClient;

async function health(): Promise<any> {
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/health`, { headers: { authorization: `Bearer ${handoff.adminKey}` } });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  cluster = await startStreamingReplica();
  handoff = await startTestHandoff({
    databaseUrl: cluster.primaryUrl,
    // The standby's max_connections is small: small pools.
    extraEnv: { DATABASE_READ_URL: cluster.replicaUrl, DATABASE_READ_LAG_CHECK_MS: '200', DATABASE_READ_MAX_LAG_SECONDS: '600', DB_POOL_SIZE: '3' },
  });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 240_000);

afterAll(async () => {
  await handoff?.stop();
  await cluster?.stop();
}, 60_000);

describe('GET /v1/checkout/health with DATABASE_READ_URL', () => {
  it('reports the streaming replica of each subgraph that reads from it: reachable, its lag, ok', { timeout: 60_000 }, async () => {
    await expect.poll(async () => (await health()).subsystems.database_replica?.status, { timeout: 30_000 }).toBe('ok');
    const h = await health();
    expect(h.subsystems.database).toMatchObject({ status: 'ok' });
    expect(Object.keys(h.subsystems.database_replica.replicas).sort()).toEqual(USING_REPLICA);
    for (const name of USING_REPLICA) {
      const r = h.subsystems.database_replica.replicas[name];
      expect(r, name).toMatchObject({ status: 'ok', state: 'streaming', reachable: true, reads_go_to: 'replica', replay_paused: false, max_lag_seconds: 600 });
      expect(r.lag_seconds, name).toEqual(expect.any(Number));
      expect(r.lag_bytes, name).toEqual(expect.any(Number));
      // Migrations committed on the primary were replayed: the standby knows when the last one was.
      expect(r.last_replayed_commit_age_seconds, name).toBeGreaterThanOrEqual(0);
    }
    expect(h.subsystems.database_replica.detail).toMatch(/checkout-session: read replica streaming \(lag [\d.]+ s, \d+ bytes; last replayed commit/);
  });

  it('with replay paused, a write on the primary shows as lag (seconds and bytes) while the replica stays usable', { timeout: 60_000 }, async () => {
    await cluster.replica(`SELECT pg_wal_replay_pause()`);
    await expect.poll(async () => (await cluster.replica<{ s: string }>(`SELECT pg_get_wal_replay_pause_state() AS s`))[0]!.s, { timeout: 20_000 }).toBe('paused');
    await admin.ok(CREATE_MERCHANT, { input: { name: 'Replica Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } });
    await expect
      .poll(async () => (await health()).subsystems.database_replica.replicas['conversion-ledger'], { timeout: 30_000 })
      .toMatchObject({ status: 'ok', replay_paused: true, lag_seconds: expect.toSatisfy((n: number) => n > 0), lag_bytes: expect.toSatisfy((n: number) => n > 0) });
    await cluster.replica(`SELECT pg_wal_replay_resume()`);
    await expect.poll(async () => (await health()).subsystems.database_replica.replicas['conversion-ledger'], { timeout: 30_000 }).toMatchObject({ replay_paused: false, lag_bytes: 0 });
  });

  it('the replica stopped: database_replica degraded (unreachable), the primary ok, the report degraded, not down', { timeout: 90_000 }, async () => {
    await cluster.stopReplica();
    await expect.poll(async () => (await health()).subsystems.database_replica.status, { timeout: 30_000 }).toBe('degraded');
    const h = await health();
    expect(h.status).toBe('degraded');
    expect(h.subsystems.database).toMatchObject({ status: 'ok' });
    for (const name of USING_REPLICA) {
      expect(h.subsystems.database_replica.replicas[name], name).toMatchObject({ status: 'degraded', state: 'unreachable', reachable: false, reads_go_to: 'primary' });
      expect(h.subsystems[name], name).toMatchObject({ status: 'degraded', detail: expect.stringContaining('read_replica degraded') });
    }
    expect(h.subsystems.database_replica.detail).toMatch(/read replica unreachable.*BI reads on the primary/);
    expect(Object.values(h.subsystems).filter((s: any) => s.status === 'down')).toEqual([]);
  });
});
