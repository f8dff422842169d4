// BI facts against real PostgreSQL (docs/bi.md): the bucketing SQL (UTC days, ISO weeks across a
// year end, months) with two dimensions together and money per currency; the events → facts
// mapping (refund increments, redeliveries); and the export's cursor under a transaction that
// commits late.
import { money, type OutboxJobData, type Principal, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { biFactChanges, decodeBiCursor, encodeBiCursor } from '../src/bi-facts/bi-facts.export.js';
import { biFactsReport } from '../src/bi-facts/bi-facts.query.js';
import { insertFacts, recordBiFacts, type FactRow } from '../src/bi-facts/bi-facts.record.js';
import { FakeDirectory, id, startLedger, testKeys } from './ledger-fixtures.js';

let app: SubgraphApp;
let server: { close(): Promise<void> };
const admin: Principal = { kind: 'ADMIN', keyId: 'k_admin' };
const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `k_${merchantId}`, merchantId });

beforeAll(async () => {
  ({ app, server } = await startLedger(new FakeDirectory(), testKeys()));
});
afterAll(async () => {
  await server?.close();
  await app?.close();
});

const fact = (f: Partial<FactRow> & Pick<FactRow, 'kind' | 'occurredAt'>): FactRow => ({
  factKey: id('fk'), subjectId: id('s'), merchantId: null, agentId: null, offerId: null, agentSessionId: null, currency: null, amountMinor: null, ...f,
});

describe('biFacts bucketing', () => {
  const m = id('m');
  const a1 = id('ag');
  const a2 = id('ag');
  beforeAll(async () => {
    const at = (iso: string) => new Date(iso).toISOString();
    await insertFacts(app.dataSource, [
      // Sunday 2028-12-31 (ISO week 2028-W52) and Monday 2029-01-01 (2029-W01), around midnight UTC.
      fact({ kind: 'PAYMENT', occurredAt: at('2028-12-31T23:59:59.999Z'), merchantId: m, agentId: a1, currency: 'GBP', amountMinor: 1000 }),
      fact({ kind: 'PAYMENT', occurredAt: at('2028-12-31T10:00:00Z'), merchantId: m, agentId: a1, currency: 'JPY', amountMinor: 500 }),
      fact({ kind: 'REFUND', occurredAt: at('2028-12-31T12:00:00Z'), merchantId: m, agentId: a1, currency: 'GBP', amountMinor: 250 }),
      fact({ kind: 'PAYMENT', occurredAt: at('2029-01-01T00:00:00Z'), merchantId: m, agentId: a2, currency: 'GBP', amountMinor: 3000 }),
      fact({ kind: 'PAYMENT', occurredAt: at('2029-01-01T08:00:00Z'), merchantId: m, agentId: null, currency: 'GBP', amountMinor: 700 }),
      // One session, counted once per group although it has a copy for each offer it recommended.
      fact({ kind: 'AGENT_SESSION', occurredAt: at('2029-01-01T01:00:00Z'), merchantId: m, agentId: a2, offerId: 'o1', agentSessionId: 'as1' }),
      fact({ kind: 'AGENT_SESSION', occurredAt: at('2029-01-01T01:00:00Z'), merchantId: m, agentId: a2, offerId: 'o2', agentSessionId: 'as1' }),
      fact({ kind: 'RECOMMENDATION', occurredAt: at('2029-01-01T01:01:00Z'), merchantId: m, agentId: a2, offerId: 'o1', agentSessionId: 'as1', currency: 'GBP' }),
      fact({ kind: 'CONVERSION', occurredAt: at('2029-01-01T00:00:01Z'), merchantId: m, agentId: a2, currency: 'GBP', amountMinor: 3000 }),
      fact({ kind: 'PAYOUT', occurredAt: at('2029-01-15T00:00:00Z'), merchantId: m, agentId: a2, currency: 'GBP', amountMinor: 240 }),
      // Outside [from, to): never counted.
      fact({ kind: 'PAYMENT', occurredAt: at('2029-02-01T00:00:00Z'), merchantId: m, agentId: a1, currency: 'GBP', amountMinor: 99999 }),
    ], 'test');
  });
  const range = { from: new Date('2028-12-01T00:00:00Z'), to: new Date('2029-02-01T00:00:00Z') };

  it('DAY by AGENT and CHANNEL: exact counts, money per currency, refund rate', async () => {
    const r = await biFactsReport(app.dataSource, admin, { ...range, interval: 'DAY', groupBy: ['CHANNEL', 'AGENT'], merchantId: m });
    expect(r.groupBy).toEqual(['AGENT', 'CHANNEL']);
    const rows = r.rows.map((x) => ({ b: x.bucket, agent: x.agentId, ch: x.channel, p: x.paymentsSucceeded, s: x.agentSessions, rec: x.recommendations, c: x.conversionsVerified, po: x.paidOut, refunds: x.refunds,
      amounts: x.amounts.map((a) => [a.currency, a.gmv.amountMinor, a.refunded.amountMinor, a.refundRate, a.conversionValue.amountMinor, a.paidOut.amountMinor]) }));
    const sorted = (list: typeof rows) => [...list].sort((p, q) => JSON.stringify([p.b, p.agent, p.ch]).localeCompare(JSON.stringify([q.b, q.agent, q.ch])));
    expect(sorted(rows)).toEqual(sorted([
      { b: '2028-12-31', agent: a1, ch: 'AGENT', p: 2, s: 0, rec: 0, c: 0, po: 0, refunds: 1, amounts: [['GBP', 1000, 250, 0.25, 0, 0], ['JPY', 500, 0, 0, 0, 0]] },
      { b: '2029-01-01', agent: a2, ch: 'AGENT', p: 1, s: 1, rec: 1, c: 1, po: 0, refunds: 0, amounts: [['GBP', 3000, 0, 0, 3000, 0]] },
      { b: '2029-01-01', agent: null, ch: 'DIRECT', p: 1, s: 0, rec: 0, c: 0, po: 0, refunds: 0, amounts: [['GBP', 700, 0, 0, 0, 0]] },
      { b: '2029-01-15', agent: a2, ch: 'AGENT', p: 0, s: 0, rec: 0, c: 0, po: 1, refunds: 0, amounts: [['GBP', 0, 0, null, 0, 240]] },
    ]));
  });

  it('WEEK is the ISO week (Monday, UTC); MONTH the UTC month; CURRENCY splits counts', async () => {
    const weeks = await biFactsReport(app.dataSource, asMerchant(m), { ...range, interval: 'WEEK' });
    expect(weeks.rows.map((x) => [x.bucket, x.bucketStart.toISOString(), x.paymentsSucceeded, x.amounts.map((a) => `${a.currency}:${a.gmv.amountMinor}`)])).toEqual([
      ['2028-W52', '2028-12-25T00:00:00.000Z', 2, ['GBP:1000', 'JPY:500']],
      ['2029-W01', '2029-01-01T00:00:00.000Z', 2, ['GBP:3700']],
      ['2029-W03', '2029-01-15T00:00:00.000Z', 0, ['GBP:0']],
    ]);
    const months = await biFactsReport(app.dataSource, admin, { ...range, interval: 'MONTH', groupBy: ['MERCHANT', 'CURRENCY'], merchantId: m });
    expect(months.rows.map((x) => [x.bucket, x.merchantId, x.currency, x.paymentsSucceeded, x.agentSessions])).toEqual([
      ['2028-12', m, 'GBP', 1, 0],
      ['2028-12', m, 'JPY', 1, 0],
      ['2029-01', m, null, 0, 1],
      ['2029-01', m, 'GBP', 2, 0],
    ]);
  });

  it('tenancy and bad input: stable codes, nothing of another merchant', async () => {
    const other = await biFactsReport(app.dataSource, asMerchant(id('m')), { ...range, interval: 'DAY', groupBy: ['MERCHANT', 'AGENT'] });
    expect(other.rows).toEqual([]);
    const codeOf = (p: Promise<unknown>) => p.then(() => 'none', (e: { code?: string; extensions?: { code?: string } }) => e.extensions?.code ?? e.code);
    await expect(codeOf(biFactsReport(app.dataSource, asMerchant(id('m')), { ...range, interval: 'DAY', merchantId: m }))).resolves.toBe('FORBIDDEN');
    await expect(codeOf(biFactsReport(app.dataSource, admin, { ...range, interval: 'DAY', groupBy: ['REGION'] }))).resolves.toBe('BAD_USER_INPUT');
    await expect(codeOf(biFactsReport(app.dataSource, admin, { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2029-01-01T00:00:00Z'), interval: 'DAY' }))).resolves.toBe('DATE_RANGE_TOO_LARGE');
    await expect(codeOf(biFactsReport(app.dataSource, admin, { from: range.to, to: range.from, interval: 'DAY' }))).resolves.toBe('INVALID_DATE_RANGE');
    await expect(codeOf(biFactsReport(app.dataSource, { kind: 'AGENT', keyId: 'k', agentId: a1 }, { ...range, interval: 'DAY' }))).resolves.toBe('FORBIDDEN');
  });
});

describe('events → facts', () => {
  const job = (topic: string, payload: Record<string, unknown>, schema = 'payment'): OutboxJobData => ({
    outboxId: String(Math.floor(Math.random() * 1e12)), schema, topic, aggregateId: 'x', payload, createdAt: new Date().toISOString(),
  });
  const intent = (merchantId: string, refunded: number) => ({
    id: 'pi_' + merchantId, status: 'SUCCEEDED', amountMinor: 10000, currency: 'EUR', amountCapturedMinor: 10000, amountRefundedMinor: refunded,
    merchantId, checkoutSessionId: null, checkoutTotal: null, provider: 'sandbox', providerPaymentId: null, metadata: { aap_agent_id: 'ag1', aap_offer_id: 'of1' },
  });

  it('a payment once; refunds as increases of the refunded total, redelivered or late events adding nothing', async () => {
    const m = id('m');
    const succeeded = job('payment_intent.succeeded', { paymentIntent: intent(m, 0), occurredAt: '2029-03-01T10:00:00.000Z' });
    expect(await recordBiFacts(app.dataSource, succeeded)).toBe(1);
    expect(await recordBiFacts(app.dataSource, succeeded)).toBe(0);
    const refunded = (total: number) => job('payment_intent.refunded', { paymentIntent: intent(m, total), occurredAt: '2029-03-02T10:00:00.000Z' });
    // Two refunds' events delivered at once, then again, then an older total after a newer one.
    const results = await Promise.all([recordBiFacts(app.dataSource, refunded(3000)), recordBiFacts(app.dataSource, refunded(3000))]);
    expect(results.sort()).toEqual([0, 1]);
    expect(await recordBiFacts(app.dataSource, refunded(7000))).toBe(1);
    expect(await recordBiFacts(app.dataSource, refunded(3000))).toBe(0);
    const r = await biFactsReport(app.dataSource, asMerchant(m), { from: new Date('2029-03-01T00:00:00Z'), to: new Date('2029-04-01T00:00:00Z'), interval: 'MONTH', groupBy: ['AGENT', 'OFFER'] });
    expect(r.rows.map((x) => [x.agentId, x.offerId, x.channel, x.paymentsSucceeded, x.refunds, x.amounts.map((a) => [a.currency, a.gmv.amountMinor, a.refunded.amountMinor, a.refundRate])])).toEqual([
      ['ag1', 'of1', null, 1, 2, [['EUR', 10000, 7000, 0.7]]],
    ]);
  });

  it('a recommendation counts its session for its merchant and offer at the session start', async () => {
    const m = id('m');
    const rec = (rid: string, offerId: string) => job('recommendation.created', {
      recommendation: { id: rid, agentSessionId: 'as_' + m, agentId: 'ag1', offerId, merchantId: m, currency: 'GBP', createdAt: '2029-03-05T10:00:00.000Z', agentSessionStartedAt: '2029-03-04T23:59:00.000Z' },
    }, 'checkout');
    expect(await recordBiFacts(app.dataSource, rec(id('rec'), 'o1'))).toBe(2);
    expect(await recordBiFacts(app.dataSource, rec(id('rec'), 'o2'))).toBe(2);
    const r = await biFactsReport(app.dataSource, asMerchant(m), { from: new Date('2029-03-01T00:00:00Z'), to: new Date('2029-04-01T00:00:00Z'), interval: 'DAY' });
    expect(r.rows.map((x) => [x.bucket, x.agentSessions, x.recommendations])).toEqual([['2029-03-04', 1, 0], ['2029-03-05', 0, 2]]);
  });
});

describe('the export cursor', () => {
  it('never skips a row committed late by a transaction that began before a page was read, and repeats none', async () => {
    const m = id('m');
    const row = (n: number) => fact({ kind: 'PAYMENT', occurredAt: new Date().toISOString(), merchantId: m, currency: 'GBP', amountMinor: n });
    const slow = await app.dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      // The slow transaction writes first (a lower id), then others commit after it began.
      await insertFacts(slow.manager, [row(1)], 'test-slow');
      await insertFacts(app.dataSource, [row(2)], 'test');
      await insertFacts(app.dataSource, [row(3)], 'test');
      const seen: number[] = [];
      let cursor: string | null = null;
      const page = async () => {
        const p = await biFactChanges(app.dataSource, admin, { since: cursor, first: 1, merchantId: m });
        seen.push(...p.changes.map((c) => c.amount!.amountMinor));
        cursor = p.nextCursor;
        return p;
      };
      // While it runs, the rows committed after it began wait too: nothing is handed out past it.
      expect((await page()).changes).toEqual([]);
      await slow.commitTransaction();
      // Another transaction anywhere on the server may hold the export back a moment: wait for the rows.
      while (seen.length < 3) if ((await page()).changes.length === 0) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([1, 2, 3]);
      const again = await biFactChanges(app.dataSource, admin, { since: cursor, merchantId: m });
      expect(again.changes).toEqual([]);
      expect(again.nextCursor).toBe(cursor);
      expect(again.hasMore).toBe(false);
    } finally {
      if (slow.isTransactionActive) await slow.rollbackTransaction();
      await slow.release();
    }
  });

  it('refuses a cursor it did not make', async () => {
    expect(decodeBiCursor(encodeBiCursor('12', '34'))).toEqual({ txid: '12', id: '34' });
    for (const bad of ['nope', 'bf1.!!', `bf1.${Buffer.from('1:x').toString('base64url')}`, 'bf1.' + 'A'.repeat(200)]) {
      await expect(biFactChanges(app.dataSource, admin, { since: bad })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    }
    await expect(biFactChanges(app.dataSource, admin, { first: 0 })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(money(1, 'GBP').amountMinor).toBe(1);
  });
});
