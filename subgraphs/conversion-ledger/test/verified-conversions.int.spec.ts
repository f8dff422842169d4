// Verified conversions from `psp_event.*` jobs on `ledger-payment-events`, against real
// PostgreSQL and Redis: every verification failure reason, duplicate and concurrent events,
// refunds, disputes, the admin review of flagged conversions and `conversion.updated` events.
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { signAttributionCode } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { CommissionType } from '../src/commission/commission.js';
import {
  expectBooksBalanced, FakeDirectory, followUp, gbp, PaymentEventFeed, startLedger, succeededPayload, testKeys,
} from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

const merchant = dir.addMerchant();
const pctMerchant = dir.addMerchant({ terms: { type: CommissionType.PERCENTAGE, cpaMinor: null, cpaCurrency: null, percentageBps: 1000 } });
const agent = dir.addAgent(true);
const anonymous = dir.addAgent(null);

const byPayment = (paymentId: string) => app.dataSource.getRepository(ConversionEntity).findOneBy({ paymentKey: `test:${paymentId}` });

beforeAll(async () => {
  let secret: string;
  ({ app, server, secret } = await startLedger(dir, keys));
  call = signedCaller(server.url, secret);
  workers = await app.startWorkers();
  feed = new PaymentEventFeed(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', process.env.TEST_QUEUE_PREFIX!);
});

afterAll(async () => {
  await feed?.close();
  await workers?.close();
  await server?.close();
  await app?.close();
});

afterEach(async () => {
  await expectBooksBalanced(app);
});

describe('a verified payment', () => {
  it("records seed 001's example: value 10 GBP, CPA 8 → 8.00, fee 1.60, builder payout 6.40, PENDING verified", async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    expect(await feed.send('succeeded', p)).toBe('verified');
    const c = (await byPayment(p.object.id))!;
    expect(c).toMatchObject({
      status: 'PENDING', conversionPath: 'VERIFIED_PAYMENT', verification: 'verified', commissionPosted: true,
      transactionValueMinor: 1000, commissionMinor: 800, networkFeeMinor: 160, builderPayoutMinor: 640, unclaimedMinor: 0,
      builderId: agent.builder!.id, agentId: agent.id, recommendationId: rec.id, merchantId: merchant.id,
    });
    const milestones = await app.dataSource.query(`SELECT step, status FROM ledger.conversion_milestones WHERE conversion_id = $1`, [c.id]);
    expect(milestones).toEqual([{ step: 'payment_received', status: 'completed' }]);
  });

  it('holds the builder share unclaimed for an anonymous agent', async () => {
    const rec = dir.addRecommendation(merchant.id, anonymous.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    await feed.send('succeeded', p);
    expect(await byPayment(p.object.id)).toMatchObject({ builderPayoutMinor: 0, unclaimedMinor: 640, networkFeeMinor: 160, builderId: null });
  });

  it('makes one conversion for the same event 5× and for different event ids of one payment, even concurrently', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    const same = Array.from({ length: 5 }, (_, i) => feed.send('succeeded', { ...p, pspEvent: { ...p.pspEvent } }).catch((e) => String(e) + i));
    const others = ['payment_intent.payment_succeeded', 'payment_succeeded'].map((type) =>
      feed.send('succeeded', { ...p, pspEvent: { ...p.pspEvent, id: `${p.pspEvent.id}_${type}`, type } }),
    );
    const outcomes = await Promise.all([...same, ...others]);
    expect(outcomes.filter((o) => o === 'verified')).toHaveLength(1);
    const rows = await app.dataSource.query(`SELECT count(*)::int AS n FROM ledger.conversions WHERE payment_key = $1`, [`test:${p.object.id}`]);
    expect(rows[0].n).toBe(1);
  });

  it('ignores a payment with no attribution metadata (a plain merchant checkout)', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    p.object.metadata = { order: '42' };
    expect(await feed.send('succeeded', p)).toBe('not_attributed');
    expect(await byPayment(p.object.id)).toBeNull();
  });
});

describe('a payment that fails verification is recorded, flagged, and earns nothing until reviewed', () => {
  const other = testKeys('other-kid');
  const cases: Array<[string, (rec: ReturnType<FakeDirectory['addRecommendation']>) => ReturnType<typeof succeededPayload>]> = [
    ['missing_code', (rec) => succeededPayload(keys, rec, { code: null })],
    ['malformed_code', (rec) => succeededPayload(keys, rec, { code: 'aap://handoff.test/v1/garbage' })],
    ['unknown_key', (rec) => succeededPayload(other, rec)],
    ['bad_signature', (rec) => {
      const p = succeededPayload(keys, rec);
      const code = p.object.metadata!.aap_code!;
      const tampered = signAttributionCode(other.signer, {
        recommendationId: rec.id, sessionId: rec.sessionId!, checkoutSessionId: rec.checkoutSessionId, offerId: rec.offerId!, merchantId: rec.merchantId!,
        agentId: rec.agentId!, amountMinor: 1000, currency: 'GBP', issuedAt: 1, expiresAt: 4102444800,
      });
      // Keep our key id and payload shape, but the signature of another key.
      const payload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(tampered.split('/v1/')[1]!.split('.')[0]!, 'base64url').toString()), k: keys.kid })).toString('base64url');
      p.object.metadata!.aap_code = `aap://handoff.test/v1/${payload}.${code.split('.').pop()}`;
      return p;
    }],
    ['expired_code', (rec) => succeededPayload(keys, rec, { expiresAt: Math.floor(Date.now() / 1000) - 10 })],
    ['metadata_mismatch', (rec) => succeededPayload(keys, rec, { metadata: { aap_offer_id: 'off_other' } })],
    // The intent checkout-session created for the code's checkout session names no recommendation, or another one.
    ['recommendation_not_found', (rec) => succeededPayload(keys, rec, { intent: (i) => ({ ...i, metadata: { order: '42' } }) })],
    ['recommendation_mismatch', (rec) => succeededPayload(keys, rec, { intent: (i) => ({ ...i, metadata: { ...i.metadata, aap_offer_id: 'off_swapped' } }) })],
    ['amount_mismatch', (rec) => succeededPayload(keys, rec, { amountMinor: 900, codeAmountMinor: 1000 })],
    // The checkout total checkout-session gave the intent differs from what the code and the PSP say.
    ['amount_mismatch', (rec) => succeededPayload(keys, rec, { intent: (i) => ({ ...i, checkoutTotal: gbp(1200) }) })],
    // Payment-intent's record carries no checkout total (an event written before it did).
    ['checkout_not_found', (rec) => succeededPayload(keys, rec, { intent: (i) => ({ ...i, checkoutTotal: null }) })],
    ['currency_mismatch', (rec) => succeededPayload(keys, rec, { currency: 'EUR' })],
    ['status_not_succeeded', (rec) => succeededPayload(keys, rec, { status: 'processing' })],
  ];

  for (const [reason, make] of cases) {
    it(`flags ${reason}`, async () => {
      const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
      const p = make(rec);
      expect(await feed.send('succeeded', p)).toBe(`flagged:${reason}`);
      const c = await byPayment(p.object.id);
      expect(c).toMatchObject({ verification: `flagged:${reason}`, status: 'PENDING', commissionPosted: false });
      const entries = await app.dataSource.query(`SELECT 1 FROM ledger.ledger_entries WHERE conversion_id = $1`, [c!.id]);
      expect(entries).toHaveLength(0);
    });
  }

  it('an admin approves one (commission booked) and rejects another (REJECTED), each with a reason', async () => {
    const recA = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const a = succeededPayload(keys, recA, { expiresAt: Math.floor(Date.now() / 1000) - 10 });
    await feed.send('succeeded', a);
    const recB = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const b = succeededPayload(keys, recB, { code: null });
    await feed.send('succeeded', b);
    const [ca, cb] = [(await byPayment(a.object.id))!, (await byPayment(b.object.id))!];
    const RESOLVE = `mutation($id: ID!, $approve: Boolean!, $reason: String!) { resolveFlaggedConversion(id: $id, approve: $approve, reason: $reason) {
      status verification reviewReason commission { amount { amount } builderPayout { amount } } } }`;
    const caller = call;
    const merchantP: Principal = { kind: 'MERCHANT', keyId: 'k', merchantId: merchant.id };
    expect((await caller(merchantP, RESOLVE, { id: ca.id, approve: true, reason: 'x' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const approved = await caller(admin, RESOLVE, { id: ca.id, approve: true, reason: 'code expired during a slow 3-D Secure' });
    expect(approved.data?.resolveFlaggedConversion).toEqual({
      status: 'PENDING', verification: 'verified', reviewReason: 'expired_code: code expired during a slow 3-D Secure',
      commission: { amount: { amount: '8.00' }, builderPayout: { amount: '6.40' } },
    });
    const rejected = await caller(admin, RESOLVE, { id: cb.id, approve: false, reason: 'no attribution' });
    expect(rejected.data?.resolveFlaggedConversion).toMatchObject({ status: 'REJECTED', verification: 'rejected:missing_code' });
    expect((await caller(admin, RESOLVE, { id: cb.id, approve: true, reason: 'again' })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
  });
});

describe('refunds and disputes', () => {
  async function verified(m = merchant, a = agent, amount = 1000) {
    const rec = dir.addRecommendation(m.id, a.id, gbp(amount));
    const p = succeededPayload(keys, rec, { amountMinor: amount });
    await feed.send('succeeded', p);
    return p;
  }

  it('a full refund claws back with reversal entries linked to the original', async () => {
    const p = await verified();
    expect(await feed.send('refunded', followUp(p, 'charge.refunded', { amountRefunded: 1000, status: 'succeeded' }))).toBe('clawed_back');
    const c = (await byPayment(p.object.id))!;
    expect(c).toMatchObject({ status: 'CLAWED_BACK', commissionMinor: 0, builderPayoutMinor: 0, refundedMinor: 1000 });
    const tx = await app.dataSource.query(`SELECT kind, reverses_id FROM ledger.ledger_transactions WHERE conversion_id = $1 ORDER BY id`, [c.id]);
    expect(tx.map((t: any) => t.kind)).toEqual(['commission', 'reversal']);
    expect(tx[1].reverses_id).not.toBeNull();
    const net = await app.dataSource.query(`SELECT sum(amount_minor)::int AS s FROM ledger.ledger_entries WHERE conversion_id = $1 GROUP BY account_type`, [c.id]);
    expect(net.every((r: any) => r.s === 0)).toBe(true);
  });

  it('a partial refund reduces a percentage commission pro rata and leaves CPA as it is', async () => {
    const pct = await verified(pctMerchant, agent, 10000);
    await feed.send('refunded', followUp(pct, 'refund.succeeded', { refund: { id: 're_1', amount: 2500 } }));
    expect(await byPayment(pct.object.id)).toMatchObject({ status: 'PENDING', commissionMinor: 750, builderPayoutMinor: 600, networkFeeMinor: 150 });
    const cpa = await verified();
    await feed.send('refunded', followUp(cpa, 'charge.refunded', { amountRefunded: 400 }));
    expect(await byPayment(cpa.object.id)).toMatchObject({ status: 'PENDING', commissionMinor: 800, refundedMinor: 400 });
  });

  it('a refund before its payment event is retried until the conversion exists (out of order converges)', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    const refund = feed.send('refunded', followUp(p, 'charge.refunded', { amountRefunded: 1000 }));
    await new Promise((r) => setTimeout(r, 100));
    await feed.send('succeeded', p);
    expect(await refund).toBe('clawed_back');
    expect(await byPayment(p.object.id)).toMatchObject({ status: 'CLAWED_BACK' });
  });

  it('a refund waiting for its conversion runs as soon as the conversion is recorded, not after its backoff', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    // Its retry would come 15 s after its first failure: the conversion's recording must promote it.
    const refund = feed.send('refunded', followUp(p, 'charge.refunded', { amountRefunded: 1000 }), 15_000);
    await expect.poll(async () => (await feed.queue.getDelayedCount()) > 0, { timeout: 5000 }).toBe(true);
    const recordedAt = Date.now();
    await feed.send('succeeded', p);
    expect(await refund).toBe('clawed_back');
    expect(Date.now() - recordedAt).toBeLessThan(5000);
    expect(await byPayment(p.object.id)).toMatchObject({ status: 'CLAWED_BACK' });
  });

  it('dispute opened → DISPUTED; won → back where it was; another lost → CLAWED_BACK', async () => {
    const p = await verified();
    await feed.send('dispute_opened', followUp(p, 'charge.dispute.created', { dispute: { id: 'dp_1', status: 'needs_response' } }));
    expect(await byPayment(p.object.id)).toMatchObject({ status: 'DISPUTED', statusBeforeDispute: 'PENDING' });
    await feed.send('dispute_closed', followUp(p, 'charge.dispute.closed', { dispute: { id: 'dp_1', status: 'won', outcome: 'won' } }));
    expect(await byPayment(p.object.id)).toMatchObject({ status: 'PENDING', commissionMinor: 800 });

    const q = await verified();
    await feed.send('dispute_opened', followUp(q, 'dispute.opened', { dispute: { id: 'dp_2', status: 'needs_response' } }));
    await feed.send('dispute_closed', followUp(q, 'dispute.closed', { dispute: { id: 'dp_2', status: 'lost', outcome: 'lost' } }));
    expect(await byPayment(q.object.id)).toMatchObject({ status: 'CLAWED_BACK', commissionMinor: 0 });
  });
});

describe('conversion.updated', () => {
  it('is written on every change with an increasing cursor', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    await feed.send('succeeded', p);
    await feed.send('dispute_opened', followUp(p, 'dispute.opened', { dispute: { id: 'dp_9', status: 'open' } }));
    const c = (await byPayment(p.object.id))!;
    const events: Array<{ payload: any }> = await app.dataSource.query(
      `SELECT payload FROM ledger.outbox WHERE topic = 'conversion.updated' AND aggregate_id = $1 ORDER BY id`, [c.id],
    );
    expect(events.map((e) => e.payload.conversion.status)).toEqual(['PENDING', 'DISPUTED']);
    expect(events[0]!.payload.conversion).toMatchObject({ id: c.id, merchantId: merchant.id, agentId: agent.id, commissionMinor: 800 });
    expect(BigInt(events[1]!.payload.cursor)).toBeGreaterThan(BigInt(events[0]!.payload.cursor));
  });
});

