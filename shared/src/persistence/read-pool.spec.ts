// The read pool's pure parts: WAL positions, the page-header rule that lets an idle replica
// equal the primary's insert position, and a pool without a replica (every read on the primary).
// Routing against a real standby: subgraphs/conversion-ledger/test/read-replica.int.spec.ts.
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { comparableInsertLsn, parseLsn, ReadPool } from './read-pool.js';

describe('WAL positions', () => {
  it('parses hi/lo hex into bytes and refuses anything else', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    for (const bad of ['', '16', '16/', 'x/1', '1/2/3']) expect(() => parseLsn(bad), bad).toThrow(/not a WAL position/);
  });

  it('moves an insert position just past a page header back to the page boundary, and only that', () => {
    const page = 5n * 8192n;
    expect(comparableInsertLsn(page + 24n)).toBe(page);
    const segment = 3n * 16n * 1024n * 1024n;
    expect(comparableInsertLsn(segment + 40n)).toBe(segment);
    expect(comparableInsertLsn(page + 40n)).toBe(page + 40n);
    expect(comparableInsertLsn(page + 25n)).toBe(page + 25n);
    expect(comparableInsertLsn(page)).toBe(page);
  });
});

describe('a read pool without a replica', () => {
  const primary = { name: 'primary' } as unknown as DataSource;
  const pool = new ReadPool({ primary, logger: pino({ level: 'silent' }) });

  it('sends every read to the primary and says so', async () => {
    expect(await pool.read(async (ds) => ds)).toBe(primary);
    expect(await pool.fresh(async (ds) => ds)).toBe(primary);
    expect(await pool.caughtUp()).toBe(primary);
    const row = pool.remember([{ id: 'x' }], primary)[0]!;
    expect(pool.fromReplica(row)).toBe(false);
    expect(await pool.readAlong(row, async (ds) => ds)).toBe(primary);
    expect(pool.status()).toMatchObject({ configured: false, state: 'none', readsGoTo: 'primary' });
  });
});
