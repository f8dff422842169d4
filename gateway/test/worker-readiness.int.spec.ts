// Readiness includes the packages' workers (API.md, Operations): each package's worker process
// beats (shared/src/queue/worker-heartbeat.ts, started by defineSubgraph's startWorkers) and the
// gateway's /health/ready is 503 naming `<package>-worker` while none of that package's processes
// beat within WORKER_HEARTBEAT_MAX_AGE_MS; it recovers when the worker starts again. Here the
// stack starts without workers, readiness requiring them all, and the test starts and stops them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { startTestHandoff } from '../../test/support/handoff.js';
import { getRaw } from './support/http.js';

const PACKAGES = ['merchant', 'checkout-session', 'payment-intent', 'conversion-ledger'];
let handoff: RunningHandoff;
const workers = new Map<string, { close(): Promise<void> }>();

beforeAll(async () => {
  handoff = await startTestHandoff({ workers: false, extraEnv: { READINESS_WORKERS: 'all' } });
}, 120_000);
afterAll(async () => {
  for (const w of workers.values()) await w.close().catch(() => undefined);
  await handoff?.stop();
});

const ready = () => getRaw(`${handoff.gatewayUrl}/health/ready`);
const start = async (name: string) => workers.set(name, await handoff.subgraphs.find((s) => s.name === name)!.app.startWorkers());
const stop = async (name: string) => {
  await workers.get(name)!.close();
  workers.delete(name);
};

describe('readiness and the workers', () => {
  it('503 naming every package whose worker has not beaten, 200 once all run', async () => {
    const none = await ready();
    expect(none.status).toBe(503);
    expect(none.json.failing).toEqual(PACKAGES.map((p) => `${p}-worker`));
    expect(none.json.dependencies).toMatchObject({ merchant: 'up', 'merchant-worker': 'down' });

    for (const p of PACKAGES) await start(p);
    const all = await ready();
    expect([all.status, all.json.failing]).toEqual([200, []]);
    expect(all.json.dependencies).toEqual(Object.fromEntries([...PACKAGES.map((p) => [p, 'up']), ...PACKAGES.map((p) => [`${p}-worker`, 'up'])]));
  });

  it('a stopped worker makes readiness fail naming it, and it recovers when the worker is back', async () => {
    await stop('conversion-ledger');
    const down = await ready();
    expect([down.status, down.json.failing]).toEqual([503, ['conversion-ledger-worker']]);
    expect((await getRaw(`${handoff.gatewayUrl}/health/live`)).status).toBe(200);

    await start('conversion-ledger');
    const back = await ready();
    expect([back.status, back.json.failing]).toEqual([200, []]);
  });
});
