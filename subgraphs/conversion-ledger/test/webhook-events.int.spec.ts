// The merchant's webhook events of the ledger (issue 19, producer side), against real PostgreSQL
// and Redis: conversion.created (verified payment, flagged payment, merchant report),
// milestone.recorded, conversion.verified (an approved flag), conversion.clawed_back (full refund,
// lost dispute) — each exactly one `webhook_event.*` row to the conversion's merchant, written by
// the statement of the change's `conversion.updated` (the same transaction), none for a refused or
// repeated change or a move merchants do not subscribe to. (settlement.batch_paid is checked in
// settlement.int.spec.ts, which owns the settlement periods.)
import { OUTBOUND_WEBHOOK_EVENTS_QUEUE, routedQueues, type Principal, type RunningServer, type SubgraphApp, type WebhookEventPayload } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signedCaller } from '../../../test/support/signed-call.js';
import { outboxRoutes } from '../src/app.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { clawBack, lockConversion, saveAndAnnounce } from '../src/conversion/conversion.store.js';
import { conversionWebhookEvent, conversionWebhookObject } from '../src/conversion/conversion.webhook-events.js';
import { expectBooksBalanced, FakeDirectory, followUp, gbp, id, PaymentEventFeed, startLedger, succeededPayload, testKeys } from './ledger-fixtures.js';

const keys = testKeys();
const dir = new FakeDirectory();
const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
const merchant = dir.addMerchant();
const agent = dir.addAgent(true);
const asMerchant: Principal = { kind: 'MERCHANT', keyId: 'k_m', merchantId: merchant.id };

const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`;
const MILESTONE = `mutation($id: ID!, $step: String!) { recordMilestone(conversionId: $id, input: { step: $step, status: "completed", metadata: { order: "A-1" } }) { id } }`;
const RESOLVE = `mutation($id: ID!, $approve: Boolean!) { resolveFlaggedConversion(id: $id, approve: $approve, reason: "checked by hand") { id status } }`;

let app: SubgraphApp;
let server: RunningServer;
let feed: PaymentEventFeed;
let workers: { close(): Promise<void> };
let call: ReturnType<typeof signedCaller>;

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

interface Row {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: WebhookEventPayload;
  twins: number;
}

/**
 * A conversion's webhook rows to its merchant (`audience: 'agent'` rows go to the agent's endpoints
 * only), each with how many `conversion.updated` rows its transaction wrote for it (the same now()).
 */
const webhookRows = async (conversionId: string, audience: 'all' | 'agent' = 'all'): Promise<Row[]> =>
  app.dataSource.query(
    `SELECT w.id::text AS id, w.topic, w.aggregate_id, w.payload,
            (SELECT count(*)::int FROM ledger.outbox u WHERE u.topic = 'conversion.updated' AND u.aggregate_id = $1 AND u.created_at = w.created_at) AS twins
       FROM ledger.outbox w
      WHERE w.topic LIKE 'webhook_event.%' AND (w.payload->'object'->>'id' = $1 OR w.payload->'object'->>'conversion_id' = $1)
        AND COALESCE(w.payload->>'audience', 'all') = $2
      ORDER BY w.id`,
    [conversionId, audience],
  );
const types = async (conversionId: string) => (await webhookRows(conversionId)).map((r) => r.payload.type);
const byPayment = (paymentId: string) => app.dataSource.getRepository(ConversionEntity).findOneByOrFail({ paymentKey: `test:${paymentId}` });

async function verifiedConversion() {
  const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
  const p = succeededPayload(keys, rec);
  expect(await feed.send('succeeded', p)).toBe('verified');
  return { p, rec, c: await byPayment(p.object.id) };
}

describe('conversion.created and milestone.recorded', () => {
  it('a verified payment: conversion.created and its payment step’s milestone.recorded, to the merchant, in the transaction of the conversion', async () => {
    const { c, rec, p } = await verifiedConversion();
    // The same event again changes nothing and writes nothing.
    expect(await feed.send('succeeded', p)).toBe('duplicate_event');
    const rows = await webhookRows(c.id);
    expect(rows.map((r) => r.topic)).toEqual(['webhook_event.conversion.created', 'webhook_event.milestone.recorded']);
    for (const r of rows) {
      expect(r.aggregate_id).toBe(merchant.id);
      expect(r.twins).toBe(1);
    }
    // Its agent hears conversion.verified (for its endpoints only), in the same transaction.
    const toAgent = await webhookRows(c.id, 'agent');
    expect(toAgent.map((r) => [r.payload.type, r.payload.agentId, r.twins])).toEqual([['conversion.verified', agent.id, 1]]);
    const [created, milestone] = rows.map((r) => r.payload) as [WebhookEventPayload, WebhookEventPayload];
    expect(created).toMatchObject({
      merchantId: merchant.id,
      checkoutId: null,
      paymentIntentId: p.paymentIntent!.id,
      correlation: { agent_session_id: rec.sessionId, recommendation_id: rec.id, conversion_id: c.id },
      previousAttributes: null,
    });
    expect(created.object).toEqual({
      id: c.id,
      object: 'conversion',
      status: 'pending',
      conversion_path: 'verified_payment',
      verification: 'verified',
      currency: 'GBP',
      transaction_value: 1000,
      refunded: 0,
      commission: { type: 'cpa', amount: 800, network_fee: 160, builder_payout: 640, unclaimed: 0, forfeited: 0 },
      order_reference: null,
      agent_id: agent.id,
      agent_session_id: rec.sessionId,
      recommendation_id: rec.id,
      offer_id: rec.offerId,
      payment_intent_id: p.paymentIntent!.id,
      subscription_id: null,
      billing_period: null,
      validation_period_days: merchant.validationPeriodDays,
      validates_at: c.validatesAt.toISOString(),
      review_reason: null,
      paid_at: null,
      version: 1,
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
    });
    expect(milestone.object).toMatchObject({ object: 'milestone', conversion_id: c.id, step: 'payment_received', step_index: 0, status: 'completed' });
    expect(new Date(milestone.object.recorded_at as string).getTime()).not.toBeNaN();
    // Never the AAP code.
    expect(JSON.stringify(rows)).not.toContain(p.object.metadata!.aap_code!);
  });

  it('a merchant’s report: conversion.created; a repeat, or a report refused as bad input, writes none', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const input = { sessionId: rec.sessionId, orderReference: id('ORD'), transactionValue: { amountMinor: 2500, currency: 'GBP' } };
    const first = await call(asMerchant, REPORT, { input });
    expect(first.errors).toBeUndefined();
    const conversionId = first.data!.reportConversion.id as string;
    expect((await call(asMerchant, REPORT, { input })).data!.reportConversion.id).toBe(conversionId);
    const refused = await call(asMerchant, REPORT, { input: { ...input, orderReference: id('ORD'), transactionValue: { amountMinor: 2500, currency: 'EUR' } } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const rows = await webhookRows(conversionId);
    expect(rows.map((r) => [r.payload.type, r.twins])).toEqual([['conversion.created', 1]]);
    expect(rows[0]!.payload.object).toMatchObject({ conversion_path: 'merchant_reported', verification: 'pending_validation', transaction_value: 2500, order_reference: input.orderReference });
    expect(rows[0]!.payload.correlation).toMatchObject({ agent_session_id: rec.sessionId, request_id: expect.stringMatching(/^test-/) });
    // Nothing was written for the refused report: every webhook row of this merchant names a conversion that exists.
    const orphans = await app.dataSource.query(
      `SELECT count(*)::int AS n FROM ledger.outbox w WHERE w.topic = 'webhook_event.conversion.created' AND w.aggregate_id = $1
          AND NOT EXISTS (SELECT 1 FROM ledger.conversions c WHERE c.id = w.payload->'object'->>'id')`,
      [merchant.id],
    );
    expect(orphans).toEqual([{ n: 0 }]);
  });

  it('recordMilestone: milestone.recorded; a step out of order or repeated writes none', async () => {
    const { c } = await verifiedConversion();
    expect((await call(asMerchant, MILESTONE, { id: c.id, step: 'not_a_step' })).errors?.[0]?.extensions?.code).toBeDefined();
    expect((await call(asMerchant, MILESTONE, { id: c.id, step: 'order_confirmed' })).errors).toBeUndefined();
    expect((await call(asMerchant, MILESTONE, { id: c.id, step: 'order_confirmed' })).errors?.[0]?.extensions?.code).toBeDefined();
    const rows = (await webhookRows(c.id)).filter((r) => r.payload.type === 'milestone.recorded');
    expect(rows.map((r) => [r.payload.object.step, r.payload.object.metadata, r.twins])).toEqual([
      ['payment_received', { source: 'psp_event', paymentKey: c.paymentKey }, 1],
      ['order_confirmed', { order: 'A-1' }, 1],
    ]);
  });
});

describe('conversion.verified', () => {
  it('an approved flag: conversion.verified with what the approval changed; a rejected flag writes none', async () => {
    const rec = dir.addRecommendation(merchant.id, agent.id, gbp(1000));
    const p = succeededPayload(keys, rec, { expiresAt: Math.floor(Date.now() / 1000) - 10 });
    expect(await feed.send('succeeded', p)).toBe('flagged:expired_code');
    const c = await byPayment(p.object.id);
    expect(await types(c.id)).toEqual(['conversion.created']); // flagged: no payment step recorded
    expect((await call(admin, RESOLVE, { id: c.id, approve: true })).errors).toBeUndefined();
    const verified = (await webhookRows(c.id)).filter((r) => r.payload.type === 'conversion.verified');
    expect(verified).toHaveLength(1);
    expect(verified[0]!.twins).toBe(1);
    expect(verified[0]!.payload.object).toMatchObject({ verification: 'verified', commission: { amount: 800 }, version: 2 });
    expect(verified[0]!.payload.previousAttributes).toMatchObject({
      verification: 'flagged:expired_code',
      commission: { type: 'cpa', amount: 0, network_fee: 0, builder_payout: 0, unclaimed: 0, forfeited: 0 },
      review_reason: null,
      version: 1,
    });

    const other = succeededPayload(keys, dir.addRecommendation(merchant.id, agent.id, gbp(1000)), { code: null });
    await feed.send('succeeded', other);
    const rejected = await byPayment(other.object.id);
    expect((await call(admin, RESOLVE, { id: rejected.id, approve: false })).data!.resolveFlaggedConversion.status).toBe('REJECTED');
    expect((await call(admin, RESOLVE, { id: rejected.id, approve: true })).errors?.[0]?.extensions?.code).toBe('INVALID_STATE_TRANSITION');
    expect(await types(rejected.id)).toEqual(['conversion.created']);
  });
});

describe('conversion.clawed_back', () => {
  it('a full refund: conversion.clawed_back once; a partial refund before it and a repeated event write none', async () => {
    const { c, p } = await verifiedConversion();
    await feed.send('refunded', followUp(p, 'charge.refunded', { amountRefunded: 400 }));
    expect(await types(c.id)).toEqual(['conversion.created', 'milestone.recorded']);
    const full = followUp(p, 'charge.refunded', { amountRefunded: 1000 });
    expect(await feed.send('refunded', full)).toBe('clawed_back');
    expect(await feed.send('refunded', full)).toBe('duplicate_event');
    const rows = (await webhookRows(c.id)).filter((r) => r.payload.type === 'conversion.clawed_back');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.twins).toBe(1);
    expect(rows[0]!.payload.object).toMatchObject({ status: 'clawed_back', refunded: 1000, commission: { amount: 0 } });
    expect(rows[0]!.payload.previousAttributes).toMatchObject({ status: 'pending', refunded: 400, commission: { amount: 800 } });
  });

  it('a dispute: opened writes none, lost is conversion.clawed_back', async () => {
    const { c, p } = await verifiedConversion();
    await feed.send('dispute_opened', followUp(p, 'charge.dispute.created', { dispute: { id: 'dp_1', status: 'needs_response' } }));
    expect(await types(c.id)).toEqual(['conversion.created', 'milestone.recorded']);
    await feed.send('dispute_closed', followUp(p, 'charge.dispute.closed', { dispute: { id: 'dp_1', status: 'lost', outcome: 'lost' } }));
    const rows = (await webhookRows(c.id)).filter((r) => r.payload.type === 'conversion.clawed_back');
    expect(rows.map((r) => r.payload.previousAttributes?.status)).toEqual(['disputed']);
  });
});

describe('a change that rolls back', () => {
  it('takes its webhook event with it', async () => {
    const { c } = await verifiedConversion();
    await expect(
      app.dataSource.transaction(async (manager) => {
        const locked = (await lockConversion(manager, c.id))!;
        const before = conversionWebhookObject(locked);
        await clawBack(manager, locked, 'test');
        await saveAndAnnounce(manager, locked, (saved) => [conversionWebhookEvent('conversion.clawed_back', saved, before)]);
        const inside = await manager.query(`SELECT count(*)::int AS n FROM ledger.outbox WHERE topic = 'webhook_event.conversion.clawed_back' AND payload->'object'->>'id' = $1`, [c.id]);
        expect(inside).toEqual([{ n: 1 }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await types(c.id)).toEqual(['conversion.created', 'milestone.recorded']);
  });
});

describe('routing', () => {
  it('webhook_event.* goes to the merchant subgraph’s intake; conversion.updated stays on pub/sub', () => {
    for (const type of ['conversion.created', 'conversion.verified', 'conversion.clawed_back', 'milestone.recorded', 'settlement.batch_paid']) {
      expect(routedQueues(outboxRoutes, `webhook_event.${type}`), type).toEqual([OUTBOUND_WEBHOOK_EVENTS_QUEUE]);
    }
    expect(routedQueues(outboxRoutes, 'conversion.updated')).toEqual([]);
  });
});
