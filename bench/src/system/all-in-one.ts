// The idle RSS of the all-in-one process (`npm start` runs `node launcher/dist/all-in-one.js`):
// started on the machine's PostgreSQL (a fresh database of its own) and Redis (its own queue
// prefix), with its defaults otherwise (demo data loaded), on a free gateway port; once it prints
// that it is running, left idle, then sampled. Its subgraphs listen on free ports (no *_PORT set).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@handoff/launcher';
import { ManagedProcess } from '../harness/processes.js';
import { createSharedDatabase, sharedRedis } from '../harness/shared-services.js';
import { percentile, round, rssMiB, sleep } from './measure.js';

export interface AllInOneResult {
  skipped?: string;
  startS?: number;
  idleRssMiB?: number;
  idleRssMaxMiB?: number;
  idleAfterS?: number;
}

export async function measureAllInOneIdle(root: string, idleMs: number, sampleMs: number, log: (line: string) => void): Promise<AllInOneResult> {
  const db = await createSharedDatabase('handoff_bench_aio');
  const prefix = `handoff-bench-aio-${process.pid}-${randomBytes(2).toString('hex')}`;
  const redis = sharedRedis(prefix);
  const dataDir = mkdtempSync(join(tmpdir(), 'handoff-bench-aio-'));
  const port = await freePort();
  const p: ManagedProcess = new ManagedProcess({
    name: 'all-in-one',
    command: process.execPath,
    args: ['launcher/dist/all-in-one.js'],
    cwd: root,
    env: { DATABASE_URL: db.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, PORT: String(port), HANDOFF_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    ready: async () => p.tail(200).includes('Handoff is running'),
    readyTimeoutMs: 120_000,
  });
  try {
    const t0 = Date.now();
    await p.start();
    const startS = round((Date.now() - t0) / 1000);
    log(`  all-in-one running after ${startS} s; idle ${idleMs / 1000} s, then sampling ${sampleMs / 1000} s`);
    await sleep(idleMs);
    const samples: number[] = [];
    for (const end = Date.now() + sampleMs; Date.now() < end; await sleep(200)) {
      const r = rssMiB(p.pid);
      if (r !== undefined) samples.push(r);
    }
    return { startS, idleRssMiB: round(percentile(samples, 50), 0), idleRssMaxMiB: round(Math.max(...samples), 0), idleAfterS: idleMs / 1000 };
  } finally {
    await p.stop('SIGINT', 15_000);
    await Promise.allSettled([db.destroy(), redis.destroy()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
