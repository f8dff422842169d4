// One AAP code, at most one verified conversion, ever — against real PostgreSQL and Redis: the
// code pays only for a payment of the checkout session it names (Handoff's record of the intent,
// never the metadata); a replay on another payment is `flagged:replayed` with no ledger lines;
// two payments redeeming one code at once make one verified conversion (the redemption's unique
// key); approving a replay, or a flagged conversion whose code another redeemed, is refused. A
// code re-issued for another amount (same checkout session) is the same code.
// Flagged conversions hold no commission until approved, computed then on the amount paid.
import { randomBytes } from 'node:crypto';
import { sign } from 'node:crypto';
import type { PaymentIntentRecord, Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { expectBooksBalanced, FakeDirectory, followUp, gbp, id, PaymentEventFeed, startLedger, succeededPayload, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
const merchant = dir.addMerchant();
const agent = dir.addAgent(true);
let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

const RESOLVE = `mutation($id: ID!, $approve: Boolean!, $reason: String!) { resolveFlaggedConversion(id: $id, approve: $approve, reason: $reason) {
  status verification reviewReason commission { amount { amountMinor } builderPayout { amountMinor } } } }`;
const byPayment = (p: { object: { id: string } }) => app.dataSource.getRepository(ConversionEntity).findOneByOrFail({ paymentKey: `test:${p.object.id}` });
const linesOf = async (conversionId: string) =>
  ((await app.dataSource.query(`SELECT count(*)::int AS n FROM ledger.ledger_entries WHERE conversion_id = $1`, [conversionId])) as Array<{ n: number }>)[0]!.n;
/** Another payment (its own PSP id, event and intent, of `checkoutSessionId`) carrying `p`'s metadata, the code among it. */
const replayOf = (p: ReturnType<typeof succeededPayload>, checkoutSessionId: string | null) => ({
  ...p,
  pspEvent: { ...p.pspEvent, id: `evt_${randomBytes(8).toString('hex')}` },
  object: { ...p.object, id: `pi_${randomBytes(8).toString('hex')}` },
  paymentIntent: checkoutSessionId === null ? null : { ...p.paymentIntent!, id: id('pi'), checkoutSessionId },
});
const approve = (conversionId: string, reason = 'looked at it') => call(admin, RESOLVE, { id: conversionId, approve: true, reason });

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

describe('a code pays once, for its own checkout session', () => {
  it("flags a paid code replayed on another checkout session's payment as flagged:replayed, with no ledger lines and no commission", async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const paid = succeededPayload(keys, rec);
    expect(await feed.send('succeeded', paid)).toBe('verified');
    const merchantsOwn = id('cs');
    const replay = replayOf(paid, merchantsOwn);
    expect(await feed.send('succeeded', replay)).toBe('flagged:replayed');
    const c = await byPayment(replay);
    expect(c).toMatchObject({ verification: 'flagged:replayed', commissionPosted: false, commissionMinor: 0, builderPayoutMinor: 0, networkFeeMinor: 0 });
    expect(await linesOf(c.id)).toBe(0);
    const res = await approve(c.id);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'ATTRIBUTION_CODE_ALREADY_REDEEMED' });
    expect(await byPayment(replay)).toMatchObject({ verification: 'flagged:replayed', commissionPosted: false });
  });

  it('checks the payment against the checkout session the code names, from the intent record, never the metadata', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const code = succeededPayload(keys, rec);
    const other = id('cs');
    expect(await feed.send('succeeded', replayOf(code, other))).toBe('flagged:checkout_mismatch');
    // The metadata's aap_checkout_session_id names the right session; it is not evidence.
    expect(code.object.metadata!.aap_checkout_session_id).toBe(rec.checkoutSessionId);
    expect(await feed.send('succeeded', replayOf(code, null))).toBe('flagged:unknown_payment');
    // The code itself still pays once, for its own session.
    expect(await feed.send('succeeded', code)).toBe('verified');
  });

  it('flags a code signed before codes named their checkout session (unbound_code)', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec);
    const now = Math.floor(Date.now() / 1000);
    const wire = { v: 1, k: keys.kid, r: rec.id, s: rec.sessionId, o: rec.offerId, m: rec.merchantId, a: rec.agentId, n: 1000, c: 'GBP', i: now - 60, e: now + 3600 };
    const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
    const signature = sign(null, Buffer.from(`aap/v1|handoff.test|${payload}`), keys.signer.privateKey).toString('base64url');
    p.object.metadata!.aap_code = `aap://handoff.test/v1/${payload}.${signature}`;
    expect(await feed.send('succeeded', p)).toBe('flagged:unbound_code');
  });

  it("a code re-issued for another amount (the buyer chose delivery after the agent's checkout) is the same code: the issue that paid redeems it, any other issue is a replay", async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    // Issued at checkout for 10.00; re-issued when the session committed to paying 13.99, which the intent then held.
    const at1399 = (r: PaymentIntentRecord) => ({ ...r, amountMinor: 1399, amountCapturedMinor: 1399, checkoutTotal: { amountMinor: 1399, currency: 'GBP' } });
    const paid = succeededPayload(keys, rec, { amountMinor: 1399, intent: at1399 });
    expect(await feed.send('succeeded', paid)).toBe('verified');
    expect(await byPayment(paid)).toMatchObject({ transactionValueMinor: 1399, commissionPosted: true });
    // The 10.00 issue on another payment of its own checkout session, every check passing but the redemption: a replay.
    const earlier = succeededPayload(keys, rec, { amountMinor: 1000 });
    expect(earlier.object.metadata!.aap_code).not.toBe(paid.object.metadata!.aap_code);
    expect(await feed.send('succeeded', earlier)).toBe('flagged:replayed');
    // And on another checkout session's payment.
    expect(await feed.send('succeeded', replayOf(earlier, id('cs')))).toBe('flagged:replayed');
    const c = await byPayment(earlier);
    expect(c).toMatchObject({ verification: 'flagged:replayed', commissionPosted: false, commissionMinor: 0 });
    expect(await linesOf(c.id)).toBe(0);
  });

  it('two payments redeeming one code at once make exactly one verified conversion', async () => {
    for (let round = 0; round < 3; round++) {
      const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
      const first = succeededPayload(keys, rec);
      // Both bound to the code's own checkout session: only the redemption's unique key can tell them apart.
      const second = replayOf(first, rec.checkoutSessionId);
      const outcomes = await Promise.all([feed.send('succeeded', first), feed.send('succeeded', second)]);
      expect(outcomes.sort()).toEqual(['flagged:replayed', 'verified']);
      const rows = await app.dataSource.query(
        `SELECT c.verification, c.commission_posted AS posted, (SELECT count(*)::int FROM ledger.ledger_entries e WHERE e.conversion_id = c.id) AS lines
           FROM ledger.conversions c WHERE c.recommendation_id = $1 ORDER BY c.verification`,
        [rec.id],
      );
      expect(rows).toEqual([
        { verification: 'flagged:replayed', posted: false, lines: 0 },
        { verification: 'verified', posted: true, lines: expect.any(Number) },
      ]);
      expect(rows[1].lines).toBeGreaterThan(0);
    }
  });

  it('approving a flagged conversion redeems its code (a later payment of it is a replay); one whose code was redeemed since is refused', async () => {
    const recA = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const expired = succeededPayload(keys, recA, { expiresAt: Math.floor(Date.now() / 1000) - 10 });
    expect(await feed.send('succeeded', expired)).toBe('flagged:expired_code');
    expect((await approve((await byPayment(expired)).id)).data?.resolveFlaggedConversion).toMatchObject({ verification: 'verified' });
    expect(await feed.send('succeeded', replayOf(expired, recA.checkoutSessionId))).toBe('flagged:replayed');

    const recB = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const paid = succeededPayload(keys, recB);
    const stray = replayOf(paid, id('cs'));
    expect(await feed.send('succeeded', stray)).toBe('flagged:checkout_mismatch');
    expect(await feed.send('succeeded', paid)).toBe('verified');
    const refused = await approve((await byPayment(stray)).id);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'ATTRIBUTION_CODE_ALREADY_REDEEMED', reason: 'conversion:code_already_redeemed' });
    expect(await byPayment(stray)).toMatchObject({ verification: 'flagged:checkout_mismatch', commissionPosted: false, reviewedAt: null });
    await expect(app.dataSource.query(`DELETE FROM ledger.redeemed_codes`)).rejects.toThrow(/append-only/);
  });
});

describe('a flagged conversion holds no commission until approved', () => {
  it('shows 0 for a 50.00 payment of a 100.00 code, stays 0 through a partial refund, and on approval is computed on what was paid, saying so', async () => {
    const pct = dir.addMerchant({ terms: { type: 'PERCENTAGE' as never, cpaMinor: null, cpaCurrency: null, percentageBps: 1000 } });
    const rec = dir.addRecommendation(pct.id, agent.id, gbp(10000));
    const p = succeededPayload(keys, rec, { amountMinor: 5000, codeAmountMinor: 10000 });
    expect(await feed.send('succeeded', p)).toBe('flagged:amount_mismatch');
    expect(await byPayment(p)).toMatchObject({ commissionMinor: 0, networkFeeMinor: 0, builderPayoutMinor: 0, unclaimedMinor: 0, transactionValueMinor: 5000 });
    expect(await feed.send('refunded', followUp(p, 'refund.succeeded', { refund: { id: 're_f', amount: 1000 } }))).toBe('partially_refunded');
    expect(await byPayment(p)).toMatchObject({ commissionMinor: 0, refundedMinor: 1000, commissionPosted: false });
    const c = await byPayment(p);
    const approved = (await approve(c.id, 'buyer paid in part')).data?.resolveFlaggedConversion;
    // 10 % of the 40.00 kept (50.00 paid less 10.00 refunded), not of the 100.00 the code claimed.
    expect(approved).toMatchObject({
      verification: 'verified', commission: { amount: { amountMinor: 400 }, builderPayout: { amountMinor: 320 } },
      reviewReason: 'amount_mismatch: buyer paid in part (commission 4.00 GBP computed on the 40.00 GBP paid)',
    });
    const memo = await app.dataSource.query(`SELECT memo FROM ledger.ledger_transactions WHERE conversion_id = $1`, [c.id]);
    expect(memo).toEqual([{ memo: 'PERCENTAGE commission on approval: commission 4.00 GBP computed on the 40.00 GBP paid' }]);
  });
});
