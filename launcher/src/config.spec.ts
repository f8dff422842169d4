import { describe, expect, it } from 'vitest';
import { loadLauncherConfig, readReplicaEnv } from './config.js';

describe('loadLauncherConfig', () => {
  it('keeps the gateway on 4000 and leaves the subgraph ports to be picked (unset)', () => {
    const c = loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/a/.data' });
    expect(c.PORT).toBe(4000);
    expect([c.MERCHANT_PORT, c.CHECKOUT_SESSION_PORT, c.PAYMENT_INTENT_PORT, c.CONVERSION_LEDGER_PORT]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('passes the read replica settings on only when set, and refuses bad ones at once', () => {
    expect(readReplicaEnv(loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/a/.data' }))).toEqual({});
    const url = 'postgres://handoff:pw@replica.internal:5432/handoff';
    expect(readReplicaEnv(loadLauncherConfig({ DATABASE_READ_URL: url, DATABASE_READ_MAX_LAG_SECONDS: '12.5' }))).toEqual({ DATABASE_READ_URL: url, DATABASE_READ_MAX_LAG_SECONDS: '12.5' });
    expect(() => loadLauncherConfig({ DATABASE_READ_URL: 'not a url' })).toThrow(/DATABASE_READ_URL/);
    expect(() => loadLauncherConfig({ DATABASE_READ_LAG_CHECK_MS: '10' })).toThrow(/DATABASE_READ_LAG_CHECK_MS/);
  });

  it('reads PORT and the four *_PORT variables', () => {
    const c = loadLauncherConfig({ PORT: '4100', MERCHANT_PORT: '4101', CHECKOUT_SESSION_PORT: '4102', PAYMENT_INTENT_PORT: '4103', CONVERSION_LEDGER_PORT: '4104' });
    expect([c.PORT, c.MERCHANT_PORT, c.CHECKOUT_SESSION_PORT, c.PAYMENT_INTENT_PORT, c.CONVERSION_LEDGER_PORT]).toEqual([4100, 4101, 4102, 4103, 4104]);
  });

  it('names the database and queue prefix after the data directory: two checkouts never share them', () => {
    const a = loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/a/.data' });
    const again = loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/a/.data' });
    const b = loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/b/.data' });
    expect(a.databaseName).toMatch(/^handoff_[0-9a-f]{8}$/);
    expect(a.QUEUE_PREFIX).toBe(`handoff-${a.databaseName.slice('handoff_'.length)}`);
    expect(again.databaseName).toBe(a.databaseName);
    expect(b.databaseName).not.toBe(a.databaseName);
    expect(b.QUEUE_PREFIX).not.toBe(a.QUEUE_PREFIX);
    expect(loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/a/.data', QUEUE_PREFIX: 'mine' }).QUEUE_PREFIX).toBe('mine');
  });

  it('takes a Redis Cluster URL, and then names the queue prefix hash-tagged (every process uses it so)', () => {
    const c = loadLauncherConfig({ HANDOFF_DATA_DIR: '/tmp/a/.data', REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000' });
    expect(c.REDIS_URL).toBe('redis+cluster://10.0.0.1:7000,10.0.0.2:7000');
    expect(c.QUEUE_PREFIX).toMatch(/^\{handoff-[0-9a-f]{8}\}$/);
    expect(loadLauncherConfig({ REDIS_URL: 'redis+cluster://a:1', QUEUE_PREFIX: 'mine' }).QUEUE_PREFIX).toBe('{mine}');
    expect(loadLauncherConfig({ REDIS_URL: 'redis+cluster://a:1', QUEUE_PREFIX: '{mine}' }).QUEUE_PREFIX).toBe('{mine}');
    expect(() => loadLauncherConfig({ REDIS_URL: 'redis+cluster://a' })).toThrow(/REDIS_URL/);
  });
});
