// A checkout export's rows on a real streaming replica (DATABASE_READ_URL; the replica and its
// primary: test/support/streaming-replica.ts). With replay running, the build waits for the
// replica to replay the primary's position and reads its rows there (the replica's own scan
// counters of the table go up); with replay paused, it does not wait past its bound and reads
// the primary instead, so the file still holds every row committed before it was asked for
// (never a stale export), and the fallback is counted in /metrics.
import { randomBytes } from 'node:crypto';
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { startStreamingReplica, type StreamingReplica } from '../../../test/support/streaming-replica.js';
import { createServices } from '../src/app.js';
import { createApp, loadConfig } from '../src/index.js';
import { FakeMerchants, FakePayments } from './fakes.js';

const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_rr_${suffix}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
const FROM = new Date('2025-01-01T00:00:00Z');
const TO = new Date('2025-12-31T00:00:00Z');

let cluster: StreamingReplica | undefined;
let app: SubgraphApp | undefined;
let server: RunningServer | undefined;
let services: ReturnType<typeof createServices>;

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `n` timeline entries of the merchant, written on the primary (`source`: lower-case letters and _). */
async function insertEntries(n: number, source: string): Promise<void> {
  await app!.dataSource.query(
    `INSERT INTO checkout.timeline_entries (id, checkout_session_id, merchant_id, kind, at, summary, data, source, source_event_id)
     SELECT 'tle_' || lpad(upper(to_hex(i)), 10, '0') || '_' || $2 || '_' || lpad(i::text, 19, '0'), 'cs_rr', $1, 'payment.confirm_attempted', '2025-03-01T00:00:00Z'::timestamptz + i * interval '1 minute',
            'attempt ' || i, '{}'::jsonb, $2, i
       FROM generate_series(1, $3::int) AS i`,
    [merchantId, source, n],
  );
}

/** Scans of checkout.timeline_entries the replica itself has run (its own statistics). */
const replicaScans = async () =>
  Number(
    (await cluster!.replica<{ n: string }>(
      `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS n FROM pg_stat_user_tables WHERE schemaname = 'checkout' AND relname = 'timeline_entries'`,
    ))[0]?.n ?? 0,
  );

const fallbacks = async (reason: string) => {
  const text = await (await fetch(`${server!.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('handoff_db_replica_fallbacks_total{') && l.includes(`reason="${reason}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

async function exportRows(): Promise<number> {
  const e = await services.checkoutExports.create(merchant, { kind: 'checkout_events', format: 'ndjson', from: FROM, to: TO });
  expect(await services.exportBuilder.build(e.id)).toBe('built');
  return (await services.checkoutExports.find(merchant, e.id))!.rowCount!;
}

beforeAll(async () => {
  cluster = await startStreamingReplica();
  const env = testEnv();
  const config = loadConfig({
    DATABASE_URL: cluster.primaryUrl, DATABASE_READ_URL: cluster.replicaUrl, DATABASE_READ_LAG_CHECK_MS: '100', DATABASE_READ_MAX_LAG_SECONDS: '600',
    DB_POOL_SIZE: '3', REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-rr`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent',
  });
  const payments = new FakePayments();
  app = await createApp(config, { merchants, payments });
  await app.migrate();
  server = await app.listen(0);
  services = createServices({ dataSource: app.dataSource, reads: app.reads, config, outbox: { notify: () => undefined }, merchants, payments, pricing: undefined as never });
}, 180_000);

afterAll(async () => {
  await server?.close().catch(() => undefined);
  await app?.close().catch(() => undefined);
  await cluster?.stop();
}, 60_000);

describe('a checkout export with a read replica', () => {
  it('reads its rows on the replica once it has caught up, and on the primary when it cannot (never a stale file)', { timeout: 120_000 }, async () => {
    await until(async () => app!.reads.status(), (s) => s.readsGoTo === 'replica', 'the replica measured as usable');
    await insertEntries(10, 'replica_a');
    const before = await replicaScans();
    expect(await exportRows()).toBe(10);
    await until(replicaScans, (n) => n > before, "the replica's own scans of timeline_entries to count the export");
    expect(await fallbacks('not_caught_up')).toBe(0);

    await cluster!.replica(`SELECT pg_wal_replay_pause()`);
    await until(() => cluster!.replica<{ s: string }>(`SELECT pg_get_wal_replay_pause_state() AS s`), (r) => r[0]!.s === 'paused', 'replay paused');
    await insertEntries(5, 'replica_b');
    // The replica cannot have these 5: the file has them, so the primary answered.
    expect(await exportRows()).toBe(15);
    expect(await fallbacks('not_caught_up')).toBe(1);
    await cluster!.replica(`SELECT pg_wal_replay_resume()`);
  });
});
