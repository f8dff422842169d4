// An export's file against real PostgreSQL (issue 19 item 6): 2,600 timeline entries of a merchant
// over most of a year (in groups sharing a millisecond, their microseconds against their ids'
// order, so a keyset that lost the microseconds would repeat or skip rows at its page boundaries)
// are written page by page as several chunks, each row once, in (time, id) order, nothing of
// another merchant's or outside the range; the file read back through a signed link is the one
// written. A rerun leaves a ready export as it is; a file past the row limit fails EXPORT_TOO_LARGE
// with no chunk left; a file past its days is removed by the next job.
import { randomBytes, randomInt } from 'node:crypto';
import type { Principal, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { ExportBuilder } from '../src/checkout-export/checkout-export.build.js';
import { PAGE_ROWS } from '../src/checkout-export/checkout-export.rows.js';
import { createApp, loadConfig } from '../src/index.js';
import { FakeMerchants, FakePayments } from './fakes.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_exp_${suffix}`;
const otherMerchantId = `mer_exp2_${suffix}`;
const merchant: Principal = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
const ROWS = 2600;
const GROUP = 7; // rows sharing a millisecond: page boundaries (every 1,000) fall inside a group
const FROM = new Date('2025-01-01T00:00:00Z');
const TO = new Date('2025-12-31T00:00:00Z');

let app: SubgraphApp;
let services: ReturnType<typeof createServices>;

/** `n` entries of `merchant` from `start`, a group of GROUP per hour, each group's microseconds falling as its ids rise. */
async function insertEntries(merchant: string, n: number, start: string, source: string): Promise<void> {
  const base = randomInt(1, 2 ** 40);
  await app.dataSource.query(
    `INSERT INTO checkout.timeline_entries (id, checkout_session_id, merchant_id, kind, at, summary, data, source, source_event_id)
     SELECT 'tle_' || lpad(upper(to_hex($4::bigint + i)), 10, '0') || '_' || $5 || '_' || lpad(($4::bigint + i)::text, 19, '0'),
            'cs_' || (i % 40), $1, 'payment.confirm_attempted',
            $2::timestamptz + (i / ${GROUP}) * interval '1 hour' + (${GROUP} - i % ${GROUP}) * interval '1 microsecond',
            'Payment attempted, "card" ' || i, jsonb_build_object('n', i), $5, $4::bigint + i
       FROM generate_series(0, $3::int - 1) AS i`,
    [merchant, start, n, base, source],
  );
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-exp`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const payments = new FakePayments();
  app = await createApp(config, { merchants, payments });
  await app.migrate();
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing: undefined as never });
  await insertEntries(merchantId, ROWS, '2025-02-01T00:00:00Z', `exp${suffix.replace(/[0-9]/g, '')}a`.slice(0, 20));
  // Outside the range, and another merchant's inside it: never in the file.
  await insertEntries(merchantId, 5, '2026-02-01T00:00:00Z', `exp${suffix.replace(/[0-9]/g, '')}b`.slice(0, 20));
  await insertEntries(otherMerchantId, 5, '2025-03-01T00:00:00Z', `exp${suffix.replace(/[0-9]/g, '')}c`.slice(0, 20));
});

afterAll(async () => {
  await app?.close();
});

/** The whole file, chunk by chunk, as the download reads it. */
async function readFile(id: string): Promise<{ text: string; chunks: number }> {
  const e = (await services.checkoutExports.find(merchant, id))!;
  const link = new URL(services.checkoutExports.downloadLink(e, 60)!.url).searchParams;
  const first = await services.checkoutExports.chunk(id, 0, { expires: link.get('expires'), signature: link.get('signature') });
  if (!first.ok) throw new Error(first.code);
  let text = first.answer.data;
  for (let seq = 1; seq < first.answer.chunkCount; seq++) {
    const next = await services.checkoutExports.chunk(id, seq, { expires: link.get('expires'), signature: link.get('signature') });
    if (!next.ok) throw new Error(next.code);
    text += next.answer.data;
  }
  expect(Buffer.byteLength(text)).toBe(first.answer.byteCount);
  return { text, chunks: first.answer.chunkCount };
}

describe('an export file', () => {
  it('holds every row of the range once, in order, over several pages and chunks', async () => {
    expect(ROWS).toBeGreaterThan(2 * PAGE_ROWS);
    const e = await services.checkoutExports.create(merchant, { kind: 'checkout_events', format: 'ndjson', from: FROM, to: TO });
    expect(e.status).toBe('pending');
    expect(await services.exportBuilder.build(e.id)).toBe('built');
    const done = (await services.checkoutExports.find(merchant, e.id))!;
    expect(done).toMatchObject({ status: 'ready', rowCount: ROWS, failureCode: null });
    const { text, chunks } = await readFile(e.id);
    expect(chunks).toBeGreaterThan(1);
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { event_id: string; data: { n: number }; summary: string });
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(ROWS);
    const expected = (await app.dataSource.query(
      `SELECT id FROM checkout.timeline_entries WHERE merchant_id = $1 AND at >= $2 AND at < $3 ORDER BY at, id`,
      [merchantId, FROM, TO],
    )) as Array<{ id: string }>;
    expect(rows.map((r) => r.event_id)).toEqual(expected.map((r) => r.id));
    expect(rows[0]!.summary).toBe(`Payment attempted, "card" ${GROUP - 1}`);

    // A rerun of the job (the relay re-added it) leaves the ready file as it is.
    expect(await services.exportBuilder.build(e.id)).toBe('skipped');
    expect((await readFile(e.id)).text).toBe(text);
  });

  it('fails EXPORT_TOO_LARGE past the row limit, keeping no chunk', async () => {
    const e = await services.checkoutExports.create(merchant, { kind: 'checkout_events', format: 'csv', from: FROM, to: TO });
    expect(await new ExportBuilder(app.dataSource, 1500).build(e.id)).toBe('too_large');
    expect(await services.checkoutExports.find(merchant, e.id)).toMatchObject({ status: 'failed', failureCode: 'EXPORT_TOO_LARGE', chunkCount: 0 });
    const [{ n }] = (await app.dataSource.query(`SELECT count(*)::int AS n FROM checkout.checkout_export_chunks WHERE export_id = $1`, [e.id])) as Array<{ n: number }>;
    expect(n).toBe(0);
    expect(services.checkoutExports.downloadLink((await services.checkoutExports.find(merchant, e.id))!, 60)).toBeNull();
  });

  it('removes a file past its days at the next job, its links refused', async () => {
    const old = await services.checkoutExports.create(merchant, { kind: 'failed_sessions', format: 'csv', from: FROM, to: TO });
    expect(await services.exportBuilder.build(old.id)).toBe('built');
    const chunks = async (id: string) =>
      ((await app.dataSource.query(`SELECT count(*)::int AS n FROM checkout.checkout_export_chunks WHERE export_id = $1`, [id])) as Array<{ n: number }>)[0]!.n;
    expect(await chunks(old.id)).toBe(1); // the CSV header: no failure of this merchant
    const ready = (await services.checkoutExports.find(merchant, old.id))!;
    const link = new URL(services.checkoutExports.downloadLink(ready, 60)!.url).searchParams;
    await app.dataSource.query(`UPDATE checkout.checkout_exports SET file_expires_at = now() - interval '1 second' WHERE id = $1`, [old.id]);
    const next = await services.checkoutExports.create(merchant, { kind: 'failed_sessions', format: 'ndjson', from: FROM, to: TO });
    await services.exportBuilder.build(next.id);
    expect(await chunks(old.id)).toBe(0);
    expect(services.checkoutExports.downloadLink((await services.checkoutExports.find(merchant, old.id))!, 60)).toBeNull();
    expect(await services.checkoutExports.chunk(old.id, 0, { expires: link.get('expires'), signature: link.get('signature') })).toMatchObject({ ok: false, code: 'EXPORT_NOT_FOUND' });
  });
});
