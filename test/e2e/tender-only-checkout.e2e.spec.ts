// A checkout paid in full by a gift card and store credit (issue 20), through the gateway: the
// merchant confirms the session's intent with no payment method; no card is charged (the intent
// succeeds at 0, the PSP confirms nothing), the session completes with its holds captured,
// checkout.completed reaches the merchant, finalize creates the order, the ledger posts the two
// redemptions and still balances. Partly covered: a method is still required, nothing written.
// The hosted page's buyer of a covered session pays without being charged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const ENABLE = `mutation($m: ID!) { setMerchantCapabilities(merchantId: $m, input: { giftCards: true }) { giftCards } }`;
const ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`;
const ISSUE = `mutation($input: IssueGiftCardInput!) { issueGiftCard(input: $input) { code } }`;
const GRANT = `mutation($input: GrantStoreCreditInput!) { grantStoreCredit(input: $input) { customerId } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status paymentIntent { id status amount { amountMinor } amountCaptured { amountMinor } events { type } } } }`;
const LEDGER = `{ ledgerCheck { balanced overdrawnAccounts } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let receiver: WebhookReceiver;
let shop: { id: string; key: string; gql: GqlClient };

async function rest(method: string, path: string, key: string, body?: unknown) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const post = (path: string, body: unknown = {}) => rest('POST', path, shop.key, body);
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const ledgerDb = () => handoff.subgraphs.find((s) => s.name === 'conversion-ledger')!.app.dataSource;
const pspDb = () => handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app.dataSource;
const account = async (type: string) => {
  const [row] = await ledgerDb().query(`SELECT balance_minor::int AS b FROM ledger.ledger_accounts WHERE account_type = $1 AND account_owner = $2 AND currency = 'GBP'`, [type, shop.id]);
  return row ? (row.b as number) : 0;
};

/** A £30 session holding a £20 gift card and £10 (or `credit`) of the customer's store credit. */
async function coveredSession(customerId: string, credit = 1000) {
  const s = await post('/v1/checkout/sessions', { currency: 'GBP', line_items: [{ name: 'Kettle', amount: 3000, quantity: 1 }] });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  const id = s.body.checkout_id as string;
  const code = (await shop.gql.ok(ISSUE, { input: { merchantId: shop.id, balance: gbp(2000) } })).issueGiftCard.code as string;
  await shop.gql.ok(GRANT, { input: { merchantId: shop.id, customerId, amount: gbp(5000) } });
  expect((await post(`/v1/checkout/sessions/${id}/customer`, { customer_id: customerId })).status).toBe(200);
  expect((await post(`/v1/checkout/sessions/${id}/apply-giftcard`, { code })).body).toMatchObject({ applied: 2000, remaining: 1000 });
  expect((await post(`/v1/checkout/sessions/${id}/apply-store-credit`, { amount: credit })).body).toMatchObject({ applied: credit, remaining: 1000 - credit });
  const intentId = (await shop.gql.ok(SESSION, { id })).checkoutSession.paymentIntent.id as string;
  return { id, intentId, secret: s.body.client_token as string };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  receiver = await startWebhookReceiver();
  const input = { name: 'Tender Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  await admin.ok(ENABLE, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  shop = { id, key, gql: admin.as(key) };
  await shop.gql.ok(ENDPOINT, { input: { url: `${receiver.origin}/hooks`, events: ['checkout.completed', 'order.created'] } });
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await handoff?.stop();
});

describe('a checkout its gift card and store credit pay in full', () => {
  it('completes with no card charge, is finalized into an order, and the books balance', async () => {
    const redeemedBefore = await account('tender_redeemed');
    const s = await coveredSession('cust-full');
    const pspPayments = async () => Number((await pspDb().query(`SELECT count(*)::int AS n FROM payment.payment_intents WHERE id = $1 AND amount_minor > 0`, [s.intentId]))[0].n);
    const confirmed = await post(`/v1/checkout/payment-intents/${s.intentId}/confirm`, {});
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'succeeded', amount: 0, amount_captured: 0, last_payment_error: null });
    expect(await pspPayments()).toBe(0);
    await until(async () => (await shop.gql.ok(SESSION, { id: s.id })).checkoutSession.status, (st) => st === 'COMPLETE', 'the session completed');
    const events = (await shop.gql.ok(SESSION, { id: s.id })).checkoutSession.paymentIntent.events.map((e: { type: string }) => e.type);
    expect(events).toContain('payment_intent.succeeded');
    // The held tender is spent in the books: the redemptions posted, the ledger balanced.
    await until(() => account('tender_redeemed'), (b) => b === redeemedBefore - 3000, 'both redemptions posted');
    expect((await admin.ok(LEDGER)).ledgerCheck).toEqual({ balanced: true, overdrawnAccounts: [] });
    const wallet = await rest('GET', `/v1/checkout/sessions/${s.id}/wallet`, shop.key);
    expect(wallet.body.held).toBe(0);
    // The merchant hears checkout.completed; finalize creates the order (once).
    await expect.poll(() => receiver.on('/hooks').filter((r) => JSON.parse(r.body).type === 'checkout.completed' && JSON.parse(r.body).checkout_id === s.id).length, { timeout: 20_000 }).toBe(1);
    const [a, b] = await Promise.all([post(`/v1/checkout/sessions/${s.id}/finalize`, { create_order: true }), post(`/v1/checkout/sessions/${s.id}/finalize`, { create_order: true })]);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({ status: 'completed' });
    expect(b.body.order_id).toBe(a.body.order_id);
    // A second confirm is refused: it is paid.
    expect((await post(`/v1/checkout/payment-intents/${s.intentId}/confirm`, {})).body.code).toBe('INVALID_STATE_TRANSITION');
  }, 120_000);

  it('partly covered: a payment method is still required, and nothing is written', async () => {
    const s = await coveredSession('cust-part', 600);
    const refused = await post(`/v1/checkout/payment-intents/${s.intentId}/confirm`, {});
    expect(refused).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'payment_method_id' } });
    const now = (await shop.gql.ok(SESSION, { id: s.id })).checkoutSession;
    expect(now).toMatchObject({ status: 'OPEN', paymentIntent: { status: 'REQUIRES_PAYMENT_METHOD', amount: { amountMinor: 3000 } } });
    expect((await rest('GET', `/v1/checkout/sessions/${s.id}/wallet`, shop.key)).body.held).toBe(2600);
  }, 120_000);

  it("the hosted page's buyer of a covered session pays without a charge", async () => {
    const s = await coveredSession('cust-hosted');
    const paid = await rest('POST', `/api/checkout/${s.id}/pay`, s.secret, { testCard: '4000000000009995' });
    // A declining card would fail if it were charged: it is not.
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.payment.status).toBe('succeeded');
    await until(async () => (await shop.gql.ok(SESSION, { id: s.id })).checkoutSession.status, (st) => st === 'COMPLETE', 'the session completed');
  }, 120_000);
});
