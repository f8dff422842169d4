// The operator side of the queues against real Redis: worker heartbeats (a beat within the age
// is alive, a stopped or silent process is not), the queue registry (workers started under a
// package's startingWorkersOf are its, others are nobody's), and the shared QueueAdmin (counts,
// failed jobs page by page with a stable cursor, replay of one and of all, long-running jobs).
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { createLogger } from '../src/logging/index.js';
import {
  createRedis,
  QueueAdmin,
  QueueAdminInputError,
  readQueueRegistry,
  readWorkerBeats,
  startingWorkersOf,
  startWorker,
  summarizeJobData,
  WorkerHeartbeat,
  workerQueuesOf,
} from '../src/queue/index.js';

const env = testEnv();
const logger = createLogger('test', 'silent');
const prefix = `${env.queuePrefix}-ops${randomBytes(3).toString('hex')}`;
const redis = createRedis(env.redisUrl);
const workerConnection = createRedis(env.redisUrl, { forBullmqWorker: true });
const closers: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  redis.disconnect();
  workerConnection.disconnect();
});

const until = async <T>(read: () => Promise<T | undefined>, what: string): Promise<T> => {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('worker heartbeats and the queue registry', () => {
  it('records the queues a package starts, beats, and is missing once stopped or silent', async () => {
    const w = await startingWorkersOf('pkg-a', async () => startWorker({ name: 'hb-a', prefix, connection: workerConnection, logger, processor: async () => 'ok' }));
    closers.push(() => w.close());
    const other = startWorker({ name: 'hb-nobody', prefix, connection: workerConnection, logger, processor: async () => 'ok' });
    closers.push(() => other.close());
    expect(workerQueuesOf(prefix, 'pkg-a')).toEqual(['hb-a']);

    const beat = new WorkerHeartbeat({ redis, prefix, packageName: 'pkg-a', queues: () => workerQueuesOf(prefix, 'pkg-a'), logger });
    await beat.start();
    expect(await readQueueRegistry(redis, prefix)).toEqual({ 'hb-a': 'pkg-a' });
    const [a, b] = await readWorkerBeats(redis, prefix, ['pkg-a', 'pkg-b']);
    expect(a).toMatchObject({ packageName: 'pkg-a', alive: true, liveProcesses: 1 });
    expect(b).toEqual({ packageName: 'pkg-b', alive: false, lastBeatAt: null, liveProcesses: 0 });
    // A process that stopped beating (killed) is missing once its last beat is older than the age.
    const later = Date.now() + 31_000;
    expect((await readWorkerBeats(redis, prefix, ['pkg-a'], 30_000, later))[0]).toMatchObject({ alive: false, liveProcesses: 0 });
    // A clean stop leaves at once; the registry stays (the queues are still there to look at).
    await beat.stop();
    expect((await readWorkerBeats(redis, prefix, ['pkg-a']))[0]).toMatchObject({ alive: false });
    expect(await readQueueRegistry(redis, prefix)).toEqual({ 'hb-a': 'pkg-a' });
  });
});

describe('QueueAdmin', () => {
  const name = 'ops-admin';
  const admin = new QueueAdmin({ connection: redis, prefix, logger });
  const queue = new Queue(name, { connection: redis, prefix });
  const events = new QueueEvents(name, { connection: { url: env.redisUrl }, prefix });
  closers.push(() => admin.close(), () => queue.close(), () => events.close());
  let failNext = true;

  it('lists failed jobs newest first, page by page, and replays one and all', async () => {
    const worker = startWorker<{ n: number; orderId: string; email: string }, string>({
      name,
      prefix,
      connection: workerConnection,
      logger,
      concurrency: 1,
      processor: async (job) => {
        if (failNext) throw new Error(`rejected ${job.data.n}`);
        return 'done';
      },
    });
    closers.push(() => worker.close());
    await events.waitUntilReady();
    const jobs: Job[] = [];
    for (let n = 0; n < 5; n++) {
      const job = await queue.add('op', { n, orderId: `ord_${n}`, email: 'buyer@example.com' }, { attempts: 1 });
      await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(`rejected ${n}`);
      jobs.push(job);
    }
    expect((await admin.counts([name]))[0]).toMatchObject({ queue: name, failed: 5, waiting: 0, active: 0 });

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await admin.failed(name, 2, after);
      seen.push(...page.jobs.map((j) => j.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
      // A failure arriving between pages goes first: the pages after the cursor do not move.
      if (seen.length === 2) {
        const late = await queue.add('op', { n: 9, orderId: 'ord_9', email: 'x@example.com' }, { attempts: 1 });
        await expect(late.waitUntilFinished(events, 10_000)).rejects.toThrow();
      }
    }
    expect(seen).toEqual(jobs.map((j) => String(j.id)).reverse());
    const first = (await admin.failed(name, 1)).jobs[0]!;
    expect(first).toMatchObject({ queue: name, name: 'op', failedReason: 'rejected 9', attemptsMade: 1, attempts: 1, data: { orderId: 'ord_9' } });
    expect(first.data).not.toHaveProperty('email');
    expect(first.failedAt).toBeInstanceOf(Date);
    await expect(admin.failed(name, 2, 'not-a-cursor')).rejects.toBeInstanceOf(QueueAdminInputError);

    failNext = false;
    expect(await admin.replay(name, String(jobs[0]!.id))).toBe('replayed');
    await expect.poll(async () => (await queue.getJob(String(jobs[0]!.id)))?.returnvalue, { timeout: 10_000 }).toBe('done');
    expect(await admin.replay(name, String(jobs[0]!.id))).toBe('not_failed');
    expect(await admin.replay(name, 'no-such-job')).toBe('not_found');
    expect(await admin.replayAll(name)).toEqual({ replayed: 5, remaining: 0 });
    await expect.poll(async () => (await admin.counts([name]))[0]!.completed, { timeout: 10_000 }).toBe(6);
  });

  it('finds the jobs active for long', async () => {
    const slow = 'ops-slow';
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const worker = startWorker({ name: slow, prefix, connection: workerConnection, logger, processor: () => released.then(() => 'ok') });
    closers.push(() => worker.close());
    const slowQueue = new Queue(slow, { connection: redis, prefix });
    closers.push(() => slowQueue.close());
    const job = await slowQueue.add('finalize', { checkoutId: 'cs_1' });
    const found = await until(async () => (await admin.longRunning([slow, name], 0)).find((j) => j.id === job.id), 'an active job');
    expect(found).toMatchObject({ queue: slow, name: 'finalize', attemptsMade: 0 });
    expect(found.startedAt).toBeInstanceOf(Date);
    expect(await admin.longRunning([slow], 3_600_000)).toEqual([]);
    release();
  });

  it('summarizes job data to its ids and topics', () => {
    expect(summarizeJobData({ topic: 'psp_event.refunded', requestId: 'r1', payload: { merchantId: 'm1', amountMinor: 5, email: 'a@b.c', metadata: { x: 1 } } })).toEqual({
      topic: 'psp_event.refunded',
      requestId: 'r1',
      payload: { merchantId: 'm1' },
    });
    expect(summarizeJobData(null)).toEqual({});
  });
});
