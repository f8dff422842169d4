// The read replica's check in a subgraph's operations health (replica-health.ts) when
// DATABASE_READ_URL does not name a usable standby: the primary itself (not in recovery) and a
// port nothing listens on. Both `degraded` with BI reads on the primary, never `down`. A real
// standby (ok, lag, then stopped): test/e2e/read-replica-health.e2e.spec.ts.
import { createServer } from 'node:net';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createDataSource, ReadPool, replicaHealthProbe } from '../src/index.js';
import { testEnv } from '../../test/support/env.js';

const env = testEnv();
const settings = { url: env.databaseUrl, maxLagSeconds: 30, checkIntervalMs: 60_000 };
const pools: ReadPool[] = [];

function pool(replicaUrl: string): ReadPool {
  const ds = (url: string) => createDataSource({ url, schema: 'public', entities: [], migrations: [], poolSize: 1, readOnly: true });
  const p = new ReadPool({ primary: ds(env.databaseUrl), replica: ds(replicaUrl), settings: { ...settings, url: replicaUrl }, logger: pino({ level: 'silent' }) });
  pools.push(p);
  return p;
}

/** A port that was free a moment ago (nothing listens there). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

afterAll(async () => {
  for (const p of pools) {
    await p.close();
    if (p.primary.isInitialized) await p.primary.destroy();
  }
});

describe('the read replica check', () => {
  it('DATABASE_READ_URL naming the primary itself: degraded (not a standby), reads on the primary', async () => {
    const p = pool(env.databaseUrl);
    await p.primary.initialize();
    const report = await replicaHealthProbe(p)();
    expect(report).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/read replica not_a_standby .*BI reads on the primary/) });
    expect(report.data).toMatchObject({ state: 'not_a_standby', reachable: false, reads_go_to: 'primary', lag_seconds: null, last_replayed_commit_age_seconds: null });
  });

  it('DATABASE_READ_URL on a port nothing listens on: degraded (unreachable), reads on the primary', async () => {
    const p = pool(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
    await p.primary.initialize();
    const report = await replicaHealthProbe(p)();
    expect(report).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/read replica unreachable .*BI reads on the primary/) });
    expect(report.data).toMatchObject({ state: 'unreachable', reachable: false, reads_go_to: 'primary', lag_bytes: null });
  });
});
