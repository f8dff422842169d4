// Settlement against real PostgreSQL and Redis: seed 001's numbers through validation,
// milestones and batches; reruns and concurrent runs; anonymous agents' held shares (released
// or never invoiced); clawbacks after payout as negative lines; the job scheduler; 100,000
// conversions in one set-based run. Each test settles its own period (2040-01-dd).
import { formatDecimal, money, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { checkLedger, type LedgerCheckResult } from '../src/books/ledger-check.js';
import { AccountType, postTransaction } from '../src/books/ledger.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { SETTLEMENT_QUEUE } from '../src/settlement/settlement.job.js';
import { SettlementService } from '../src/settlement/settlement.service.js';
import {
  expectBooksBalanced, FakeDirectory, followUp, gbp, PaymentEventFeed, startLedger, succeededPayload, testKeys,
} from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const admin: Principal = { kind: 'ADMIN', keyId: 'k_admin' };
const flow = { type: 'instant_checkout', steps: ['payment_received', 'order_confirmed'], payableAfter: 'order_confirmed' };
let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

const RUN = `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id period payee payeeType total { amountMinor currency amount } status lineCount } }`;
const PAID = `mutation($id: ID!) { markBatchPaid(id: $id) { id status } }`;
const MILESTONE = `mutation($id: ID!) { recordMilestone(conversionId: $id, input: { step: "order_confirmed", status: "completed" }) { id } }`;
const STATEMENT = `query($id: ID!, $after: String) { settlementBatch(id: $id) { id lines(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind amount { amountMinor currency } conversion { id } } } } } }`;
const BATCHES = `query($period: String) { settlementBatches(period: $period, first: 100) { totalCount edges { node { id payee total { amountMinor } conversions(first: 100) { totalCount edges { node { id status } } } } } } }`;

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

const conv = (paymentId: string) => app.dataSource.getRepository(ConversionEntity).findOneByOrFail({ paymentKey: `test:${paymentId}` });

/** A verified conversion made payable-ready: validated after 1 day, order confirmed. */
async function payableConversion(merchant: { id: string }, agent: { id: string }, confirm = true) {
  const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
  const p = succeededPayload(keys, rec, { created: Math.floor(Date.UTC(2039, 11, 1) / 1000), expiresAt: 4102444800 });
  expect(await feed.send('succeeded', p)).toBe('verified');
  const c = await conv(p.object.id);
  if (confirm) expect((await call({ kind: 'MERCHANT', keyId: 'k', merchantId: merchant.id }, MILESTONE, { id: c.id })).errors).toBeUndefined();
  return { p, c };
}

const run = async (day: number): Promise<Array<{ id: string; payee: string; payeeType?: string; total: { amountMinor: number; amount: string }; status?: string; lineCount: number }>> => {
  const res = await call(admin, RUN, { asOf: `2040-01-${String(day).padStart(2, '0')}T12:00:00.000Z` });
  expect(res.errors).toBeUndefined();
  return res.data!.runSettlement;
};
const forPayee = (batches: Awaited<ReturnType<typeof run>>, payee: string) => batches.filter((b) => b.payee === payee);

describe('runSettlement', () => {
  it("settles seed 001's example: builder payout 6.40 and merchant invoice 8.00; a rerun is a no-op; PAID after payment", async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const agent = dir.addAgent(true);
    const { c } = await payableConversion(merchant, agent);
    const unconfirmed = await payableConversion(merchant, agent, false);
    const batches = await run(1);
    const [payout] = forPayee(batches, `builder:${agent.builder!.id}`);
    const [invoice] = forPayee(batches, `merchant:${merchant.id}`);
    expect(payout).toMatchObject({ payeeType: 'builder', total: { amountMinor: 640, amount: '6.40' }, lineCount: 1, status: 'OPEN' });
    expect(invoice).toMatchObject({ payeeType: 'merchant', total: { amountMinor: 800, amount: '8.00' }, lineCount: 1 });
    expect((await conv(unconfirmed.p.object.id)).status).toBe('VALIDATED');
    expect((await conv(c.paymentKey!.slice(5))).status).toBe('PAYABLE');

    const again = await run(1);
    expect(again.map((b) => b.id).sort()).toEqual(batches.map((b) => b.id).sort());
    const lines = await app.dataSource.query(`SELECT count(*)::int AS n FROM ledger.settlement_lines WHERE conversion_id = $1`, [c.id]);
    expect(lines[0].n).toBe(2);

    const paidRes = await call(admin, PAID, { id: payout!.id });
    expect(paidRes.errors).toBeUndefined();
    expect(paidRes.data?.markBatchPaid.status).toBe("PAID");
    expect((await conv(c.paymentKey!.slice(5))).status).toBe('PAID');
    await call(admin, PAID, { id: invoice!.id });
    await call(admin, PAID, { id: invoice!.id }); // already paid: nothing happens
    // settlement.batch_paid: the merchant hears of its invoice paid, once, in the transaction that
    // paid it; a builder's payout is no merchant's event.
    const batchPaid = await app.dataSource.query(
      `SELECT w.aggregate_id, w.payload, (SELECT count(*)::int FROM ledger.ledger_transactions t WHERE t.batch_id = w.payload->'object'->>'id' AND t.created_at = w.created_at) AS twins
         FROM ledger.outbox w WHERE w.topic = 'webhook_event.settlement.batch_paid' AND w.payload->'object'->>'id' = ANY($1::text[])`,
      [[payout!.id, invoice!.id]],
    );
    expect(batchPaid).toHaveLength(1);
    expect(batchPaid[0]).toMatchObject({
      aggregate_id: merchant.id,
      twins: 1,
      payload: {
        type: 'settlement.batch_paid', merchantId: merchant.id,
        object: { id: invoice!.id, object: 'settlement_batch', kind: 'invoice', period: '2040-01-01', status: 'paid', currency: 'GBP', total: 800, line_count: 1 },
        previousAttributes: { status: 'open', paid_at: null },
      },
    });
    const listed = await call(admin, BATCHES, { period: '2040-01-01' });
    const node = listed.data?.settlementBatches.edges.find((e: any) => e.node.id === payout!.id)?.node;
    expect(node.conversions.edges.map((e: any) => e.node)).toEqual([{ id: c.id, status: 'PAID' }]);
    const asMerchant = await call({ kind: 'MERCHANT', keyId: 'k', merchantId: merchant.id }, BATCHES, { period: '2040-01-01' });
    expect(asMerchant.data?.settlementBatches.edges.map((e: any) => e.node.payee)).toEqual([`merchant:${merchant.id}`]);
  });

  it('two runs at once make one set of batches; a conversion is in at most one batch per payee', async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const agent = dir.addAgent(true);
    await payableConversion(merchant, agent);
    await payableConversion(merchant, agent);
    const [a, b] = await Promise.all([run(2), run(2)]);
    expect(a!.map((x) => x.id).sort()).toEqual(b!.map((x) => x.id).sort());
    expect(forPayee(a!, `builder:${agent.builder!.id}`)[0]).toMatchObject({ total: { amountMinor: 1280 }, lineCount: 2 });
    const dupes = await app.dataSource.query(
      `SELECT conversion_id FROM ledger.settlement_lines WHERE kind = 'commission' GROUP BY conversion_id, payee_type HAVING count(*) > 1`,
    );
    expect(dupes).toEqual([]);
  });

  it("releases an anonymous agent's held share if its builder registered before settlement, else never invoices it", async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const late = dir.addAgent(null);
    const never = dir.addAgent(null);
    const released = await payableConversion(merchant, late);
    const forfeited = await payableConversion(merchant, never);
    const builderId = 'bld_registered_late';
    dir.agents.set(late.id, { id: late.id, builder: { id: builderId, registered: true } });
    const batches = await run(3);
    expect(forPayee(batches, `builder:${builderId}`)[0]).toMatchObject({ total: { amountMinor: 640 } });
    expect(forPayee(batches, `merchant:${merchant.id}`)[0]).toMatchObject({ total: { amountMinor: 800 + 160 }, lineCount: 2 });
    expect(await conv(released.p.object.id)).toMatchObject({ builderId, builderPayoutMinor: 640, unclaimedMinor: 0, forfeitedMinor: 0 });
    expect(await conv(forfeited.p.object.id)).toMatchObject({ builderPayoutMinor: 0, unclaimedMinor: 0, forfeitedMinor: 640 });
  });

  it('a clawback after payout is a negative line in the builder’s next batch; a refund before payment is never paid', async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const agent = dir.addAgent(true);
    const payee = `builder:${agent.builder!.id}`;
    const first = await payableConversion(merchant, agent);
    const [payout] = forPayee(await run(4), payee);
    await call(admin, PAID, { id: payout!.id });
    expect(await feed.send('refunded', followUp(first.p, 'charge.refunded', { amountRefunded: 1000 }))).toBe('clawed_back');

    await payableConversion(merchant, agent);
    await payableConversion(merchant, agent);
    const [next] = forPayee(await run(5), payee);
    expect(next).toMatchObject({ total: { amountMinor: 640 + 640 - 640 }, lineCount: 3 });
    const negative = await app.dataSource.query(`SELECT kind, amount_minor::int AS amount FROM ledger.settlement_lines WHERE batch_id = $1 AND conversion_id = $2`, [next!.id, first.c.id]);
    expect(negative).toEqual([{ kind: 'adjustment', amount: -640 }]);
    // The same statement through the graph, a page at a time: each line's own amount, adding up to the total.
    const lines: Array<{ kind: string; amount: { amountMinor: number; currency: string }; conversion: { id: string } }> = [];
    let after: string | undefined;
    do {
      const res = await call(admin, STATEMENT, { id: next!.id, after });
      expect(res.errors).toBeUndefined();
      const page = res.data!.settlementBatch.lines;
      expect(page.totalCount).toBe(3);
      lines.push(...page.edges.map((e: any) => e.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
    } while (after);
    expect(lines).toHaveLength(3);
    expect(lines.reduce((sum, l) => sum + l.amount.amountMinor, 0)).toBe(640);
    expect(lines.find((l) => l.conversion.id === first.c.id)).toEqual({ kind: 'adjustment', amount: { amountMinor: -640, currency: 'GBP' }, conversion: { id: first.c.id } });
    expect(lines.filter((l) => l.kind === 'commission').map((l) => l.amount.amountMinor)).toEqual([640, 640]);
    // By id only for whom it is: its builder's agent, not the merchant, another builder's agent or an unknown id.
    expect((await call({ kind: 'AGENT', keyId: 'k', agentId: agent.id }, STATEMENT, { id: next!.id })).data?.settlementBatch?.id).toBe(next!.id);
    expect((await call({ kind: 'MERCHANT', keyId: 'k', merchantId: merchant.id }, STATEMENT, { id: next!.id })).data?.settlementBatch).toBeNull();
    expect((await call({ kind: 'AGENT', keyId: 'k', agentId: dir.addAgent(true).id }, STATEMENT, { id: next!.id })).data?.settlementBatch).toBeNull();
    expect((await call(admin, STATEMENT, { id: 'bat_unknown' })).data?.settlementBatch).toBeNull();

    // Refunded while its batch waits for payment: the payout is refused rather than paid and forgotten.
    const solo = dir.addAgent(true);
    const pending = await payableConversion(merchant, solo);
    const [soloBatch] = forPayee(await run(6), `builder:${solo.builder!.id}`);
    await feed.send('refunded', followUp(pending.p, 'charge.refunded', { amountRefunded: 1000 }));
    const refused = await call(admin, PAID, { id: soloBatch!.id });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', reason: 'batch:would_overdraw' });
  });
});

describe('a refund that lands while a batch is built', () => {
  it('is excluded or clawed back in the next batch: what is paid is exactly what is still owed', async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const agent = dir.addAgent(true);
    const builder = `builder:${agent.builder!.id}`;
    const ready = [];
    for (let i = 0; i < 10; i++) ready.push(await payableConversion(merchant, agent));
    const refunded = ready.filter((_, i) => i % 2 === 0);
    // The run and five full refunds at once: each refund lands before, during or after the build.
    await Promise.all([
      run(7),
      ...refunded.map((r) => feed.send('refunded', followUp(r.p, 'charge.refunded', { amountRefunded: 1000 }))),
    ]);
    for (const r of refunded) expect(await conv(r.p.object.id)).toMatchObject({ status: 'CLAWED_BACK', commissionMinor: 0 });
    // As much new business before the next period: when every refund landed in the first batch, the
    // next batch nets to zero, and is still made so its lines are recorded and its conversions paid.
    for (let i = 0; i < 5; i++) await payableConversion(merchant, agent);
    await run(8);
    const unpaidLines: Array<{ n: number }> = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM ledger.conversions c WHERE c.merchant_id = $1 AND c.status = 'PAYABLE'
          AND NOT EXISTS (SELECT 1 FROM ledger.settlement_lines l WHERE l.conversion_id = c.id AND l.kind = 'commission')`,
      [merchant.id],
    );
    expect(unpaidLines[0]!.n).toBe(0);

    // Every batch of these two payees, whichever run made it (runs of other test files settle too).
    const mine: Array<{ id: string; payee: string; total: number }> = await app.dataSource.query(
      `SELECT id, payee_type || ':' || payee_id AS payee, total_minor::int AS total FROM ledger.settlement_batches
        WHERE (payee_type = 'builder' AND payee_id = $1) OR (payee_type = 'merchant' AND payee_id = $2) ORDER BY created_at, id`,
      [agent.builder!.id, merchant.id],
    );
    const lines: Array<{ conversion_id: string; payee_type: string; amount: number }> = await app.dataSource.query(
      `SELECT conversion_id, payee_type, amount_minor::int AS amount FROM ledger.settlement_lines WHERE batch_id = ANY($1::text[])`,
      [mine.map((b) => b.id)],
    );
    const net = (conversionId: string, payee: string) =>
      lines.filter((l) => l.conversion_id === conversionId && l.payee_type === payee).reduce((n, l) => n + l.amount, 0);
    for (const r of refunded) expect([net(r.c.id, 'builder'), net(r.c.id, 'merchant')]).toEqual([0, 0]);
    for (const r of ready.filter((x) => !refunded.includes(x))) expect([net(r.c.id, 'builder'), net(r.c.id, 'merchant')]).toEqual([640, 800]);
    expect(mine.filter((b) => b.payee === builder).reduce((n, b) => n + b.total, 0)).toBe(640 * 10);

    // Every batch can be paid, and paying them all leaves the builder and the merchant at exactly zero.
    for (const b of mine) expect((await call(admin, PAID, { id: b.id })).errors).toBeUndefined();
    const balances: Array<{ account_type: string; balance: number }> = await app.dataSource.query(
      `SELECT account_type, balance_minor::int AS balance FROM ledger.ledger_accounts
        WHERE (account_type = 'builder_payable' AND account_owner = $1) OR (account_type = 'merchant_receivable' AND account_owner = $2) ORDER BY 1`,
      [agent.builder!.id, merchant.id],
    );
    expect(balances).toEqual([{ account_type: 'builder_payable', balance: 0 }, { account_type: 'merchant_receivable', balance: 0 }]);
    const live = await app.dataSource.query(`SELECT DISTINCT status FROM ledger.conversions WHERE merchant_id = $1 AND status <> 'CLAWED_BACK'`, [merchant.id]);
    expect(live).toEqual([{ status: 'PAID' }]);
  });
});

describe('ledgerCheck after a clawback after payout', () => {
  const CHECK = `{ ledgerCheck { balanced overdrawnAccounts unbalancedTransactions balanceMismatches conversionMismatches } }`;
  const builderBalance = async (builderId: string) =>
    (await app.dataSource.query(
      `SELECT balance_minor::int AS b FROM ledger.ledger_accounts WHERE account_type = 'builder_payable' AND account_owner = $1 AND currency = 'GBP'`,
      [builderId],
    ))[0]?.b;

  /** A builder paid 6.40 for a conversion that is then refunded in full, with no later business. */
  async function clawedBackAfterPayout(day: number) {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const agent = dir.addAgent(true);
    const { p } = await payableConversion(merchant, agent);
    const [payout] = forPayee(await run(day), `builder:${agent.builder!.id}`);
    expect(payout).toMatchObject({ total: { amountMinor: 640 } });
    expect((await call(admin, PAID, { id: payout!.id })).errors).toBeUndefined();
    expect(await feed.send('refunded', followUp(p, 'charge.refunded', { amountRefunded: 1000 }))).toBe('clawed_back');
    return agent.builder!.id;
  }

  it('is balanced: what the builder owes back is a receivable, not an overdraft', async () => {
    const builderId = await clawedBackAfterPayout(9);
    expect(await builderBalance(builderId)).toBe(640); // debit: the builder owes 6.40 back
    const res = await call(admin, CHECK);
    expect(res.errors).toBeUndefined();
    expect(res.data?.ledgerCheck).toEqual({ balanced: true, overdrawnAccounts: [], unbalancedTransactions: [], balanceMismatches: [], conversionMismatches: [] });
  });

  it('still reports an account paid more than it was owed, beyond any clawback', async () => {
    const owesBack = await clawedBackAfterPayout(10);
    const neverOwed = dir.addAgent(true).builder!.id;
    const rollback = new Error('test-only postings: roll back');
    let inside: LedgerCheckResult | undefined;
    // Balanced transactions that pay out more than is owed: 0.01 beyond the 6.40 clawed back, and
    // 5.00 to a builder owed nothing. Checked uncommitted, then rolled back.
    await expect(app.dataSource.transaction(async (m) => {
      for (const [owner, amountMinor] of [[owesBack, 1], [neverOwed, 500]] as const) {
        await postTransaction(m, {
          kind: 'payout', currency: 'GBP', memo: 'test: a payout of more than was owed',
          entries: [{ accountType: AccountType.BUILDER_PAYABLE, owner, amountMinor }, { accountType: AccountType.SETTLEMENT_CASH, owner: '', amountMinor: -amountMinor }],
        });
      }
      inside = await checkLedger(m);
      throw rollback;
    })).rejects.toBe(rollback);
    expect(inside).toMatchObject({ balanced: false, unbalancedTransactions: [], balanceMismatches: [] });
    expect([...inside!.overdrawnAccounts].sort()).toEqual([`builder_payable:${neverOwed}:GBP`, `builder_payable:${owesBack}:GBP`].sort());
    expect((await call(admin, CHECK)).data?.ledgerCheck).toMatchObject({ balanced: true, overdrawnAccounts: [] });
  });
});

describe('the settlement job scheduler', () => {
  it('is upserted on every start: exactly one', async () => {
    const other = await startLedger(dir, keys);
    const w2 = await other.app.startWorkers();
    const queue = new Queue(SETTLEMENT_QUEUE, { connection: { url: other.env.redisUrl }, prefix: other.env.queuePrefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([['ledger-settlement-daily', '0 2 * * *']]);
    } finally {
      await queue.close();
      await w2.close();
      await other.server.close();
      await other.app.close();
    }
  });
});

describe('100,000 conversions', () => {
  it('settle in one set-based run with exact totals', async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const builderId = 'bld_bulk';
    await app.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO ledger.conversions (id, merchant_id, agent_id, builder_id, status, conversion_path, verification, currency,
           transaction_value_minor, validation_period_days, validates_at, commission_type, cpa_minor, commission_minor,
           network_fee_minor, builder_payout_minor, commission_posted, payable_after, payable_since)
         SELECT 'bulk_' || g, $1, 'agt_bulk', $2, 'PENDING', 'MERCHANT_REPORTED', 'pending_validation', 'GBP', 1000, 1,
                '2039-12-01', 'CPA', 800, 800, 160, 640, true, 'order_confirmed', '2039-12-01'
           FROM generate_series(1, 100000) g`,
        [merchant.id, builderId],
      );
      await m.query(`INSERT INTO ledger.ledger_transactions (id, kind, conversion_id) SELECT 'tx_bulk_' || g, 'commission', 'bulk_' || g FROM generate_series(1, 100000) g`);
      await m.query(
        `INSERT INTO ledger.ledger_entries (transaction_id, conversion_id, account_type, account_owner, currency, amount_minor)
         SELECT 'tx_bulk_' || g, 'bulk_' || g, a.t, a.o, 'GBP', a.amount FROM generate_series(1, 100000) g,
                (VALUES ('merchant_receivable', $1::text, 800), ('network_revenue', '', -160), ('builder_payable', $2::text, -640)) a(t, o, amount)`,
        [merchant.id, builderId],
      );
      await m.query(
        `INSERT INTO ledger.ledger_accounts (account_type, account_owner, currency, balance_minor)
         VALUES ('merchant_receivable', $1, 'GBP', 80000000), ('network_revenue', '', 'GBP', -16000000), ('builder_payable', $2, 'GBP', -64000000)
         ON CONFLICT (account_type, account_owner, currency) DO UPDATE SET balance_minor = ledger_accounts.balance_minor + EXCLUDED.balance_minor`,
        [merchant.id, builderId],
      );
    });
    // The service without the relay's notifier: this test checks the 100,000 events are written,
    // then marks them delivered so no relay of this shared schema spends minutes publishing them.
    const settlement = new SettlementService(app.dataSource, dir, { notify: () => undefined });
    const started = Date.now();
    const batches = (await settlement.run(admin, new Date('2040-01-20T12:00:00.000Z'))).map((b) => ({
      id: b.id, payee: `${b.payee_type}:${b.payee_id}`, total: { amountMinor: Number(b.total_minor), amount: formatDecimal(money(b.total_minor, b.currency)) }, lineCount: b.line_count,
    }));
    const took = Date.now() - started;
    const events = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM ledger.outbox WHERE topic = 'conversion.updated' AND aggregate_id LIKE 'bulk\\_%'`,
    );
    await app.dataSource.query(
      `UPDATE ledger.outbox SET published_at = now(), delivered_at = now()
        WHERE topic = 'conversion.updated' AND aggregate_id LIKE 'bulk\\_%' AND published_at IS NULL`,
    );
    expect(events[0].n).toBe(100_000);
    expect(forPayee(batches, `builder:${builderId}`)[0]).toMatchObject({ total: { amountMinor: 64_000_000, amount: '640000.00' }, lineCount: 100_000 });
    expect(forPayee(batches, `merchant:${merchant.id}`)[0]).toMatchObject({ total: { amountMinor: 80_000_000 }, lineCount: 100_000 });
    expect(took).toBeLessThan(60_000);
    const again = Date.now();
    expect((await settlement.run(admin, new Date('2040-01-20T18:00:00.000Z'))).length).toBe(batches.length);
    expect(Date.now() - again).toBeLessThan(5_000);
  }, 180_000);
});
