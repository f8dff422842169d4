// The ledger's audit rows (issue 19 item 5), against real PostgreSQL and Redis, on a database and a
// queue prefix of its own (a settlement run settles every eligible conversion of its database): a
// verified payment writes `audit.conversion.created` with the PSP's event as its actor, a milestone
// the merchant's change with the fields that moved, each in the statement of its
// `conversion.updated`; a settlement run writes one `audit.settlement_batch.created` per batch
// (not one per conversion), markBatchPaid one `audit.settlement_batch.paid`; every row is routed
// to the merchant subgraph's audit intake.
import { randomBytes } from 'node:crypto';
import { AUDIT_LOG_QUEUE, routedQueues, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase } from '../../../test/support/scratch-database.js';
import { signedCaller } from '../../../test/support/signed-call.js';
import { outboxRoutes } from '../src/app.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { FakeDirectory, gbp, PaymentEventFeed, startLedger, succeededPayload, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const admin: Principal = { kind: 'ADMIN', keyId: 'k_admin_audit' };
const flow = { type: 'instant_checkout', steps: ['payment_received', 'order_confirmed'], payableAfter: 'order_confirmed' };
const prefix = `audit-${randomBytes(4).toString('hex')}`;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

const MILESTONE = `mutation($id: ID!) { recordMilestone(conversionId: $id, input: { step: "order_confirmed", status: "completed" }) { id } }`;
const RUN = `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id payeeType status lineCount } }`;
const PAID = `mutation($id: ID!) { markBatchPaid(id: $id) { id status } }`;

interface Row {
  topic: string;
  aggregate_id: string;
  payload: Record<string, any>;
  xmin: string;
}
const auditOf = (aggregateId: string) =>
  app.dataSource.query(`SELECT topic, aggregate_id, payload, xmin::text FROM ledger.outbox WHERE topic LIKE 'audit.%' AND aggregate_id = $1 ORDER BY id`, [aggregateId]) as Promise<Row[]>;
const updatedXmins = async (conversionId: string) =>
  ((await app.dataSource.query(`SELECT xmin::text FROM ledger.outbox WHERE topic = 'conversion.updated' AND aggregate_id = $1 ORDER BY id`, [conversionId])) as Array<{ xmin: string }>).map(
    (r) => r.xmin,
  );

beforeAll(async () => {
  scratch = await scratchDatabase('ledger_audit');
  let secret: string;
  ({ app, server, secret } = await startLedger(dir, keys, { DATABASE_URL: scratch.url, QUEUE_PREFIX: prefix }));
  call = signedCaller(server.url, secret);
  workers = await app.startWorkers();
  feed = new PaymentEventFeed(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix);
}, 60_000);

afterAll(async () => {
  await feed?.close();
  await workers?.close();
  await server?.close();
  await app?.close();
  await scratch?.drop();
});

describe("the ledger's audit rows", () => {
  it('are routed to the audit intake', () => {
    expect(routedQueues(outboxRoutes, 'audit.conversion.created')).toEqual([AUDIT_LOG_QUEUE]);
    expect(routedQueues(outboxRoutes, 'audit.settlement_batch.paid')).toEqual([AUDIT_LOG_QUEUE]);
  });

  it("name each conversion change, its actor and the fields that moved; a settlement audits its batches", async () => {
    const merchant = dir.addMerchant({ validationPeriodDays: 1, flow });
    const agent = dir.addAgent(true);
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec, { created: Math.floor(Date.UTC(2039, 11, 1) / 1000), expiresAt: 4102444800 });
    expect(await feed.send('succeeded', p)).toBe('verified');
    const c = await app.dataSource.getRepository(ConversionEntity).findOneByOrFail({ paymentKey: `test:${p.object.id}` });

    // The verified payment: created, by the PSP's event, in its conversion.updated's statement.
    let rows = await auditOf(c.id);
    expect(rows[0]!.payload).toMatchObject({
      entityType: 'conversion',
      entityId: c.id,
      merchantId: merchant.id,
      action: 'created',
      actor: { kind: 'psp_webhook', id: `test:${p.pspEvent.id}` },
      before: null,
      after: { status: c.status, commissionMinor: 800, builderPayoutMinor: 640 },
    });
    expect(rows[0]!.payload.after).not.toHaveProperty('updatedAt');
    // Written by a transaction that wrote a conversion.updated of it (the same xmin). Not matched
    // by position: a CI rehearsal saw the first conversion.updated by outbox id come from the
    // transaction after the audit row's (xmin 284165 against 284164).
    expect(await updatedXmins(c.id)).toEqual(expect.arrayContaining(rows.map((r) => r.xmin)));

    // The merchant confirms the order: what moved, by the merchant's key.
    const merchantKey: Principal = { kind: 'MERCHANT', keyId: 'k_merchant_audit', merchantId: merchant.id };
    expect((await call(merchantKey, MILESTONE, { id: c.id })).errors).toBeUndefined();
    rows = await auditOf(c.id);
    const milestone = rows.at(-1)!.payload;
    expect(milestone.actor).toEqual({ kind: 'merchant', id: 'k_merchant_audit' });
    expect(milestone.before.version).toBe(milestone.after.version - 1);
    expect(Object.keys(milestone.before).sort()).toEqual(Object.keys(milestone.after).sort());

    // A settlement run: one row per batch (builder payout, merchant invoice), by the admin; none per conversion.
    const before = rows.length;
    const run = await call(admin, RUN, { asOf: '2040-01-01T12:00:00.000Z' });
    expect(run.errors).toBeUndefined();
    const batches = run.data!.runSettlement as Array<{ id: string; payeeType: string }>;
    expect(batches).toHaveLength(2);
    for (const b of batches) {
      const [made] = await auditOf(b.id);
      expect(made!.topic).toBe('audit.settlement_batch.created');
      expect(made!.payload).toMatchObject({
        entityType: 'settlement_batch',
        action: 'created',
        actor: { kind: 'admin', id: 'k_admin_audit' },
        merchantId: b.payeeType === 'merchant' ? merchant.id : null,
        after: { status: 'open', line_count: 1, currency: 'GBP' },
      });
    }
    expect((await auditOf(c.id)).length).toBe(before);

    // The merchant's invoice is paid: the batch's row stands for its conversions' move to PAID.
    const invoice = batches.find((b) => b.payeeType === 'merchant')!;
    expect((await call(admin, PAID, { id: invoice.id })).errors).toBeUndefined();
    const paid = (await auditOf(invoice.id)).find((r) => r.topic === 'audit.settlement_batch.paid');
    expect(paid!.payload).toMatchObject({ actor: { kind: 'admin' }, before: { status: 'open', paid_at: null }, after: { status: 'paid', paid_at: expect.any(String) } });
    expect((await auditOf(c.id)).length).toBe(before);
  });
});
