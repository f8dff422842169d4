// The outbox and its relay against real PostgreSQL and Redis. Each test has its own queue
// prefix; the shared Redis is never flushed (other runs use it), Redis loss is simulated by
// obliterating this test's queues.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { createLogger, currentRequestId, runWithRequestContext } from '../src/logging/index.js';
import {
  addAllToOutbox,
  addOutboxJobKeySql,
  addToOutbox,
  changeWithEvent,
  createOutboxTableSql,
  dropOutboxTableSql,
  outboxBatchJobId,
  OutboxRelay,
  routedQueues,
  type OutboxJobData,
  type OutboxRelayOptions,
} from '../src/outbox/index.js';
import { createRedis, startWorker } from '../src/queue/index.js';

const env = testEnv();
const schema = `t_outbox_${randomBytes(4).toString('hex')}`;
const logger = createLogger('outbox-test', 'silent');
const routes = { 'payment_intent.*': ['pi-events'], 'payment_intent.succeeded': ['ledger'], '*': [] };
const channelName = (s: string) => `${s}-events`;

let dataSource: DataSource;
let redis: Redis;
let subscriber: Redis;
let prefix: string;
let channel: string;
let messages: OutboxJobData[];
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeAll(async () => {
  dataSource = new DataSource({ type: 'postgres', url: env.databaseUrl, synchronize: false, entities: [] });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  for (const sql of [...createOutboxTableSql(schema), ...addOutboxJobKeySql(schema)]) await dataSource.query(sql);
  redis = createRedis(env.redisUrl);
  subscriber = createRedis(env.redisUrl);
});

afterAll(async () => {
  redis?.disconnect();
  subscriber?.disconnect();
  if (!dataSource?.isInitialized) return;
  for (const sql of dropOutboxTableSql(schema)) await dataSource.query(sql);
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await dataSource.destroy();
});

beforeEach(async () => {
  prefix = `${env.queuePrefix}-${randomBytes(4).toString('hex')}`;
  channel = channelName(prefix);
  messages = [];
  await subscriber.subscribe(channel);
  subscriber.removeAllListeners('message');
  subscriber.on('message', (ch: string, msg: string) => {
    if (ch === channel) messages.push(JSON.parse(msg));
  });
  // Rows from earlier tests must not leak into this test's counts.
  await dataSource.query(`UPDATE "${schema}".outbox SET published_at = now(), delivered_at = now()`);
});

afterEach(async () => {
  await subscriber.unsubscribe(channel);
  while (cleanups.length) await cleanups.pop()!();
});

function relay(overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const options: OutboxRelayOptions = { dataSource, schema, redis, queuePrefix: prefix, logger, routes, pubsubChannel: () => channel, sweepAfterMs: 0 };
  // By descriptor, not by spread: an override may be a getter (as defineSubgraph passes its routes).
  const r = new OutboxRelay(Object.defineProperties(options, Object.getOwnPropertyDescriptors(overrides)));
  cleanups.push(() => r.stop());
  return r;
}

function queue(name: string): Queue {
  const q = new Queue(name, { connection: redis, prefix });
  cleanups.push(() => q.close());
  return q;
}

async function commitEvents(...topics: string[]): Promise<string[]> {
  return dataSource.transaction((m) =>
    Promise.all(topics.map((topic, i) => addToOutbox(m, schema, { topic, aggregateId: `pi_${i}`, payload: { amount: 100 + i } }))),
  );
}

async function outboxRow(id: string) {
  const [row] = await dataSource.query(`SELECT * FROM "${schema}".outbox WHERE id = $1`, [id]);
  return row;
}

// The job of a claim (one per routed queue) is named by the claim's smallest row id: a row claimed
// alone, or first, names it.
const jobId = (key: string) => outboxBatchJobId(schema, key);

describe('routedQueues', () => {
  it('matches exact topics, prefixes ending in .* and *', () => {
    const r = { 'payment_intent.*': ['a'], 'payment_intent.succeeded': ['b', 'a'], '*': ['c'], 'merchant.created': ['d'] };
    expect(routedQueues(r, 'payment_intent.succeeded')).toEqual(['a', 'b', 'c']);
    expect(routedQueues(r, 'payment_intentX')).toEqual(['c']);
    expect(routedQueues({}, 'x')).toEqual([]);
  });
});

describe('changeWithEvent', () => {
  const rows = (topic: string) => dataSource.query(`SELECT aggregate_id, payload, request_id FROM "${schema}".outbox WHERE topic = $1`, [topic]);
  beforeAll(async () => {
    await dataSource.query(`CREATE TABLE "${schema}".things (id text PRIMARY KEY, version integer NOT NULL)`);
    await dataSource.query(`CREATE TABLE "${schema}".parts (thing_id text NOT NULL, n integer NOT NULL CHECK (n > 0))`);
  });
  // The relay's tests count the rows they publish.
  afterAll(() => dataSource.query(`DELETE FROM "${schema}".outbox WHERE topic LIKE 'thing.%'`));

  it('writes the change, its other writes and one event per row written, in one statement', async () => {
    const written = await runWithRequestContext({ requestId: 'req-cwe' }, () =>
      changeWithEvent(
        dataSource.manager,
        schema,
        { sql: `INSERT INTO "${schema}".things (id, version) VALUES ($1, 1)`, params: ['t1'], also: [`INSERT INTO "${schema}".parts (thing_id, n) VALUES ($1, 1), ($1, 2)`] },
        { topic: 'thing.created', aggregateId: 't1', payload: { thing: { id: 't1' } } },
      ),
    );
    expect(written).toBe(1);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".parts WHERE thing_id = 't1'`)).toEqual([{ n: 2 }]);
    expect(await rows('thing.created')).toEqual([{ aggregate_id: 't1', payload: { thing: { id: 't1' } }, request_id: 'req-cwe' }]);
  });

  it('writes several events of one change in the order given, by the same statement, none when it wrote nothing', async () => {
    const events = [
      { topic: 'thing.multi', aggregateId: 't3', payload: { n: 1 } },
      { topic: 'thing.multi_webhook', aggregateId: 'merchant_1', payload: { n: 2, text: 'quote \' and "' } },
    ];
    const insert = (id: string) =>
      runWithRequestContext({ requestId: 'req-multi' }, () =>
        changeWithEvent(dataSource.manager, schema, { sql: `INSERT INTO "${schema}".things (id, version) VALUES ($1, 1) ON CONFLICT DO NOTHING`, params: [id] }, events),
      );
    expect(await insert('t3')).toBe(1);
    expect(await insert('t3')).toBe(0);
    const written = await dataSource.query(
      `SELECT topic, aggregate_id, payload, request_id, created_at FROM "${schema}".outbox WHERE topic LIKE 'thing.multi%' ORDER BY id`,
    );
    expect(written.map((r: { topic: string; aggregate_id: string; payload: unknown; request_id: string }) => [r.topic, r.aggregate_id, r.payload, r.request_id])).toEqual([
      ['thing.multi', 't3', { n: 1 }, 'req-multi'],
      ['thing.multi_webhook', 'merchant_1', { n: 2, text: 'quote \' and "' }, 'req-multi'],
    ]);
    // One transaction: the same now().
    expect(written[0].created_at).toEqual(written[1].created_at);
  });

  it('addAllToOutbox writes several events in one INSERT, in order, in the caller’s transaction', async () => {
    const ids = await runWithRequestContext({ requestId: 'req-all' }, () =>
      dataSource.transaction((m) =>
        addAllToOutbox(m, schema, [
          { topic: 'thing.all_first', aggregateId: 'a1', payload: { n: 1 } },
          { topic: 'thing.all_second', aggregateId: 'merchant_1', payload: { n: 2 } },
        ]),
      ),
    );
    expect(ids).toHaveLength(2);
    const written = await dataSource.query(`SELECT id::text AS id, topic, payload, request_id FROM "${schema}".outbox WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
    expect(written).toEqual([
      { id: ids[0], topic: 'thing.all_first', payload: { n: 1 }, request_id: 'req-all' },
      { id: ids[1], topic: 'thing.all_second', payload: { n: 2 }, request_id: 'req-all' },
    ]);
    await expect(
      dataSource.transaction(async (m) => {
        await addAllToOutbox(m, schema, [{ topic: 'thing.all_rolled_back', aggregateId: 'a2', payload: {} }]);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await dataSource.query(`SELECT id FROM "${schema}".outbox WHERE topic = 'thing.all_rolled_back'`)).toEqual([]);
  });

  it('writes no event when the change wrote no row (a version guard that missed)', async () => {
    const update = (version: number) =>
      changeWithEvent(
        dataSource.manager,
        schema,
        { sql: `UPDATE "${schema}".things SET version = version + 1 WHERE id = $1 AND version = $2`, params: ['t1', version] },
        { topic: 'thing.updated', aggregateId: 't1', payload: { version: version + 1 } },
      );
    expect(await update(7)).toBe(0);
    expect(await rows('thing.updated')).toEqual([]);
    expect(await update(1)).toBe(1);
    expect((await rows('thing.updated')).map((r: { payload: unknown }) => r.payload)).toEqual([{ version: 2 }]);
  });

  it('writes nothing at all when any of its writes fails', async () => {
    await expect(
      changeWithEvent(
        dataSource.manager,
        schema,
        { sql: `INSERT INTO "${schema}".things (id, version) VALUES ($1, 1)`, params: ['t2'], also: [`INSERT INTO "${schema}".parts (thing_id, n) VALUES ($1, 0)`] },
        { topic: 'thing.created', aggregateId: 't2', payload: {} },
      ),
    ).rejects.toThrow(/check constraint/);
    expect(await dataSource.query(`SELECT id FROM "${schema}".things WHERE id = 't2'`)).toEqual([]);
    expect((await rows('thing.created')).filter((r: { aggregate_id: string }) => r.aggregate_id === 't2')).toEqual([]);
  });
});

describe('OutboxRelay', () => {
  it('publishes nothing for a transaction that rolled back', async () => {
    await expect(
      dataSource.transaction(async (m) => {
        await addToOutbox(m, schema, { topic: 'payment_intent.succeeded', aggregateId: 'pi_x', payload: {} });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await relay().publishPendingNow()).toBe(0);
    expect(await queue('pi-events').getJobCounts()).toMatchObject({ waiting: 0, completed: 0 });
    expect(messages).toEqual([]);
  });

  it('publishes committed rows as jobs with deterministic ids and a pub/sub message', async () => {
    const [id] = await commitEvents('payment_intent.succeeded');
    const r = relay();
    expect(await r.publishPendingNow()).toBe(1);
    for (const name of ['pi-events', 'ledger']) {
      const job = await queue(name).getJob(jobId(id!));
      expect(job?.name).toBe('payment_intent.succeeded');
      expect(job?.data.batch).toHaveLength(1);
      expect(job?.data.batch[0]).toMatchObject({ outboxId: id, schema, topic: 'payment_intent.succeeded', aggregateId: 'pi_0', payload: { amount: 100 } });
      expect(job?.opts.attempts).toBe(10);
    }
    await vi.waitFor(() => expect(messages.map((m) => m.outboxId)).toEqual([id]));
    const row = await outboxRow(id!);
    expect(row.published_at).not.toBeNull();
    expect(row.delivered_at).toBeNull();
  });

  it('publishes a batch pipelined but announces it in commit order, across batches', async () => {
    const topics = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? 'payment_intent.succeeded' : i % 3 === 1 ? 'payment_intent.created' : 'merchant.updated'));
    const ids: string[] = [];
    for (let i = 0; i < topics.length; i += 50) ids.push(...(await commitEvents(...topics.slice(i, i + 50))));
    const r = relay();
    expect(await r.publishPendingNow()).toBe(150);
    await vi.waitFor(() => expect(messages).toHaveLength(150));
    expect(messages.map((m) => m.outboxId)).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
    // Two claims (100 rows, then 50): one job per claim and routed queue, with its rows for that queue in id order.
    const sorted = [...ids].sort((a, b) => Number(a) - Number(b));
    for (const [name, topicsThere] of [['ledger', ['payment_intent.succeeded']], ['pi-events', ['payment_intent.succeeded', 'payment_intent.created']]] as const) {
      const jobs = await queue(name).getJobs(['waiting']);
      expect(jobs.map((j) => j.id).sort()).toEqual([jobId(sorted[0]!), jobId(sorted[100]!)].sort());
      const items = jobs.sort((a, b) => Number(a.data.batch[0].outboxId) - Number(b.data.batch[0].outboxId)).flatMap((j) => j.data.batch as OutboxJobData[]);
      expect(items.map((i) => i.outboxId)).toEqual(sorted.filter((_, i) => (topicsThere as readonly string[]).includes(topics[ids.indexOf(sorted[i]!)]!)));
    }
    const [{ unrouted_undelivered: open }] = await dataSource.query(
      `SELECT count(*)::int AS unrouted_undelivered FROM "${schema}".outbox WHERE id = ANY($1::bigint[]) AND topic = 'merchant.updated' AND delivered_at IS NULL`,
      [ids],
    );
    expect(open).toBe(0);
  });

  it('carries the request id of the request that wrote the event into the job and the worker', async () => {
    const [id] = await runWithRequestContext({ requestId: 'req-outbox-test-1' }, () => commitEvents('payment_intent.succeeded'));
    await relay().publishPendingNow();
    const job = await queue('ledger').getJob(jobId(id!));
    expect(job?.data.batch[0].requestId).toBe('req-outbox-test-1');
    const connection = createRedis(env.redisUrl, { forBullmqWorker: true });
    const seenIds: Array<string | undefined> = [];
    const worker = startWorker<OutboxJobData>({
      name: 'ledger',
      prefix,
      connection,
      logger,
      processor: async () => {
        seenIds.push(currentRequestId());
      },
    });
    cleanups.push(async () => {
      await worker.close();
      connection.disconnect();
    });
    await vi.waitFor(() => expect(seenIds).toEqual(['req-outbox-test-1']));
  });

  it('publishing a row twice does not duplicate its jobs', async () => {
    const [id] = await commitEvents('payment_intent.created');
    const r = relay();
    await r.publishPendingNow();
    // As if the first pass's commit had been lost after the jobs were added.
    await dataSource.query(`UPDATE "${schema}".outbox SET published_at = NULL WHERE id = $1`, [id]);
    expect(await r.publishPendingNow()).toBe(1);
    expect(await queue('pi-events').getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('marks rows with no routed queue delivered when published', async () => {
    const [id] = await commitEvents('merchant.created');
    expect(await relay().publishPendingNow()).toBe(1);
    expect((await outboxRow(id!)).delivered_at).not.toBeNull();
    await vi.waitFor(() => expect(messages).toHaveLength(1));
  });

  it('decides "routed" as routedQueues does: a catch-all route with a queue leaves every row to its job', async () => {
    const [id] = await commitEvents('merchant.created');
    expect(await relay({ routes: { '*': ['everything'] } }).publishPendingNow()).toBe(1);
    const row = await outboxRow(id!);
    expect(row.published_at).not.toBeNull();
    expect(row.delivered_at).toBeNull();
    expect(await queue('everything').getJob(jobId(id!))).toBeDefined();
  });

  it('notify() runs a publish pass soon, many notifies coalesced', async () => {
    const ids = await commitEvents('payment_intent.created', 'payment_intent.canceled');
    const r = relay();
    for (let i = 0; i < 5; i++) r.notify();
    // published_at is set when a pass claims the rows, just before their jobs are added: wait for both.
    await vi.waitFor(async () => {
      for (const id of ids) expect((await outboxRow(id)).published_at).not.toBeNull();
      // One claim: one job with both rows.
      expect(await queue('pi-events').getJobCounts('waiting')).toEqual({ waiting: 1 });
      expect((await queue('pi-events').getJob(jobId(ids[0]!)))?.data.batch.map((i: OutboxJobData) => i.outboxId)).toEqual(ids);
    });
  });

  it('start(): the timer publishes rows whose notify() was missed', async () => {
    const r = relay({ sweepIntervalMs: 100 });
    r.start();
    const [id] = await commitEvents('payment_intent.created'); // committed, never notified
    // published_at is set when a pass claims the row, just before its job is added.
    await vi.waitFor(async () => expect(await queue('pi-events').getJob(jobId(id!))).toBeDefined());
    expect((await outboxRow(id!)).published_at).not.toBeNull();
  });

  it('sweep re-adds jobs Redis lost, then marks rows delivered once workers complete them', async () => {
    const [id] = await commitEvents('payment_intent.succeeded');
    const r = relay();
    await r.publishPendingNow();
    const pi = queue('pi-events');
    const ledger = queue('ledger');

    // Redis loses everything of this test (a restart without persistence).
    await pi.obliterate({ force: true });
    await ledger.remove(jobId(id!));
    expect(await pi.getJob(jobId(id!))).toBeUndefined();
    messages.length = 0;

    expect(await r.sweepNow()).toEqual({ requeued: 1, delivered: 0 });
    expect(await pi.getJob(jobId(id!))).toBeDefined();
    expect(await ledger.getJob(jobId(id!))).toBeDefined();
    await vi.waitFor(() => expect(messages).toHaveLength(1));
    // Jobs present but not yet processed: nothing to do.
    expect(await r.sweepNow()).toEqual({ requeued: 0, delivered: 0 });

    const seen: string[] = [];
    for (const name of ['pi-events', 'ledger']) {
      const connection = createRedis(env.redisUrl, { forBullmqWorker: true });
      const worker = startWorker<OutboxJobData>({
        name,
        prefix,
        connection,
        concurrency: 1,
        logger,
        processor: async (job) => {
          seen.push(`${name}:${job.data.outboxId}`);
        },
      });
      cleanups.push(async () => {
        await worker.close();
        connection.disconnect();
      });
    }
    await vi.waitFor(async () => {
      expect(await pi.getJobState(jobId(id!))).toBe('completed');
      expect(await ledger.getJobState(jobId(id!))).toBe('completed');
    });
    expect(seen.sort()).toEqual([`ledger:${id}`, `pi-events:${id}`]);
    expect(await r.sweepNow()).toEqual({ requeued: 0, delivered: 1 });
    expect((await outboxRow(id!)).delivered_at).not.toBeNull();
  });

  it('routes handed over after construction (a subgraph passes a getter): a routed row stays open until its job completes', async () => {
    // defineSubgraph builds the relay before the subgraph knows its routes, and passes them through
    // a getter. Routing read at construction was empty: every row was marked delivered at its
    // claim, so a job Redis then lost was never re-added.
    let later: OutboxRelayOptions['routes'] = {};
    const r = relay({
      get routes() {
        return later;
      },
    });
    later = routes;
    const [routed, unrouted] = await commitEvents('payment_intent.succeeded', 'merchant.updated');
    expect(await r.publishPendingNow()).toBe(2);
    expect((await outboxRow(routed!)).delivered_at).toBeNull();
    expect((await outboxRow(unrouted!)).delivered_at).not.toBeNull();

    await queue('pi-events').obliterate({ force: true });
    await queue('ledger').obliterate({ force: true });
    expect(await r.sweepNow()).toEqual({ requeued: 1, delivered: 0 });
    expect(await queue('ledger').getJob(jobId(routed!))).toBeDefined();
  });

  it('a relay that died between its claim and its adds: the sweep adds the jobs', async () => {
    const [id] = await commitEvents('payment_intent.succeeded');
    // What a claim leaves when its process dies before any add: marked published, its key, no job.
    await dataSource.query(`UPDATE "${schema}".outbox SET published_at = now() - interval '1 minute', attempts = 1, job_key = id WHERE id = $1`, [id]);
    const r = relay();
    expect(await r.publishPendingNow()).toBe(0); // not claimed again
    expect(await queue('pi-events').getJob(jobId(id!))).toBeUndefined();
    expect(await r.sweepNow()).toEqual({ requeued: 1, delivered: 0 });
    expect(await queue('pi-events').getJob(jobId(id!))).toBeDefined();
    expect(await queue('ledger').getJob(jobId(id!))).toBeDefined();
  });

  it('while Redis is unreachable: logs, leaves the row unpublished, and a later pass publishes it', async () => {
    const [id] = await commitEvents('payment_intent.created');
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    dead.on('error', () => undefined);
    cleanups.push(() => dead.disconnect());
    const broken = relay({ queueConnection: dead, redisTimeoutMs: 300 });
    expect(await broken.publishPendingNow()).toBe(0);
    const row = await outboxRow(id!);
    expect(row.published_at).toBeNull();
    expect(row.attempts).toBe(1);
    await broken.stop();

    expect(await relay().publishPendingNow()).toBe(1);
    expect(await queue('pi-events').getJob(jobId(id!))).toBeDefined();
  });
});
