// Configuration changes are audited and guarded (issue 19 leftovers), through the gateway:
// - every configuration change writes one append-only audit row with its actor, seen by admins in
//   auditLog and GET /v1/checkout/audit: checkout settings, capabilities and limits (entity
//   checkout_settings, id <merchant>:<part>, only the fields that moved), risk rules and the fraud
//   secret roll (risk_settings, never the secret), webhook endpoints created, rotated, deleted;
// - an admin configuring a merchant that does not exist is MERCHANT_NOT_FOUND and nothing is
//   written (risk rules, fraud secret, checkout settings, capabilities);
// - a merchant whose hostedPages capability is off cannot use the hosted page: the page is a 403
//   and its API answers CAPABILITY_DISABLED (nothing charged); turned back on, it works again;
// - a merchant whose threeDSecure capability is off cannot save a risk rule or threshold that
//   forces 3-D Secure (CHALLENGE): CAPABILITY_DISABLED, nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`;
const SET_SETTINGS = `mutation($m: ID!, $input: CheckoutSettingsInput!) { setCheckoutSettings(merchantId: $m, input: $input) { maxPaymentAttempts } }`;
const SET_CAPABILITIES = `mutation($m: ID!, $input: MerchantCapabilitiesInput!) { setMerchantCapabilities(merchantId: $m, input: $input) { hostedPages } }`;
const SET_LIMITS = `mutation($m: ID!, $input: TransactionLimitsInput!) { setTransactionLimits(merchantId: $m, input: $input) { maxPaymentsPerEmailPerHour } }`;
const SET_RULES = `mutation($m: ID, $input: RiskRulesInput!) { setRiskRules(merchantId: $m, input: $input) { version } }`;
const ROLL_SECRET = `mutation($m: ID) { rollFraudWebhookSecret(merchantId: $m) }`;
const RULES = `query($m: ID) { riskRules(merchantId: $m) { version } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`;
const ROTATE_ENDPOINT = `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { endpoint { id } } }`;
const DELETE_ENDPOINT = `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url paymentIntent { id status } } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { status } }`;
const AUDIT = `query($filter: AuditLogFilter) { auditLog(filter: $filter, first: 100) { edges { node { entityType entityId merchantId action actor { kind id } before after } } } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
type Shop = { id: string; key: string; keyId: string; client: GqlClient };
let shop: Shop;

async function newShop(name: string): Promise<Shop> {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const created = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey;
  return { id, key: created.key as string, keyId: created.apiKey.id as string, client: admin.as(created.key) };
}

type Row = { entityType: string; entityId: string; merchantId: string | null; action: string; actor: { kind: string; id: string }; before: any; after: any };
const auditOf = async (filter: Record<string, unknown>): Promise<Row[]> => (await admin.ok(AUDIT, { filter })).auditLog.edges.map((e: { node: Row }) => e.node);

/** Waits until the audit log holds a row matching `match` (rows arrive through the outbox and a queue). */
async function auditRow(filter: Record<string, unknown>, match: (r: Row) => boolean): Promise<Row> {
  await expect.poll(async () => (await auditOf(filter)).some(match), { timeout: 20_000 }).toBe(true);
  return (await auditOf(filter)).find(match)!;
}

async function http(method: string, path: string, opts: { bearer?: string; body?: unknown } = {}): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // HTML
  }
  return { status: res.status, text, json };
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await newShop('Audited Config Ltd');
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('configuration changes are audited', () => {
  it('checkout settings, limits (by the merchant) and capabilities (by an admin): one row each with what moved', async () => {
    await shop.client.ok(SET_SETTINGS, { m: shop.id, input: { maxPaymentAttempts: 3 } });
    await shop.client.ok(SET_LIMITS, { m: shop.id, input: { maxPaymentsPerEmailPerHour: 5 } });
    await admin.ok(SET_CAPABILITIES, { m: shop.id, input: { installments: true } });
    const filter = { merchantId: shop.id, entityType: 'checkout_settings' };
    const settings = await auditRow(filter, (r) => r.entityId === `${shop.id}:settings`);
    expect(settings).toMatchObject({ action: 'set', merchantId: shop.id, actor: { kind: 'MERCHANT', id: shop.keyId }, before: { maxPaymentAttempts: null }, after: { maxPaymentAttempts: 3 } });
    const limits = await auditRow(filter, (r) => r.entityId === `${shop.id}:limits`);
    expect(limits).toMatchObject({ actor: { kind: 'MERCHANT', id: shop.keyId }, before: { maxPaymentsPerEmailPerHour: null }, after: { maxPaymentsPerEmailPerHour: 5 } });
    const caps = await auditRow(filter, (r) => r.entityId === `${shop.id}:capabilities`);
    expect(caps).toMatchObject({ actor: { kind: 'ADMIN' }, before: { installments: false }, after: { installments: true } });
    // Only the moved field: the others are not in the row.
    expect(Object.keys(caps.after)).toEqual(['installments']);
    // The same again changes nothing: no second row.
    await shop.client.ok(SET_SETTINGS, { m: shop.id, input: { maxPaymentAttempts: 3 } });
    await shop.client.ok(SET_SETTINGS, { m: shop.id, input: { maxPaymentAttempts: 4 } });
    await auditRow(filter, (r) => r.entityId === `${shop.id}:settings` && r.after.maxPaymentAttempts === 4);
    expect((await auditOf(filter)).filter((r) => r.entityId === `${shop.id}:settings`)).toHaveLength(2);
    // Over REST, as seed 003 §17's audit.
    const rest = await http('GET', `/v1/checkout/audit?merchant_id=${shop.id}&entity_type=checkout_settings&limit=100`, { bearer: handoff.adminKey });
    expect(rest.status).toBe(200);
    expect(rest.json.data.map((e: any) => e.entity_id).sort()).toEqual([`${shop.id}:capabilities`, `${shop.id}:limits`, `${shop.id}:settings`, `${shop.id}:settings`]);
  });

  it('risk rules and the fraud secret roll: rows with the actor, never the secret', async () => {
    await shop.client.ok(SET_RULES, { input: { rules: [{ id: 'blocked', type: 'BLOCK_LIST', signal: 'EMAIL', values: ['bad@audit.test'] }] } });
    const secret = (await admin.ok(ROLL_SECRET, { m: shop.id })).rollFraudWebhookSecret as string;
    const filter = { merchantId: shop.id, entityType: 'risk_settings' };
    const rules = await auditRow(filter, (r) => r.action === 'rules_set');
    expect(rules).toMatchObject({ entityId: shop.id, actor: { kind: 'MERCHANT', id: shop.keyId }, before: { rules: [] } });
    expect(rules.after.rules[0]).toMatchObject({ id: 'blocked', type: 'BLOCK_LIST' });
    const rolled = await auditRow(filter, (r) => r.action === 'fraud_webhook_secret_rolled');
    expect(rolled.actor.kind).toBe('ADMIN');
    expect(JSON.stringify(rolled)).not.toContain(secret);
  });

  it('webhook endpoints: created, secret rotated, deleted', async () => {
    const id = (await shop.client.ok(CREATE_ENDPOINT, { input: { url: 'http://127.0.0.1:9/hooks', events: ['checkout.completed'] } })).createWebhookEndpoint.endpoint.id;
    await shop.client.ok(ROTATE_ENDPOINT, { id });
    await shop.client.ok(DELETE_ENDPOINT, { id });
    const filter = { merchantId: shop.id, entityType: 'webhook_endpoint', entityId: id };
    await auditRow(filter, (r) => r.action === 'deleted');
    const actions = (await auditOf(filter)).map((r) => r.action).sort();
    expect(actions).toEqual(['created', 'deleted', 'secret_rotated']);
    expect((await auditOf(filter)).every((r) => r.actor.id === shop.keyId)).toBe(true);
  });
});

describe("an admin's configuration of a merchant that does not exist", () => {
  it('is MERCHANT_NOT_FOUND and writes nothing', async () => {
    const ghost = 'mer_does_not_exist_01';
    expect(await admin.errorCode(SET_RULES, { m: ghost, input: { rules: [] } })).toBe('MERCHANT_NOT_FOUND');
    expect(await admin.errorCode(ROLL_SECRET, { m: ghost })).toBe('MERCHANT_NOT_FOUND');
    expect(await admin.errorCode(SET_SETTINGS, { m: ghost, input: { maxPaymentAttempts: 2 } })).toBe('MERCHANT_NOT_FOUND');
    expect(await admin.errorCode(SET_CAPABILITIES, { m: ghost, input: { hostedPages: false } })).toBe('MERCHANT_NOT_FOUND');
    expect((await admin.ok(RULES, { m: ghost })).riskRules.version).toBe(0);
    // A row would have been written in the change's transaction: the audit log has none about it.
    await auditRow({ merchantId: shop.id }, () => true);
    expect(await auditOf({ merchantId: ghost })).toEqual([]);
  });
});

describe('the hostedPages capability', () => {
  it('off: the hosted page is a 403 and its API answers CAPABILITY_DISABLED, nothing charged; on again: it works', async () => {
    const other = await newShop('Pageless Ltd');
    const s = (await other.client.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Mug', unitAmount: { amountMinor: 900, currency: 'GBP' }, quantity: 1 }] } })).createCheckoutSession;
    const cs = new URL(s.url).searchParams.get('cs')!;
    expect((await http('GET', `/api/checkout/${s.id}`, { bearer: cs })).status).toBe(200);

    // A merchant may not turn its own capabilities on or off.
    expect(await other.client.errorCode(SET_CAPABILITIES, { m: other.id, input: { hostedPages: true } })).toBe('FORBIDDEN');
    await admin.ok(SET_CAPABILITIES, { m: other.id, input: { hostedPages: false } });

    const page = await http('GET', `/checkout/${s.id}?cs=${encodeURIComponent(cs)}`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Checkout not available');
    expect(await http('GET', `/api/checkout/${s.id}`, { bearer: cs })).toMatchObject({ status: 403, json: { code: 'CAPABILITY_DISABLED', reason: 'capability:hosted_pages' } });
    const paid = await http('POST', `/api/checkout/${s.id}/pay`, { bearer: cs, body: { testCard: '4242424242424242' } });
    expect(paid).toMatchObject({ status: 403, json: { code: 'CAPABILITY_DISABLED' } });
    expect((await other.client.ok(INTENT, { id: s.paymentIntent.id })).paymentIntent.status).toBe('REQUIRES_PAYMENT_METHOD');

    await admin.ok(SET_CAPABILITIES, { m: other.id, input: { hostedPages: null } });
    expect((await http('GET', `/api/checkout/${s.id}`, { bearer: cs })).status).toBe(200);
  });

  it('threeDSecure off: a CHALLENGE rule or threshold is CAPABILITY_DISABLED, nothing written; other rules still save', async () => {
    const m = await newShop('No Challenge Ltd');
    await admin.ok(SET_CAPABILITIES, { m: m.id, input: { threeDSecure: false } });
    const rule = { id: 'big', type: 'AMOUNT_ABOVE', amount: { amountMinor: 10_000, currency: 'GBP' }, action: 'CHALLENGE', score: 30 };
    expect((await m.client.request(SET_RULES, { input: { rules: [rule] } })).errors?.[0]?.extensions).toMatchObject({ code: 'CAPABILITY_DISABLED', reason: 'capability:three_d_secure' });
    expect(await m.client.errorCode(SET_RULES, { input: { rules: [], challengeAt: 50 } })).toBe('CAPABILITY_DISABLED');
    expect((await m.client.ok(RULES, {})).riskRules.version).toBe(0);
    expect((await m.client.ok(SET_RULES, { input: { rules: [{ ...rule, action: 'REVIEW' }] } })).setRiskRules.version).toBe(1);
    await admin.ok(SET_CAPABILITIES, { m: m.id, input: { threeDSecure: null } });
    expect((await m.client.ok(SET_RULES, { input: { rules: [rule] } })).setRiskRules.version).toBe(2);
  });
});
