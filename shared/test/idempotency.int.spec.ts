// IdempotencyStore against real PostgreSQL, in a schema of its own.
import { randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.js';
import { ErrorCode } from '../src/errors/index.js';
import type { Principal } from '../src/identity/principal.js';
import {
  canonicalJson,
  createIdempotencyTableSql,
  dropIdempotencyTableSql,
  IdempotencyStore,
  requestHash,
  type RecordIn,
} from '../src/idempotency/index.js';

const schema = `t_idem_${randomBytes(4).toString('hex')}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: 'key_1', merchantId: 'mer_1' };
const otherMerchant: Principal = { kind: 'MERCHANT', keyId: 'key_2', merchantId: 'mer_2' };

let dataSource: DataSource;
let store: IdempotencyStore;

beforeAll(async () => {
  // 25 connections: 20 concurrent callers each hold one while they wait on the key's lock.
  dataSource = new DataSource({
    type: 'postgres',
    url: testEnv().databaseUrl,
    synchronize: false,
    entities: [],
    extra: { max: 25 },
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  for (const sql of createIdempotencyTableSql(schema)) await dataSource.query(sql);
  store = new IdempotencyStore(dataSource, schema);
});

afterAll(async () => {
  if (!dataSource?.isInitialized) return;
  for (const sql of dropIdempotencyTableSql(schema)) await dataSource.query(sql);
  await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await dataSource.destroy();
});

/** A command whose effect is a row in a side table, so executions can be counted. */
function counter() {
  let calls = 0;
  const exec = async (manager: EntityManager) => {
    calls += 1;
    const [row] = await manager.query(`SELECT gen_random_uuid()::text AS id`);
    return { id: row.id as string, at: calls };
  };
  const codec = {
    toStored: (r: { id: string; at: number }) => r,
    fromStored: async (stored: any) => stored as { id: string; at: number },
  };
  return { exec, codec, calls: () => calls };
}

const key = () => `key-${randomBytes(6).toString('hex')}`;

async function storedCount(k: string): Promise<number> {
  const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM "${schema}".idempotency_keys WHERE key = $1`, [k]);
  return row.n;
}

describe('canonicalJson / requestHash', () => {
  it('ignores object key order at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(requestHash('op', { a: 1, b: 2 })).toBe(requestHash('op', { b: 2, a: 1 }));
    expect(requestHash('op', { a: 1 })).not.toBe(requestHash('other', { a: 1 }));
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});

describe('IdempotencyStore.run', () => {
  it('same key and input: executes once, returns the stored response', async () => {
    const c = counter();
    const k = key();
    const first = await store.run({ principal: merchant, key: k, operation: 'create', input: { a: 1, b: 2 } }, c.exec, c.codec);
    const second = await store.run({ principal: merchant, key: k, operation: 'create', input: { b: 2, a: 1 } }, c.exec, c.codec);
    expect(c.calls()).toBe(1);
    expect(second).toEqual(first);
    expect(await storedCount(k)).toBe(1);
  });

  it('same key, different input or operation: IDEMPOTENCY_KEY_REUSED', async () => {
    const c = counter();
    const k = key();
    await store.run({ principal: merchant, key: k, operation: 'create', input: { a: 1 } }, c.exec, c.codec);
    const reused = (input: unknown, operation = 'create') =>
      store.run({ principal: merchant, key: k, operation, input }, c.exec, c.codec).then(
        () => expect.fail('should have thrown'),
        (err: any) => err,
      );
    expect((await reused({ a: 2 })).extensions.code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    expect((await reused({ a: 1 }, 'update')).extensions.code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    expect(c.calls()).toBe(1);
  });

  it('20 concurrent calls with one key: one execution, one result for all', async () => {
    const c = counter();
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.run({ principal: merchant, key: k, operation: 'create', input: { n: 1 } }, async (m) => {
          const r = await c.exec(m);
          await m.query('SELECT pg_sleep(0.05)'); // widen the race window
          return r;
        }, c.codec),
      ),
    );
    expect(c.calls()).toBe(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await storedCount(k)).toBe(1);
  });

  it('a failing command stores nothing; a retry with the same key runs', async () => {
    const c = counter();
    const k = key();
    const failing = async () => {
      throw new Error('validation failed');
    };
    await expect(store.run({ principal: merchant, key: k, operation: 'create', input: { a: 0 } }, failing, c.codec)).rejects.toThrow(
      'validation failed',
    );
    expect(await storedCount(k)).toBe(0);
    // The corrected retry may even change the input: nothing was stored for the failure.
    const ok = await store.run({ principal: merchant, key: k, operation: 'create', input: { a: 1 } }, c.exec, c.codec);
    expect(c.calls()).toBe(1);
    expect(ok.at).toBe(1);
  });

  it('a response older than 24 hours is forgotten: the command runs again', async () => {
    const c = counter();
    const k = key();
    const opts = { principal: merchant, key: k, operation: 'create', input: { a: 1 } };
    const first = await store.run(opts, c.exec, c.codec);
    await dataSource.query(
      `UPDATE "${schema}".idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`,
      [k],
    );
    const second = await store.run(opts, c.exec, c.codec);
    expect(c.calls()).toBe(2);
    expect(second.id).not.toBe(first.id);
    expect(await storedCount(k)).toBe(1);
  });

  it('keys are scoped to the principal', async () => {
    const c = counter();
    const k = key();
    const a = await store.run({ principal: merchant, key: k, operation: 'create', input: { a: 1 } }, c.exec, c.codec);
    const b = await store.run({ principal: otherMerchant, key: k, operation: 'create', input: { a: 1 } }, c.exec, c.codec);
    expect(c.calls()).toBe(2);
    expect(b.id).not.toBe(a.id);
  });

  it('without a key: just runs in a transaction, every time', async () => {
    const c = counter();
    await store.run({ principal: merchant, key: undefined, operation: 'create', input: {} }, c.exec, c.codec);
    await store.run({ principal: merchant, key: null, operation: 'create', input: {} }, c.exec, c.codec);
    expect(c.calls()).toBe(2);
  });

  it('singleWrite: without a key it runs outside a transaction; with one, in the key\'s transaction', async () => {
    const inTransaction: boolean[] = [];
    const exec = async (manager: EntityManager) => {
      inTransaction.push(manager.queryRunner?.isTransactionActive === true);
      return { id: 'x', at: 0 };
    };
    const codec = counter().codec;
    await store.run({ principal: merchant, key: undefined, operation: 'single', input: {}, singleWrite: true }, exec, codec);
    await store.run({ principal: merchant, key: key(), operation: 'single', input: {}, singleWrite: true }, exec, codec);
    await store.run({ principal: merchant, key: undefined, operation: 'single', input: {} }, exec, codec);
    expect(inTransaction).toEqual([false, true, true]);
  });

  it('rejects malformed keys as BAD_USER_INPUT', async () => {
    const c = counter();
    for (const bad of ['', 'x'.repeat(256), 'tab\there']) {
      const err: any = await store
        .run({ principal: merchant, key: bad, operation: 'create', input: {} }, c.exec, c.codec)
        .catch((e) => e);
      expect(err.extensions.code).toBe(ErrorCode.BAD_USER_INPUT);
      expect(err.extensions.field).toBe('idempotencyKey');
    }
    expect(c.calls()).toBe(0);
  });

  it('purgeExpired deletes old rows only', async () => {
    const c = counter();
    const oldKey = key();
    const newKey = key();
    await store.run({ principal: merchant, key: oldKey, operation: 'create', input: {} }, c.exec, c.codec);
    await store.run({ principal: merchant, key: newKey, operation: 'create', input: {} }, c.exec, c.codec);
    await dataSource.query(
      `UPDATE "${schema}".idempotency_keys SET created_at = now() - interval '30 hours' WHERE key = $1`,
      [oldKey],
    );
    expect(await store.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await storedCount(oldKey)).toBe(0);
    expect(await storedCount(newKey)).toBe(1);
  });
});

describe('idempotency under overload', () => {
  it('200 concurrent calls with one key on a pool of 3 connections: one execution; no waiter holds a connection while it waits', async () => {
    // Waiting callers must not hold pooled connections: with a blocking lock, callers beyond the
    // pool size queued for a connection behind blocked lock-holders and timed out (a 500 at the
    // edge). Checked structurally, not by a timeout a busy machine could miss: while the winner
    // runs, PostgreSQL is sampled for any of this pool's connections waiting on a lock.
    const appName = `idem-overload-${randomBytes(3).toString('hex')}`;
    const small = new DataSource({
      type: 'postgres',
      url: testEnv().databaseUrl,
      synchronize: false,
      entities: [],
      extra: { max: 3, connectionTimeoutMillis: 60_000, application_name: appName },
    });
    await small.initialize();
    let sampling = true;
    let samples = 0;
    let lockWaits = 0;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await dataSource.query(
          `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting FROM pg_stat_activity WHERE application_name = $1`,
          [appName],
        );
        samples++;
        lockWaits = Math.max(lockWaits, row.waiting);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      const smallStore = new IdempotencyStore(small, schema);
      const c = counter();
      const slowExec = async (manager: EntityManager) => {
        await manager.query('SELECT pg_sleep(2)');
        return c.exec(manager);
      };
      const k = key();
      const results = await Promise.all(
        Array.from({ length: 200 }, () => smallStore.run({ principal: merchant, key: k, operation: 'create', input: { n: 1 } }, slowExec, c.codec)),
      );
      expect(c.calls()).toBe(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await storedCount(k)).toBe(1);
      expect(samples).toBeGreaterThan(3);
      expect(lockWaits).toBe(0);
    } finally {
      sampling = false;
      await sampler;
      await small.destroy();
    }
  });
});

describe('IdempotencyStore.prepared (work outside the transaction, the write inside it)', () => {
  /** A command that prepares without a transaction (counted), then writes through `record` in its own. */
  function preparedCommand(prepareMs = 0) {
    const c = counter();
    let prepares = 0;
    const attempt = (record: RecordIn<{ id: string; at: number }>) => {
      prepares += 1;
      return new Promise<void>((r) => setTimeout(r, prepareMs)).then(() =>
        dataSource.transaction((m) =>
          record(m, async () => {
            const r = await c.exec(m);
            await m.query('SELECT pg_sleep(0.05)'); // widen the race window
            return r;
          }),
        ),
      );
    };
    return { attempt, codec: c.codec, writes: c.calls, prepares: () => prepares };
  }

  it('same key and input: writes once; a retry answers the stored response without preparing again', async () => {
    const cmd = preparedCommand();
    const opts = { principal: merchant, key: key(), operation: 'change', input: { a: 1 } };
    const first = await store.prepared(opts, cmd.codec, cmd.attempt);
    const again = await store.prepared(opts, cmd.codec, cmd.attempt);
    expect(again).toEqual(first);
    expect(cmd.writes()).toBe(1);
    expect(cmd.prepares()).toBe(1);
    expect(await storedCount(opts.key)).toBe(1);
  });

  it('20 concurrent calls with one key: one write, one answer for all (waiters hold no lock while they wait)', async () => {
    const cmd = preparedCommand(20);
    const opts = { principal: merchant, key: key(), operation: 'change', input: { n: 1 } };
    const results = await Promise.all(Array.from({ length: 20 }, () => store.prepared(opts, cmd.codec, cmd.attempt)));
    expect(cmd.writes()).toBe(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(await storedCount(opts.key)).toBe(1);
  });

  it('same key, another input: IDEMPOTENCY_KEY_REUSED', async () => {
    const cmd = preparedCommand();
    const k = key();
    await store.prepared({ principal: merchant, key: k, operation: 'change', input: { a: 1 } }, cmd.codec, cmd.attempt);
    const err: any = await store.prepared({ principal: merchant, key: k, operation: 'change', input: { a: 2 } }, cmd.codec, cmd.attempt).catch((e) => e);
    expect(err.extensions.code).toBe(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    expect(cmd.writes()).toBe(1);
  });

  it('a failure stores nothing; a corrected retry with the key runs', async () => {
    const cmd = preparedCommand();
    const k = key();
    const failing = () => Promise.reject(new Error('version conflict'));
    await expect(store.prepared({ principal: merchant, key: k, operation: 'change', input: { a: 1 } }, cmd.codec, failing)).rejects.toThrow('version conflict');
    expect(await storedCount(k)).toBe(0);
    await store.prepared({ principal: merchant, key: k, operation: 'change', input: { a: 1 } }, cmd.codec, cmd.attempt);
    expect(cmd.writes()).toBe(1);
  });

  it('a request that fails because one with its key just finished gets that answer', async () => {
    const cmd = preparedCommand();
    const opts = { principal: merchant, key: key(), operation: 'change', input: { a: 1 } };
    // The other request commits while this one is working, and this one then fails (its expected version moved on).
    const racing = async (): Promise<never> => {
      await store.prepared(opts, cmd.codec, cmd.attempt);
      throw new Error('version conflict');
    };
    const answer = await store.prepared(opts, cmd.codec, racing);
    expect(answer.at).toBe(1);
    expect(cmd.writes()).toBe(1);
  });

  it('without a key: record just runs the write, every time', async () => {
    const cmd = preparedCommand();
    await store.prepared({ principal: merchant, key: undefined, operation: 'change', input: {} }, cmd.codec, cmd.attempt);
    await store.prepared({ principal: merchant, key: null, operation: 'change', input: {} }, cmd.codec, cmd.attempt);
    expect(cmd.writes()).toBe(2);
    expect(cmd.prepares()).toBe(2);
  });
});
