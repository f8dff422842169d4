// The relay's one job per claim and routed queue, against real PostgreSQL and Redis: consumers
// (startWorker) still see one event per job; an item that fails is retried alone; the sweep re-adds
// a claim's job Redis lost, whole; rows claimed before job_key keep their per-row jobs. Each test
// has its own queue prefix; Redis loss is simulated by obliterating this test's queues.
import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { createLogger, currentRequestId, runWithRequestContext } from '../src/logging/index.js';
import {
  addOutboxJobKeySql,
  addToOutbox,
  createOutboxTableSql,
  dropOutboxTableSql,
  outboxBatchJobId,
  outboxJobId,
  OutboxRelay,
  type OutboxJobData,
  type OutboxRelayOptions,
} from '../src/outbox/index.js';
import { createRedis, startWorker, summarizeJobData } from '../src/queue/index.js';

const env = testEnv();
const schema = `t_outbox_b_${randomBytes(4).toString('hex')}`;
const logger = createLogger('outbox-batch-test', 'silent');
const routes = { 'order.*': ['orders'], 'order.paid': ['books'] };

let dataSource: DataSource;
const redis = createRedis(env.redisUrl);
const workerConnection = createRedis(env.redisUrl, { forBullmqWorker: true });
let prefix: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  dataSource = new DataSource({ type: 'postgres', url: env.databaseUrl, synchronize: false, entities: [] });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  for (const sql of [...createOutboxTableSql(schema), ...addOutboxJobKeySql(schema)]) await dataSource.query(sql);
});

afterAll(async () => {
  redis.disconnect();
  workerConnection.disconnect();
  if (!dataSource?.isInitialized) return;
  for (const sql of dropOutboxTableSql(schema)) await dataSource.query(sql);
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await dataSource.destroy();
});

beforeEach(async () => {
  prefix = `${env.queuePrefix}-${randomBytes(4).toString('hex')}`;
  await dataSource.query(`UPDATE "${schema}".outbox SET published_at = now(), delivered_at = now()`);
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function relay(overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const r = new OutboxRelay({ dataSource, schema, redis, queuePrefix: prefix, logger, routes, pubsubChannel: () => null, sweepAfterMs: 0, ...overrides });
  cleanups.push(() => r.stop());
  return r;
}

function queue(name: string): Queue {
  const q = new Queue(name, { connection: redis, prefix });
  cleanups.push(async () => {
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  });
  return q;
}

/** A worker on `name` recording each job it is handed: the data, name, id, attempts and request id it saw. */
function worker(name: string, process: (job: Job<OutboxJobData>) => Promise<unknown> = async () => 'ok', concurrency = 1) {
  const seen: Array<{ outboxId: string; name: string; id: string | undefined; attemptsMade: number; requestId: string | undefined }> = [];
  const w = startWorker<OutboxJobData>({
    name,
    prefix,
    connection: workerConnection,
    logger,
    concurrency,
    processor: async (job) => {
      seen.push({ outboxId: job.data.outboxId, name: job.name, id: job.id, attemptsMade: job.attemptsMade, requestId: currentRequestId() });
      return process(job);
    },
  });
  cleanups.push(() => w.close());
  return seen;
}

/** Rows committed in one transaction, each in its own request (its request id `req-<i>`), in order. */
async function commit(...topics: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, topic] of topics.entries()) {
    ids.push(await runWithRequestContext({ requestId: `req-${i}` }, () => addToOutbox(dataSource.manager, schema, { topic, aggregateId: `o_${i}`, payload: { n: i } })));
  }
  return ids;
}

const row = async (id: string) => (await dataSource.query(`SELECT * FROM "${schema}".outbox WHERE id = $1`, [id]))[0];
const batchIds = (job: Job | undefined) => (job?.data.batch as OutboxJobData[] | undefined)?.map((i) => i.outboxId);

describe('OutboxRelay batch jobs', () => {
  it('adds one job per routed queue for a claim of N rows; the worker hands each row over once, in order, as a job of its own', async () => {
    const ids = await commit('order.created', 'order.paid', 'order.created', 'order.paid', 'order.shipped');
    const r = relay();
    expect(await r.publishPendingNow()).toBe(5);
    for (const id of ids) expect((await row(id)).job_key).toBe(ids[0]);
    const orders = queue('orders');
    const books = queue('books');
    expect(await orders.getJobCounts('waiting')).toEqual({ waiting: 1 });
    expect(await books.getJobCounts('waiting')).toEqual({ waiting: 1 });
    const jobId = outboxBatchJobId(schema, ids[0]!);
    expect(batchIds(await orders.getJob(jobId))).toEqual(ids);
    expect(batchIds(await books.getJob(jobId))).toEqual([ids[1], ids[3]]);
    expect((await books.getJob(jobId))?.name).toBe('order.paid x2');

    const seenOrders = worker('orders');
    const seenBooks = worker('books');
    await vi.waitFor(async () => expect(await orders.getJobState(jobId)).toBe('completed'), { timeout: 15_000 });
    await vi.waitFor(async () => expect(await books.getJobState(jobId)).toBe('completed'), { timeout: 15_000 });
    expect(seenOrders.map((s) => s.outboxId)).toEqual(ids);
    // Each item in its own request context, named by its topic (as a per-row job was).
    expect(seenOrders.map((s) => s.requestId)).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
    expect(seenOrders.map((s) => s.name)).toEqual(['order.created', 'order.paid', 'order.created', 'order.paid', 'order.shipped']);
    expect(seenOrders.every((s) => s.id === jobId && s.attemptsMade === 0)).toBe(true);
    expect(seenBooks.map((s) => s.outboxId)).toEqual([ids[1], ids[3]]);

    expect(await r.sweepNow()).toEqual({ requeued: 0, delivered: 5 });
    for (const id of ids) expect((await row(id)).delivered_at).not.toBeNull();
  });

  it('an item that fails is retried alone: the ones before and after it are not run again', async () => {
    const ids = await commit('order.created', 'order.created', 'order.created', 'order.created', 'order.created');
    await relay().publishPendingNow();
    const orders = queue('orders');
    const jobId = outboxBatchJobId(schema, ids[0]!);
    let failures = 0;
    const seen = worker('orders', async (job) => {
      if (job.data.outboxId === ids[2] && failures++ === 0) throw new Error('the middle one fails once');
      return job.data.outboxId;
    });
    await vi.waitFor(async () => expect(await orders.getJobState(jobId)).toBe('completed'), { timeout: 20_000 });
    expect(seen.map((s) => s.outboxId)).toEqual([...ids, ids[2]]);
    // The retry's attempt count is the failed item's own.
    expect(seen.map((s) => s.attemptsMade)).toEqual([0, 0, 0, 0, 0, 1]);
    const job = await orders.getJob(jobId);
    // One failure, then the completion (BullMQ counts both).
    expect(job?.attemptsMade).toBe(2);
    expect(batchIds(job)).toEqual([ids[2]]);
  });

  it('a worker of concurrency n runs up to n items at once, across its batch jobs, as it ran n per-row jobs', async () => {
    const first = await commit(...Array.from({ length: 6 }, () => 'order.created'));
    await relay().publishPendingNow();
    const second = await commit(...Array.from({ length: 6 }, () => 'order.created'));
    await relay().publishPendingNow();
    const orders = queue('orders');
    let inFlight = 0;
    let most = 0;
    const seen = worker(
      'orders',
      async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight -= 1;
      },
      3,
    );
    for (const key of [first[0]!, second[0]!]) await vi.waitFor(async () => expect(await orders.getJobState(outboxBatchJobId(schema, key))).toBe('completed'), { timeout: 20_000 });
    expect(seen.map((s) => s.outboxId).sort()).toEqual([...first, ...second].sort());
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('an item that met the database away: the job keeps it and the rest, goes back to waiting without an attempt, and resumes there', async () => {
    const ids = await commit('order.created', 'order.created', 'order.created', 'order.created');
    await relay().publishPendingNow();
    const orders = queue('orders');
    const jobId = outboxBatchJobId(schema, ids[0]!);
    let refused = false;
    const seen = worker('orders', async (job) => {
      if (job.data.outboxId === ids[1] && !refused) {
        refused = true;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      }
    });
    await vi.waitFor(async () => expect(await orders.getJobState(jobId)).toBe('completed'), { timeout: 20_000 });
    expect(seen.map((s) => s.outboxId)).toEqual([ids[0], ids[1], ids[1], ids[2], ids[3]]);
    // The completion only: going back to waiting used no attempt.
    expect((await orders.getJob(jobId))?.attemptsMade).toBe(1);
    expect(seen.map((s) => s.attemptsMade)).toEqual([0, 0, 0, 0, 0]);
  });

  it('items that failed for good stay in the failed job alone (unrecoverable: at once), the others done', async () => {
    const ids = await commit('order.created', 'order.created', 'order.created');
    await relay().publishPendingNow();
    const orders = queue('orders');
    const jobId = outboxBatchJobId(schema, ids[0]!);
    const seen = worker('orders', async (job) => {
      if (job.data.outboxId === ids[1]) throw new UnrecoverableError('not an order');
    });
    await vi.waitFor(async () => expect(await orders.getJobState(jobId)).toBe('failed'), { timeout: 15_000 });
    expect(seen.map((s) => s.outboxId)).toEqual(ids);
    const job = await orders.getJob(jobId);
    expect(batchIds(job)).toEqual([ids[1]]);
    // What an operator's failed-jobs listing shows of it: the event left, by its ids and topic.
    // One event left: listed as that event, as a per-row job was.
    expect(summarizeJobData(job?.data)).toEqual({ outboxId: ids[1], topic: 'order.created', aggregateId: 'o_1', requestId: 'req-1' });
  });

  it('the sweep re-adds a claim job Redis lost with every pending row of the claim, even across sweep batches, then delivers', async () => {
    const ids = await commit('order.created', 'order.paid', 'order.created');
    await relay().publishPendingNow();
    const orders = queue('orders');
    const books = queue('books');
    await orders.obliterate({ force: true });
    const jobId = outboxBatchJobId(schema, ids[0]!);
    // A sweep of 2 rows a batch: the claim's third row is in its second batch.
    const sweeper = relay({ batchSize: 2 });
    // The first batch's rows re-add the claim's job, with all three; the second batch's row finds it there.
    expect(await sweeper.sweepNow()).toEqual({ requeued: 2, delivered: 0 });
    expect(batchIds(await orders.getJob(jobId))).toEqual(ids);
    expect(batchIds(await books.getJob(jobId))).toEqual([ids[1]]);
    expect(await Promise.all(ids.map(async (id) => (await row(id)).attempts))).toEqual([2, 2, 1]);

    const seen = worker('orders');
    worker('books');
    await vi.waitFor(async () => expect(await orders.getJobState(jobId)).toBe('completed'), { timeout: 15_000 });
    await vi.waitFor(async () => expect(await books.getJobState(jobId)).toBe('completed'), { timeout: 15_000 });
    expect(seen.map((s) => s.outboxId)).toEqual(ids);
    expect(await sweeper.sweepNow()).toEqual({ requeued: 0, delivered: 3 });
  });

  it('rows whose job is there but not done are looked at again sweepAfterMs later, not at every sweep', async () => {
    const ids = await commit('order.created', 'order.created');
    await relay().publishPendingNow();
    queue('orders');
    await dataSource.query(`UPDATE "${schema}".outbox SET published_at = now() - interval '2 minutes' WHERE id = ANY($1::bigint[])`, [ids]);
    const before = (await row(ids[0]!)).published_at as Date;
    const r = relay({ sweepAfterMs: 60_000 });
    expect(await r.sweepNow()).toEqual({ requeued: 0, delivered: 0 });
    for (const id of ids) {
      const after = await row(id);
      expect(after.published_at.getTime()).toBeGreaterThan(before.getTime() + 60_000);
      expect(after.delivered_at).toBeNull();
    }
  });

  it('a row claimed before job_key: its per-row job (already in Redis) is still consumed, re-added if lost, and the row delivered', async () => {
    const [id] = await commit('order.paid');
    // What the relay before job_key left: the row published with no key, its own job in each queue.
    await dataSource.query(`UPDATE "${schema}".outbox SET published_at = now(), attempts = 1 WHERE id = $1`, [id]);
    const old: OutboxJobData = { outboxId: id!, schema, topic: 'order.paid', aggregateId: 'o_0', payload: { n: 0 }, createdAt: new Date().toISOString(), requestId: 'req-old' };
    const orders = queue('orders');
    const books = queue('books');
    await orders.add('order.paid', old, { jobId: outboxJobId(schema, id!) });
    const r = relay();
    // Redis lost the books job: re-added as the same per-row job.
    expect(await r.sweepNow()).toEqual({ requeued: 1, delivered: 0 });
    expect((await books.getJob(outboxJobId(schema, id!)))?.data).toMatchObject({ outboxId: id, topic: 'order.paid' });
    expect(await books.getJob(outboxBatchJobId(schema, id!))).toBeUndefined();

    const seenOrders = worker('orders');
    const seenBooks = worker('books');
    await vi.waitFor(async () => expect(await orders.getJobState(outboxJobId(schema, id!))).toBe('completed'), { timeout: 15_000 });
    await vi.waitFor(async () => expect(await books.getJobState(outboxJobId(schema, id!))).toBe('completed'), { timeout: 15_000 });
    expect(seenOrders).toEqual([{ outboxId: id, name: 'order.paid', id: outboxJobId(schema, id!), attemptsMade: 0, requestId: 'req-old' }]);
    expect(seenBooks.map((s) => s.outboxId)).toEqual([id]);
    expect(await r.sweepNow()).toEqual({ requeued: 0, delivered: 1 });
  });
});
