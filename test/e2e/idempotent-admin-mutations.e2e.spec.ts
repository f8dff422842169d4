// recordMilestone, createApiKey and connectPaymentProcessor take an idempotencyKey with Stripe's
// semantics, through the gateway: concurrent duplicates with one key make one effect (one
// milestone, one API key, one connector change) and all get the same answer (the same API key and
// the same TEST webhook secret, which are never stored); the key with another input is
// IDEMPOTENCY_KEY_REUSED and changes nothing.
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const START_SESSION = `mutation { startAgentSession(input: { query: "30GB SIM" }) { id } }`;
const RECOMMEND = `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`;
const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`;
const MILESTONE = `mutation($id: ID!, $input: MilestoneInput!, $key: String) {
  recordMilestone(conversionId: $id, input: $input, idempotencyKey: $key) { id milestones { step status } } }`;
const CONVERSION = `query($id: ID!) { conversion(id: $id) { id milestones { step status } } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!, $key: String) {
  createApiKey(input: $input, idempotencyKey: $key) { key apiKey { id name merchantId role } } }`;
const CONNECT = `mutation($m: ID!, $input: ConnectPaymentProcessorInput!, $key: String) {
  connectPaymentProcessor(merchantId: $m, input: $input, idempotencyKey: $key) { provider connectedAt webhookSecret hasWebhookSecret } }`;
const CONNECTOR = `query($id: ID!) { merchant(id: $id) { paymentConnector { provider connectedAt webhookSecret } } }`;
const AUDIT = `query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 100) { edges { node { entityType entityId action } } } }`;

const merchantInput = (name: string) => ({
  name, country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
  commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
  conversionFlow: { type: 'install_activation', payableAfter: 'service_activated' },
});

describe('idempotency keys on recordMilestone, createApiKey and connectPaymentProcessor', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;

  const auditOf = async (filter: Record<string, unknown>) =>
    (await admin.ok(AUDIT, { filter })).auditLog.edges.map((e: { node: { entityType: string; entityId: string; action: string } }) => e.node);
  /** Audit rows may land after the answer: wait for the first, then check no second one follows. */
  const settledAudit = async (filter: Record<string, unknown>, action: string) => {
    await expect.poll(async () => (await auditOf(filter)).filter((r: { action: string }) => r.action === action).length, { timeout: 10_000, interval: 100 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    return (await auditOf(filter)).filter((r: { action: string }) => r.action === action);
  };

  beforeAll(async () => {
    handoff = await startTestHandoff();
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('recordMilestone: 3 concurrent calls with one key record one milestone; the key with another step is IDEMPOTENCY_KEY_REUSED', async () => {
    const merchantId = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Idem milestones') })).createMerchant.id;
    const offerId = (await admin.ok(CREATE_OFFER, { input: { merchantId, name: '30GB SIM', price: { amountMinor: 1000, currency: 'GBP' } } })).createOffer.id;
    const merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    const agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Idem shopper', builderName: `Idem ${Date.now()}` } })).registerAgent.id;
    const agent = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    const sessionId = (await agent.ok(START_SESSION)).startAgentSession.id;
    await agent.ok(RECOMMEND, { s: sessionId, o: offerId });
    const id = (await merchant.ok(REPORT, {
      input: { sessionId, orderReference: 'ORD-IDEM-1', transactionValue: { amountMinor: 1000, currency: 'GBP' } },
    })).reportConversion.id;

    const input = { step: 'order_placed', status: 'completed' };
    const answers = await Promise.all([1, 2, 3].map(() => merchant.request(MILESTONE, { id, input, key: 'milestone-1' })));
    for (const a of answers) {
      expect(a.errors).toBeUndefined();
      expect(a.data.recordMilestone.id).toBe(id);
    }
    // Without the key, a second order_placed would be INVALID_MILESTONE (already completed).
    expect((await merchant.ok(CONVERSION, { id })).conversion.milestones).toEqual([{ step: 'order_placed', status: 'completed' }]);
    // A retry after the fact answers again, still one milestone.
    expect((await merchant.ok(MILESTONE, { id, input, key: 'milestone-1' })).recordMilestone.id).toBe(id);

    expect(await merchant.errorCode(MILESTONE, { id, input: { step: 'install_scheduled', status: 'completed' }, key: 'milestone-1' })).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await merchant.ok(CONVERSION, { id })).conversion.milestones).toEqual([{ step: 'order_placed', status: 'completed' }]);
    // Another key records the next step.
    expect((await merchant.ok(MILESTONE, { id, input: { step: 'install_scheduled', status: 'completed' }, key: 'milestone-2' })).recordMilestone.milestones).toHaveLength(2);
  });

  it('createApiKey: 3 concurrent calls with one key make one key and all answer the same secret key; the key with another input is IDEMPOTENCY_KEY_REUSED', async () => {
    const merchantId = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Idem keys') })).createMerchant.id;
    const input = { role: 'MERCHANT', merchantId, name: 'portal' };
    const answers = await Promise.all([1, 2, 3].map(() => admin.request(CREATE_KEY, { input, key: 'api-key-1' })));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const [first] = answers.map((a) => a.data.createApiKey);
    expect(first.key).toMatch(/^hk_mer_/);
    for (const a of answers) expect(a.data.createApiKey).toEqual(first);
    // A later retry shows the same key again (derived, never stored), and the key works.
    expect((await admin.ok(CREATE_KEY, { input, key: 'api-key-1' })).createApiKey).toEqual(first);
    expect((await admin.as(first.key).ok(CONNECTOR, { id: merchantId })).merchant).toEqual({ paymentConnector: null });

    const created = await settledAudit({ merchantId, entityType: 'api_key' }, 'created');
    expect(created.map((r: { entityId: string }) => r.entityId)).toEqual([first.apiKey.id]);

    expect(await admin.errorCode(CREATE_KEY, { input: { ...input, name: 'other' }, key: 'api-key-1' })).toBe('IDEMPOTENCY_KEY_REUSED');
    // Another key makes another, different key.
    const second = (await admin.ok(CREATE_KEY, { input, key: 'api-key-2' })).createApiKey;
    expect(second.key).not.toBe(first.key);
    expect(second.apiKey.id).not.toBe(first.apiKey.id);
    // The key's stored answer expired (24 h) and the key is used again: a clear refusal, no second key.
    const db = new Client({ connectionString: handoff.env.DATABASE_URL });
    await db.connect();
    try {
      const schemas = (await db.query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'idempotency_keys'`)).rows.map((r) => r.table_schema as string);
      let aged = 0;
      for (const schema of schemas) {
        aged += (await db.query(`UPDATE "${schema}".idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'api-key-1' AND operation = 'createApiKey'`)).rowCount ?? 0;
      }
      expect(aged).toBe(1);
    } finally {
      await db.end();
    }
    expect(await admin.errorCode(CREATE_KEY, { input, key: 'api-key-1' })).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('connectPaymentProcessor: 3 concurrent calls with one key connect once and answer the same webhook secret; the key with another input is IDEMPOTENCY_KEY_REUSED', async () => {
    const merchantId = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Idem connector') })).createMerchant.id;
    const merchant = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    const input = { provider: 'TEST' };
    const answers = await Promise.all([1, 2, 3].map(() => merchant.request(CONNECT, { m: merchantId, input, key: 'connect-1' })));
    for (const a of answers) expect(a.errors).toBeUndefined();
    const first = answers[0]!.data.connectPaymentProcessor;
    expect(first).toMatchObject({ provider: 'TEST', hasWebhookSecret: true, webhookSecret: expect.stringMatching(/^whsec_/) });
    for (const a of answers) expect(a.data.connectPaymentProcessor).toEqual(first);
    expect((await merchant.ok(CONNECT, { m: merchantId, input, key: 'connect-1' })).connectPaymentProcessor).toEqual(first);
    expect((await merchant.ok(CONNECTOR, { id: merchantId })).merchant.paymentConnector).toEqual({
      provider: 'TEST', connectedAt: first.connectedAt, webhookSecret: null,
    });
    const connected = await settledAudit({ merchantId, entityType: 'payment_connector' }, 'connected');
    expect(connected).toHaveLength(1);

    const stripe = { provider: 'STRIPE', secretKey: 'sk_test_abcdefghijklmnop' };
    expect(await merchant.errorCode(CONNECT, { m: merchantId, input: stripe, key: 'connect-1' })).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await merchant.ok(CONNECTOR, { id: merchantId })).merchant.paymentConnector).toMatchObject({ provider: 'TEST', connectedAt: first.connectedAt });
    expect(await settledAudit({ merchantId, entityType: 'payment_connector' }, 'connected')).toHaveLength(1);
  });
});
