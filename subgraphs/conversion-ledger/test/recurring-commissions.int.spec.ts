// Recurring commissions (issue 22 item 5), against real PostgreSQL and Redis: a subscription's
// payments, each carrying payment-intent's own `recurring` { subscriptionId, period } and the
// first payment's metadata (the same AAP code), driven through `ledger-payment-events`:
//  - periods 1..4 under each recurring rule: a period the rule pays for is a verified conversion of
//    its own (its own commission, its own books), any other records no conversion
//    (`recurring:no_commission`);
//  - a renewal is not a replay of its code; a true replay (the same subscription period again,
//    another subscription, a one-off payment of the code) still is `flagged:replayed`;
//  - a refund of period 2 claws back period 2's commission only; a lost dispute likewise; a
//    refund of a period that earned nothing ends `recurring:no_commission`, even when it comes first;
//  - two deliveries of one renewal's event at once make one conversion;
//  - `recurring` is read from the intent record only, never from the PSP's metadata;
//  - Conversion.subscriptionId / billingPeriod in GraphQL.
// The books balance after every test.
import { randomBytes } from 'node:crypto';
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { CommissionType } from '../src/commission/commission.js';
import { RecurringCommissionRule, type RecurringCommission } from '../src/commission/recurring-commission.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { expectBooksBalanced, FakeDirectory, followUp, gbp, id, PaymentEventFeed, startLedger, succeededPayload, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const agent = dir.addAgent(true);
let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

const DAY_S = 86_400;
const EVERY_3: RecurringCommission = { rule: RecurringCommissionRule.EVERY_RENEWAL, periods: 3, paidPeriod: null };
const MILESTONE_3: RecurringCommission = { rule: RecurringCommissionRule.MILESTONE, periods: null, paidPeriod: 3 };
const FIRST_ONLY: RecurringCommission = { rule: RecurringCommissionRule.FIRST_PAYMENT_ONLY, periods: null, paidPeriod: null };

type Payload = ReturnType<typeof succeededPayload>;

const merchantWith = (recurring: RecurringCommission, terms: Partial<Parameters<FakeDirectory['addMerchant']>[0] & object>['terms'] = {}) =>
  dir.addMerchant({ terms: { ...terms, recurring } });

/** A subscription bought at checkout through an agent: period 1's payload (the code valid for an hour only). */
function subscription(merchantId: string, amountMinor = 1000) {
  const rec = dir.addRecommendation(merchantId, agent.id, gbp(amountMinor));
  const subscriptionId = id('bsub');
  const first = succeededPayload(keys, rec, { amountMinor, intent: (r) => ({ ...r, recurring: { subscriptionId, period: 1 } }) });
  return { rec, subscriptionId, first };
}

/**
 * Period `period` of the subscription `first` started: its own PSP payment, event and intent, paid
 * `period - 1` months later (long after the code expired), with the first payment's metadata;
 * payment-intent's record names the subscription period (the checkout session too, or not).
 */
function renewal(first: Payload, period: number, opts: { amountMinor?: number; checkoutSessionId?: string | null; subscriptionId?: string; afterDays?: number } = {}): Payload {
  const created = first.pspEvent.created + (opts.afterDays ?? (period - 1) * 30) * DAY_S;
  const amountMinor = opts.amountMinor ?? first.object.amount!;
  const intent = first.paymentIntent!;
  const paymentId = `pi_${randomBytes(8).toString('hex')}`;
  return {
    ...first,
    pspEvent: { id: `evt_${randomBytes(8).toString('hex')}`, type: 'payment_intent.succeeded', created },
    object: { ...first.object, id: paymentId, amount: amountMinor, metadata: { ...first.object.metadata } },
    paymentIntent: {
      ...intent, id: id('pi'), providerPaymentId: paymentId, amountMinor, amountCapturedMinor: amountMinor, checkoutTotal: null,
      checkoutSessionId: opts.checkoutSessionId === undefined ? intent.checkoutSessionId : opts.checkoutSessionId,
      metadata: { ...intent.metadata },
      recurring: { subscriptionId: opts.subscriptionId ?? intent.recurring?.subscriptionId ?? id('bsub'), period },
    },
  };
}

/** Another delivery of the same payment (the PSP's second event for it, or the same event again). */
const redelivery = (p: Payload, sameEvent: boolean): Payload => (sameEvent ? { ...p } : { ...p, pspEvent: { ...p.pspEvent, id: `evt_${randomBytes(8).toString('hex')}` } });

const conversionsOf = (subscriptionId: string) =>
  app.dataSource.query(
    `SELECT c.billing_period AS period, c.verification, c.status, c.commission_minor::int AS commission, c.commission_posted AS posted,
            (SELECT count(*)::int FROM ledger.ledger_entries e WHERE e.conversion_id = c.id) AS lines
       FROM ledger.conversions c WHERE c.subscription_id = $1 ORDER BY c.billing_period, c.verification`,
    [subscriptionId],
  ) as Promise<Array<{ period: number; verification: string; status: string; commission: number; posted: boolean; lines: number }>>;
const uncommissionedOf = async (subscriptionId: string) =>
  ((await app.dataSource.query(`SELECT billing_period AS period FROM ledger.uncommissioned_payments WHERE subscription_id = $1 ORDER BY billing_period`, [
    subscriptionId,
  ])) as Array<{ period: number }>).map((r) => r.period);
const byPayment = (p: Payload) => app.dataSource.getRepository(ConversionEntity).findOneByOrFail({ paymentKey: `test:${p.object.id}` });
const transactionKinds = async (conversionId: string) =>
  ((await app.dataSource.query(`SELECT kind FROM ledger.ledger_transactions WHERE conversion_id = $1 ORDER BY id`, [conversionId])) as Array<{ kind: string }>).map((t) => t.kind);

/** Sends periods 1..n of a subscription in order; returns each period's outcome and payload. */
async function payPeriods(first: Payload, n: number) {
  const payloads = [first, ...Array.from({ length: n - 1 }, (_, i) => renewal(first, i + 2))];
  const outcomes: string[] = [];
  for (const p of payloads) outcomes.push(await feed.send('succeeded', p));
  return { payloads, outcomes };
}

/** Polls `probe` every 20 ms until it holds (a condition, not a fixed wait); fails after 15 s. */
async function waitFor(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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

describe('periods 1..4 under each recurring rule', () => {
  it('FIRST_PAYMENT_ONLY (the default): period 1 is a verified conversion, renewals record none', async () => {
    const m = merchantWith(FIRST_ONLY);
    const { subscriptionId, first } = subscription(m.id);
    const { outcomes } = await payPeriods(first, 4);
    expect(outcomes).toEqual(['verified', 'recurring:no_commission', 'recurring:no_commission', 'recurring:no_commission']);
    expect(await conversionsOf(subscriptionId)).toEqual([{ period: 1, verification: 'verified', status: 'PENDING', commission: 800, posted: true, lines: expect.any(Number) }]);
    expect((await conversionsOf(subscriptionId))[0]!.lines).toBeGreaterThan(0);
    expect(await uncommissionedOf(subscriptionId)).toEqual([2, 3, 4]);
  });

  it('EVERY_RENEWAL for 3 periods: periods 1, 2 and 3 are each a verified conversion with its own commission in the books; period 4 none', async () => {
    const m = merchantWith(EVERY_3);
    const { subscriptionId, first } = subscription(m.id);
    const { outcomes, payloads } = await payPeriods(first, 4);
    expect(outcomes).toEqual(['verified', 'verified', 'verified', 'recurring:no_commission']);
    const rows = await conversionsOf(subscriptionId);
    expect(rows.map((r) => [r.period, r.verification, r.commission, r.posted])).toEqual([
      [1, 'verified', 800, true],
      [2, 'verified', 800, true],
      [3, 'verified', 800, true],
    ]);
    for (const r of rows) expect(r.lines).toBeGreaterThan(0);
    expect(await uncommissionedOf(subscriptionId)).toEqual([4]);
    for (const p of payloads.slice(0, 3)) expect(await transactionKinds((await byPayment(p)).id)).toEqual(['commission']);
    // Each period's conversion.created webhook names its subscription period.
    const created = (await app.dataSource.query(
      `SELECT payload->'object' AS object FROM ledger.outbox WHERE topic = 'webhook_event.conversion.created' AND payload->'object'->>'subscription_id' = $1`,
      [subscriptionId],
    )) as Array<{ object: { billing_period: number; subscription_id: string } }>;
    expect(created.map((r) => r.object.billing_period).sort()).toEqual([1, 2, 3]);
    // A renewal has no order to confirm: payable once paid (period 1 waits for the flow's order_confirmed, as any checkout).
    expect((await byPayment(payloads[0]!)).payableSince).toBeNull();
    expect((await byPayment(payloads[1]!)).payableSince).not.toBeNull();
  });

  it('MILESTONE at the third paid period: only period 3 is a verified conversion', async () => {
    const m = merchantWith(MILESTONE_3);
    const { subscriptionId, first } = subscription(m.id);
    const { outcomes } = await payPeriods(first, 4);
    expect(outcomes).toEqual(['recurring:no_commission', 'recurring:no_commission', 'verified', 'recurring:no_commission']);
    expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.verification, r.commission])).toEqual([[3, 'verified', 800]]);
    expect(await uncommissionedOf(subscriptionId)).toEqual([1, 2, 4]);
  });

  it("a trial's first charge (period 1, off-session when the trial ends: the code expired, the checkout committed to 0) is period 1's verified conversion", async () => {
    const m = merchantWith(FIRST_ONLY);
    const rec = dir.addRecommendation(m.id, agent.id, gbp(0));
    const subscriptionId = id('bsub');
    // The trial's checkout intent (settled at 0, recurring null: it pays no period); its code claims 0.
    const checkout = succeededPayload(keys, rec, { amountMinor: 0, intent: (r) => ({ ...r, amountMinor: 0, amountCapturedMinor: 0, checkoutTotal: { amountMinor: 0, currency: 'GBP' }, recurring: null }) });
    const trialEnd = renewal(checkout, 1, { subscriptionId, afterDays: 14, amountMinor: 1500, checkoutSessionId: null });
    expect(await feed.send('succeeded', trialEnd)).toBe('verified');
    expect(await feed.send('succeeded', renewal(trialEnd, 2))).toBe('recurring:no_commission');
    expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.verification, r.commission])).toEqual([[1, 'verified', 800]]);
    expect(await byPayment(trialEnd)).toMatchObject({ transactionValueMinor: 1500, subscriptionId, billingPeriod: 1 });
  });

  it('a renewal at a changed price (the intent names no checkout session) earns the percentage of what it paid', async () => {
    const m = merchantWith(EVERY_3, { type: CommissionType.PERCENTAGE, cpaMinor: null, cpaCurrency: null, percentageBps: 1000 });
    const { subscriptionId, first } = subscription(m.id, 2000);
    expect(await feed.send('succeeded', first)).toBe('verified');
    expect(await feed.send('succeeded', renewal(first, 2, { amountMinor: 2500, checkoutSessionId: null }))).toBe('verified');
    expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.commission])).toEqual([[1, 200], [2, 250]]);
  });
});

describe('the AAP code across periods', () => {
  it('a renewal is not a replay; the same subscription period paid again is', async () => {
    const m = merchantWith(EVERY_3);
    const { subscriptionId, first } = subscription(m.id);
    expect(await feed.send('succeeded', first)).toBe('verified');
    const second = renewal(first, 2);
    expect(await feed.send('succeeded', second)).toBe('verified');
    // Another payment for period 2 of the same subscription, same code: a replay, no commission, no lines.
    const again = renewal(first, 2);
    expect(await feed.send('succeeded', again)).toBe('flagged:replayed');
    expect(await byPayment(again)).toMatchObject({ verification: 'flagged:replayed', commissionPosted: false, commissionMinor: 0, billingPeriod: 2, subscriptionId });
    expect(await transactionKinds((await byPayment(again)).id)).toEqual([]);
    // Period 1 paid again likewise.
    expect(await feed.send('succeeded', renewal(first, 1))).toBe('flagged:replayed');
  });

  it('the code serves one subscription: another subscription, or a one-off payment, reusing it is a replay', async () => {
    const m = merchantWith(EVERY_3);
    const { first } = subscription(m.id);
    expect(await feed.send('succeeded', first)).toBe('verified');
    expect(await feed.send('succeeded', renewal(first, 2, { subscriptionId: id('bsub') }))).toBe('flagged:replayed');
    // A one-off payment of the same checkout session with the same code (payment-intent's record has no recurring).
    const oneOff: Payload = { ...renewal(first, 1), pspEvent: { ...first.pspEvent, id: `evt_${randomBytes(8).toString('hex')}` } };
    oneOff.paymentIntent = { ...oneOff.paymentIntent!, recurring: null, checkoutTotal: first.paymentIntent!.checkoutTotal };
    expect(await feed.send('succeeded', oneOff)).toBe('flagged:replayed');
  });

  it('a code a one-off payment redeemed does not pay a subscription period', async () => {
    const m = merchantWith(EVERY_3);
    const rec = dir.addRecommendation(m.id, agent.id, gbp(1000));
    const paid = succeededPayload(keys, rec);
    expect(await feed.send('succeeded', paid)).toBe('verified');
    const asSubscription = renewal({ ...paid, paymentIntent: { ...paid.paymentIntent!, recurring: { subscriptionId: id('bsub'), period: 1 } } }, 2);
    expect(await feed.send('succeeded', asSubscription)).toBe('flagged:replayed');
  });

  it('recurring is read from payment-intent\'s record only: PSP metadata claiming a renewal is a one-off reuse, a replay', async () => {
    const m = merchantWith(EVERY_3);
    const { first } = subscription(m.id);
    expect(await feed.send('succeeded', first)).toBe('verified');
    const claimed = renewal(first, 2);
    claimed.object.metadata = { ...claimed.object.metadata, subscription_id: first.paymentIntent!.recurring!.subscriptionId, billing_period: '2', recurring: '{"period":2}' };
    claimed.paymentIntent = { ...claimed.paymentIntent!, recurring: undefined, checkoutTotal: first.paymentIntent!.checkoutTotal };
    expect(await feed.send('succeeded', claimed)).toBe('flagged:replayed');
    expect(await byPayment(claimed)).toMatchObject({ subscriptionId: null, billingPeriod: null });
  });

  it('a renewal is still verified: a forged code, another checkout session or a mismatched recommendation on the intent is flagged', async () => {
    const m = merchantWith(EVERY_3);
    const { first } = subscription(m.id);
    expect(await feed.send('succeeded', first)).toBe('verified');
    const forged = renewal(first, 2);
    const code = forged.object.metadata!.aap_code!;
    forged.object.metadata = { ...forged.object.metadata, aap_code: code.slice(0, -4) + (code.endsWith('AAAA') ? 'BBBB' : 'AAAA') };
    expect(await feed.send('succeeded', forged)).toBe('flagged:bad_signature');
    const stray = renewal(first, 3, { checkoutSessionId: id('cs') });
    expect(await feed.send('succeeded', stray)).toBe('flagged:checkout_mismatch');
    const otherRec = renewal(first, 3);
    otherRec.paymentIntent = { ...otherRec.paymentIntent!, metadata: { ...otherRec.paymentIntent!.metadata, aap_recommendation_id: id('rec') } };
    expect(await feed.send('succeeded', otherRec)).toBe('flagged:recommendation_mismatch');
    // The flags redeemed nothing: the genuine period 3 still pays.
    expect(await feed.send('succeeded', renewal(first, 3))).toBe('verified');
  });
});

describe('refunds and disputes of renewals', () => {
  it('a full refund of period 2 claws back period 2 only, with reversal entries', async () => {
    const m = merchantWith(EVERY_3);
    const { subscriptionId, first } = subscription(m.id);
    const { payloads } = await payPeriods(first, 3);
    const p2 = payloads[1]!;
    expect(await feed.send('refunded', followUp(p2, 'charge.refunded', { amountRefunded: 1000, status: 'succeeded' }))).toBe('clawed_back');
    const rows = await conversionsOf(subscriptionId);
    expect(rows.map((r) => [r.period, r.status, r.commission])).toEqual([
      [1, 'PENDING', 800],
      [2, 'CLAWED_BACK', 0],
      [3, 'PENDING', 800],
    ]);
    const c2 = await byPayment(p2);
    expect(await transactionKinds(c2.id)).toEqual(['commission', 'reversal']);
    const net = (await app.dataSource.query(`SELECT sum(amount_minor)::int AS s FROM ledger.ledger_entries WHERE conversion_id = $1 GROUP BY account_type, account_owner`, [c2.id])) as Array<{ s: number }>;
    expect(net.every((r) => r.s === 0)).toBe(true);
    for (const p of [payloads[0]!, payloads[2]!]) expect(await transactionKinds((await byPayment(p)).id)).toEqual(['commission']);
  });

  it('a dispute of period 3 opened then lost claws back period 3 only', async () => {
    const m = merchantWith(EVERY_3);
    const { subscriptionId, first } = subscription(m.id);
    const { payloads } = await payPeriods(first, 3);
    const p3 = payloads[2]!;
    expect(await feed.send('dispute_opened', followUp(p3, 'charge.dispute.created', { dispute: { id: 'dp_1', status: 'needs_response' } }))).toBe('disputed');
    expect(await feed.send('dispute_closed', followUp(p3, 'charge.dispute.closed', { dispute: { id: 'dp_1', status: 'lost' } }))).toBe('clawed_back');
    expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.verification, r.status, r.commission])).toEqual([
      [1, 'verified', 'PENDING', 800],
      [2, 'verified', 'PENDING', 800],
      [3, 'verified', 'CLAWED_BACK', 0],
    ]);
    expect(await transactionKinds((await byPayment(p3)).id)).toEqual(['commission', 'reversal']);
  });

  it('a refund of a period that earned nothing ends recurring:no_commission, also when it arrives before its payment', async () => {
    const m = merchantWith(FIRST_ONLY);
    const { subscriptionId, first } = subscription(m.id);
    expect(await feed.send('succeeded', first)).toBe('verified');
    const p2 = renewal(first, 2);
    expect(await feed.send('succeeded', p2)).toBe('recurring:no_commission');
    expect(await feed.send('refunded', followUp(p2, 'charge.refunded', { amountRefunded: 1000 }))).toBe('recurring:no_commission');

    const p3 = renewal(first, 3);
    const refund = followUp(p3, 'charge.refunded', { amountRefunded: 1000 });
    const refunded = feed.send('refunded', refund);
    // The refund found no conversion and waits (delayed, to be promoted) before its payment arrives.
    await waitFor(async () => (await feed.queue.getJobs(['delayed'])).some((j) => j.data.payload.pspEvent.id === refund.pspEvent.id), 'the early refund to wait');
    expect(await feed.send('succeeded', p3)).toBe('recurring:no_commission');
    expect(await refunded).toBe('recurring:no_commission');
    expect((await conversionsOf(subscriptionId)).map((r) => r.period)).toEqual([1]);
    expect(await transactionKinds((await byPayment(first)).id)).toEqual(['commission']);
  });
});

describe('redelivery', () => {
  it("two deliveries of one renewal's event at once make one conversion (and of one uncommissioned period, one row)", async () => {
    for (let round = 0; round < 3; round++) {
      const m = merchantWith(EVERY_3);
      const { subscriptionId, first } = subscription(m.id);
      expect(await feed.send('succeeded', first)).toBe('verified');
      const p2 = renewal(first, 2);
      const sameEvent = await Promise.all([feed.send('succeeded', p2), feed.send('succeeded', redelivery(p2, true))]);
      expect(sameEvent.sort()).toEqual(['duplicate_event', 'verified']);
      const p3 = renewal(first, 3);
      const otherEvent = await Promise.all([feed.send('succeeded', p3), feed.send('succeeded', redelivery(p3, false))]);
      expect(otherEvent.filter((o) => o === 'verified')).toHaveLength(1);
      expect(otherEvent.filter((o) => o !== 'verified')).toEqual([expect.stringMatching(/^duplicate_(event|payment)$/)]);
      const p4 = renewal(first, 4);
      const uncommissioned = await Promise.all([feed.send('succeeded', p4), feed.send('succeeded', redelivery(p4, false))]);
      expect(uncommissioned.filter((o) => o === 'recurring:no_commission')).toHaveLength(1);
      expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.verification])).toEqual([
        [1, 'verified'],
        [2, 'verified'],
        [3, 'verified'],
      ]);
      expect(await uncommissionedOf(subscriptionId)).toEqual([4]);
    }
  });

  it('two periods of one subscription paid at once (the same code, each redeemed under the code\'s lock): both verified', async () => {
    for (let round = 0; round < 3; round++) {
      const m = merchantWith(EVERY_3);
      const { subscriptionId, first } = subscription(m.id);
      const outcomes = await Promise.all([feed.send('succeeded', first), feed.send('succeeded', renewal(first, 2)), feed.send('succeeded', renewal(first, 3))]);
      expect(outcomes).toEqual(['verified', 'verified', 'verified']);
      expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.verification, r.posted])).toEqual([
        [1, 'verified', true],
        [2, 'verified', true],
        [3, 'verified', true],
      ]);
    }
  });

  it('two payments of one subscription period at once (the same code): one verified, one replay', async () => {
    for (let round = 0; round < 3; round++) {
      const m = merchantWith(EVERY_3);
      const { subscriptionId, first } = subscription(m.id);
      expect(await feed.send('succeeded', first)).toBe('verified');
      const outcomes = await Promise.all([feed.send('succeeded', renewal(first, 2)), feed.send('succeeded', renewal(first, 2))]);
      expect(outcomes.sort()).toEqual(['flagged:replayed', 'verified']);
      expect((await conversionsOf(subscriptionId)).map((r) => [r.period, r.verification, r.posted, r.lines > 0])).toEqual([
        [1, 'verified', true, true],
        [2, 'flagged:replayed', false, false],
        [2, 'verified', true, true],
      ]);
    }
  });
});

describe('GraphQL', () => {
  it('Conversion.subscriptionId and billingPeriod, null for a one-off payment', async () => {
    const m = merchantWith(EVERY_3);
    const { subscriptionId, first } = subscription(m.id);
    const { payloads } = await payPeriods(first, 2);
    const oneOff = succeededPayload(keys, dir.addRecommendation(m.id, agent.id, gbp(1000)));
    expect(await feed.send('succeeded', oneOff)).toBe('verified');
    const merchant: Principal = { kind: 'MERCHANT', keyId: 'k', merchantId: m.id };
    const Q = `query($id: ID!) { conversion(id: $id) { subscriptionId billingPeriod verification } }`;
    const read = async (p: Payload) => (await call(merchant, Q, { id: (await byPayment(p)).id })).data?.conversion;
    expect(await read(payloads[1]!)).toEqual({ subscriptionId, billingPeriod: 2, verification: 'verified' });
    expect(await read(payloads[0]!)).toEqual({ subscriptionId, billingPeriod: 1, verification: 'verified' });
    expect(await read(oneOff)).toEqual({ subscriptionId: null, billingPeriod: null, verification: 'verified' });
  });
});
