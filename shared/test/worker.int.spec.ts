// startWorker against real Redis: a job that meets PostgreSQL or Redis unavailable goes back to
// waiting without using an attempt, and runs again about a second later.
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { createLogger } from '../src/logging/index.js';
import { createRedis, INFRASTRUCTURE_PAUSE_MS, startWorker } from '../src/queue/index.js';

const env = testEnv();
const prefix = `${env.queuePrefix}-w${randomBytes(3).toString('hex')}`;
const connection = createRedis(env.redisUrl, { forBullmqWorker: true });
const queue = new Queue('infra-pause', { connection, prefix });
const events = new QueueEvents('infra-pause', { connection: { url: env.redisUrl }, prefix });

beforeAll(() => events.waitUntilReady());
afterAll(async () => {
  await events.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  connection.disconnect();
});

/** A worker on the test's queue, running `processor`. */
const worker = (processor: () => Promise<string>) =>
  startWorker<{ n: number }, string>({ name: 'infra-pause', prefix, connection, logger: createLogger('test', 'silent'), processor });

describe('startWorker', () => {
  it('puts a job that met the database away back to waiting, without using an attempt, and runs it after a pause', async () => {
    const runs: number[] = [];
    const w = worker(async () => {
      runs.push(Date.now());
      if (runs.length <= 2) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return 'done';
    });
    try {
      // One attempt only: a counted failure would put it in the failed set for good.
      const job = await queue.add('j', { n: 1 }, { attempts: 1 });
      expect(await job.waitUntilFinished(events, 15_000)).toBe('done');
      expect(runs).toHaveLength(3);
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(INFRASTRUCTURE_PAUSE_MS - 50);
      expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
    } finally {
      await w.close();
    }
  });

  it('fails any other error as an attempt, as before', async () => {
    const w = worker(async () => {
      throw new Error('a bug');
    });
    try {
      const job = await queue.add('j', { n: 2 }, { attempts: 1 });
      await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow('a bug');
      expect(await (await queue.getJob(job.id!))?.isFailed()).toBe(true);
    } finally {
      await w.close();
    }
  });
});
