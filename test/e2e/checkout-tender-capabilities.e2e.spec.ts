// Tender, rollback and capabilities through the gateway (issue 20 items 3-4, issue 19 item 7):
//   - a finalization rolled back gives back what it spent: the gift card and store credit captured
//     by the paid checkout are restored (the ledger reverses the redemption: ledgerCheck balances)
//     and the units the reservation converted are restocked, once, whatever 5 concurrent rollback
//     calls do, each step in the timeline;
//   - applying and removing tender writes a timeline entry and the merchant's signed
//     `checkout.updated` webhook with the tender change;
//   - the merchant's capabilities bite where they apply: gift cards off (the default) refuses gift
//     cards and store credit (403 CAPABILITY_DISABLED, nothing held); split payments off refuses a
//     tender that would leave something for a second one, at applying and at paying; 3-D Secure
//     turned off after CHALLENGE rules were saved makes the challenge a manual review at payment
//     time; instalment methods need the installments capability.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CAPABILITIES = `mutation($m: ID!, $input: MerchantCapabilitiesInput!) { setMerchantCapabilities(merchantId: $m, input: $input) { giftCards splitPayments threeDSecure installments } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const CUSTOMER = `mutation($id: ID!, $customer: CheckoutCustomerInput!) { setCheckoutCustomer(id: $id, customer: $customer) { id } }`;
const ISSUE = `mutation($input: IssueGiftCardInput!) { issueGiftCard(input: $input) { code giftCard { id last4 } } }`;
const GRANT = `mutation($input: GrantStoreCreditInput!) { grantStoreCredit(input: $input) { customerId } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status captureMode amount { amountMinor } } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const SET_STOCK = `mutation($o: ID!, $q: Int!) { setStock(offerId: $o, quantity: $q) { onHand } }`;
const LEVELS = `query($o: ID!) { stockLevels(offerId: $o) { onHand reserved } }`;
const STATUS = `query($id: ID!) { checkoutSession(id: $id) { status order { id status } timeline(first: 100) { edges { node { kind data } } } } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { status captureMode amountRefunded { amountMinor } risk { action reasons { code } } } }`;
const SET_RULES = `mutation($input: RiskRulesInput!) { setRiskRules(input: $input) { version } }`;
const LEDGER = `{ ledgerCheck { balanced overdrawnAccounts } }`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;
let receiver: WebhookReceiver;

interface Shop { id: string; key: string; gql: GqlClient }

async function newShop(name: string, capabilities: Record<string, boolean> = {}): Promise<Shop> {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  if (Object.keys(capabilities).length) await admin.ok(CAPABILITIES, { m: id, input: capabilities });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
}

async function rest(shop: Shop, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${shop.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const session = (shop: Shop, amountMinor: number, quantity = 1, offerId?: string) =>
  shop.gql.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: gbp(amountMinor), quantity, ...(offerId ? { offerId } : {}) }] } }).then((d) => d.createCheckoutSession as { id: string; paymentIntentId: string });
const issue = (shop: Shop, amountMinor: number) => shop.gql.ok(ISSUE, { input: { merchantId: shop.id, balance: gbp(amountMinor) } }).then((d) => d.issueGiftCard as { code: string; giftCard: { id: string; last4: string } });
const timeline = async (shop: Shop, id: string) => ((await shop.gql.ok(STATUS, { id })).checkoutSession.timeline.edges as Array<{ node: { kind: string; data: any } }>).map((e) => e.node);
const kindsOf = async (shop: Shop, id: string) => (await timeline(shop, id)).map((n) => n.kind);
const db = (name: string) => handoff.subgraphs.find((s) => s.name === name)!.app.dataSource;
const cardBalance = async (id: string) => Number((await db('checkout-session').query(`SELECT balance_minor::text AS b FROM checkout.gift_cards WHERE id = $1`, [id]))[0].b);
const liability = async (merchantId: string, type: string) =>
  Number((await db('conversion-ledger').query(`SELECT coalesce(sum(balance_minor), 0)::text AS b FROM ledger.ledger_accounts WHERE account_type = $1 AND account_owner = $2`, [type, merchantId]))[0].b);
const holdsOf = (id: string) => db('checkout-session').query(`SELECT status FROM checkout.tender_holds WHERE checkout_session_id = $1 ORDER BY id`, [id]);

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  receiver = await startWebhookReceiver();
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await handoff?.stop();
});

describe('finalization rollback gives back tender and stock', () => {
  it('restores the captured gift card and store credit and restocks the sold units once, whatever 5 concurrent rollbacks do; the books balance', async () => {
    const shop = await newShop('Rollback Teas Ltd', { giftCards: true });
    const offerId = (await shop.gql.ok(CREATE_OFFER, { input: { merchantId: shop.id, name: 'Kettle', price: gbp(2500) } })).createOffer.id as string;
    await shop.gql.ok(SET_STOCK, { o: offerId, q: 5 });
    const s = await session(shop, 2500, 2, offerId);
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/reserve`, { expires_in_seconds: 600 })).status).toBe(200);
    await shop.gql.ok(CUSTOMER, { id: s.id, customer: { customerId: 'cust-rb' } });
    const card = await issue(shop, 1500);
    await shop.gql.ok(GRANT, { input: { merchantId: shop.id, customerId: 'cust-rb', amount: gbp(500) } });
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: card.code })).body).toMatchObject({ applied: 1500, remaining: 3500 });
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-store-credit`, { amount: 500 })).body).toMatchObject({ applied: 500, remaining: 3000 });
    expect((await shop.gql.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 3000 } });
    await expect.poll(async () => (await shop.gql.ok(STATUS, { id: s.id })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
    const done = await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/finalize`, {});
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await shop.gql.ok(LEVELS, { o: offerId })).stockLevels).toEqual([{ onHand: 3, reserved: 0 }]);
    expect(await holdsOf(s.id)).toEqual([{ status: 'captured' }, { status: 'captured' }]);
    // The redemptions are in the books before the rollback.
    await expect.poll(() => liability(shop.id, 'tender_redeemed'), { timeout: 20_000 }).toBe(-2000);

    const calls = await Promise.all(Array.from({ length: 5 }, () => rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/finalize/rollback`, { reason: 'returned' })));
    for (const c of calls) expect(c.status, JSON.stringify(c.body)).toBe(202);
    expect(new Set(calls.map((c) => c.body.job_id)).size).toBe(1);
    await expect.poll(async () => (await rest(shop, 'GET', `/v1/checkout/finalizations/${calls[0]!.body.job_id}`)).body.status, { timeout: 30_000 }).toBe('succeeded');

    expect(await cardBalance(card.giftCard.id)).toBe(1500);
    expect((await rest(shop, 'GET', `/v1/checkout/sessions/${s.id}/wallet`)).body.store_credit).toBe(500);
    expect(await holdsOf(s.id)).toEqual([{ status: 'restored' }, { status: 'restored' }]);
    expect((await shop.gql.ok(LEVELS, { o: offerId })).stockLevels).toEqual([{ onHand: 5, reserved: 0 }]);
    expect((await shop.gql.ok(INTENT, { id: s.paymentIntentId })).paymentIntent.amountRefunded.amountMinor).toBe(3000);
    const kinds = await kindsOf(shop, s.id);
    expect(kinds.filter((k) => k === 'inventory.restocked')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'order.step_compensated')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'order.rolled_back')).toHaveLength(1);
    const tenderStep = (await timeline(shop, s.id)).find((n) => n.kind === 'order.step_compensated' && n.data.step === 'tender_holds')!;
    expect(tenderStep.data).toMatchObject({ restored_amount: 2000 });
    // The ledger reversed both redemptions once: what was redeemed is back on the liabilities.
    await expect.poll(() => liability(shop.id, 'tender_redeemed'), { timeout: 20_000 }).toBe(0);
    expect(await liability(shop.id, 'gift_card_liability')).toBe(-1500);
    expect(await liability(shop.id, 'store_credit_liability')).toBe(-500);
    expect((await admin.ok(LEDGER)).ledgerCheck).toEqual({ balanced: true, overdrawnAccounts: [] });
  });
});

describe('tender changes are told', () => {
  it('applying and removing a gift card and store credit writes timeline entries and signed checkout.updated webhooks with the tender', async () => {
    const shop = await newShop('Told Teas Ltd', { giftCards: true });
    await shop.gql.ok(CREATE_ENDPOINT, { input: { url: `${receiver.origin}/tender`, events: ['checkout.updated'] } });
    const s = await session(shop, 4000);
    await shop.gql.ok(CUSTOMER, { id: s.id, customer: { customerId: 'cust-told' } });
    const card = await issue(shop, 1000);
    await shop.gql.ok(GRANT, { input: { merchantId: shop.id, customerId: 'cust-told', amount: gbp(800) } });
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: card.code })).status).toBe(200);
    // Applying it again changes nothing and tells nothing.
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: card.code })).status).toBe(200);
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-store-credit`, { amount: 600 })).status).toBe(200);
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/remove-giftcard/${encodeURIComponent(card.code)}`)).status).toBe(200);

    const entries = (await timeline(shop, s.id)).filter((n) => n.kind.startsWith('checkout.tender_'));
    expect(entries.map((n) => [n.kind, n.data.kind, n.data.amount, n.data.amount_due])).toEqual([
      ['checkout.tender_applied', 'gift_card', 1000, 3000],
      ['checkout.tender_applied', 'store_credit', 600, 2400],
      ['checkout.tender_removed', 'gift_card', 1000, 3400],
    ]);
    expect(JSON.stringify(entries)).not.toContain(card.code);

    const told = () => receiver.on('/tender').map((r) => ({ r, e: JSON.parse(r.body) })).filter(({ e }) => e.checkout_id === s.id && e.data.object.tender_change);
    await expect.poll(() => told().length, { timeout: 20_000 }).toBe(3);
    const events = told().map(({ e }) => e).sort((a, b) => a.data.object.tender.amount_due - b.data.object.tender.amount_due);
    expect(events.map((e) => [e.type, e.data.object.tender_change.action, e.data.object.tender_change.kind, e.data.object.tender.held, e.data.previous_attributes.tender.held])).toEqual([
      ['checkout.updated', 'applied', 'store_credit', 1600, 1000],
      ['checkout.updated', 'applied', 'gift_card', 1000, 0],
      ['checkout.updated', 'removed', 'gift_card', 600, 1600],
    ]);
    expect(events[1].data.object.tender_change.gift_card).toEqual({ id: card.giftCard.id, last4: card.giftCard.last4 });
    expect(told()[0]!.r.headers['handoff-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
    expect(new Set(told().map(({ e }) => e.id)).size).toBe(3);
  });
});

describe('capabilities are enforced where they bite', () => {
  it('gift cards off (the default): gift cards and store credit are refused 403 CAPABILITY_DISABLED and nothing is held or told', async () => {
    const shop = await newShop('No Gift Cards Ltd');
    const s = await session(shop, 2000);
    await shop.gql.ok(CUSTOMER, { id: s.id, customer: { customerId: 'cust-off' } });
    const card = await issue(shop, 1000);
    await shop.gql.ok(GRANT, { input: { merchantId: shop.id, customerId: 'cust-off', amount: gbp(500) } });
    const gc = await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: card.code });
    expect([gc.status, gc.body.code]).toEqual([403, 'CAPABILITY_DISABLED']);
    const sc = await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-store-credit`, { amount: 500 });
    expect([sc.status, sc.body.code]).toEqual([403, 'CAPABILITY_DISABLED']);
    const gql = await shop.gql.request(`mutation($id: ID!, $code: String!) { applyCheckoutGiftCard(id: $id, code: $code) { checkoutSessionId } }`, { id: s.id, code: card.code });
    expect(gql.errors?.[0]?.extensions).toMatchObject({ code: 'CAPABILITY_DISABLED', reason: 'capability:gift_cards' });
    expect(await holdsOf(s.id)).toEqual([]);
    expect(await cardBalance(card.giftCard.id)).toBe(1000);
    expect((await kindsOf(shop, s.id)).some((k) => k.startsWith('checkout.tender_'))).toBe(false);
  });

  it('split payments off: a tender that leaves something to pay, or a second tender, is refused; one covering it all is held; paying with a card beside it is refused', async () => {
    const shop = await newShop('One Tender Ltd', { giftCards: true, splitPayments: false });
    const small = await issue(shop, 1000);
    const big = await issue(shop, 5000);
    const s = await session(shop, 3000);
    const partial = await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: small.code });
    expect([partial.status, partial.body.code]).toEqual([403, 'CAPABILITY_DISABLED']);
    expect(partial.body.error).toMatch(/split payments/);
    expect(await holdsOf(s.id)).toEqual([]);
    expect(await cardBalance(small.giftCard.id)).toBe(1000);
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: big.code })).body).toMatchObject({ applied: 3000, remaining: 0 });
    // Nothing is left for a second tender.
    const second = await rest(shop, 'POST', `/v1/checkout/sessions/${s.id}/apply-giftcard`, { code: small.code });
    expect([second.status, second.body.code]).toEqual([422, 'GIFT_CARD_INVALID']);

    // Applied while split payments were on, then turned off: paying the rest by card is refused at payment time.
    await admin.ok(CAPABILITIES, { m: shop.id, input: { splitPayments: true } });
    const t = await session(shop, 3000);
    expect((await rest(shop, 'POST', `/v1/checkout/sessions/${t.id}/apply-giftcard`, { code: small.code })).body).toMatchObject({ applied: 1000, remaining: 2000 });
    await admin.ok(CAPABILITIES, { m: shop.id, input: { splitPayments: false } });
    const paid = await shop.gql.request(CONFIRM, { id: t.paymentIntentId });
    expect(paid.errors?.[0]?.extensions).toMatchObject({ code: 'CAPABILITY_DISABLED', reason: 'capability:split_payments' });
    expect((await shop.gql.ok(INTENT, { id: t.paymentIntentId })).paymentIntent.status).not.toBe('SUCCEEDED');
    expect(await holdsOf(t.id)).toEqual([{ status: 'held' }]);
  });

  it('3-D Secure turned off after CHALLENGE rules were saved: the payment is not challenged but held for review', async () => {
    const shop = await newShop('No Challenge Ltd');
    await shop.gql.ok(SET_RULES, { input: { rules: [{ id: 'big', type: 'AMOUNT_ABOVE', amount: gbp(10_000), action: 'CHALLENGE', score: 30 }] } });
    await admin.ok(CAPABILITIES, { m: shop.id, input: { threeDSecure: false } });
    const s = await session(shop, 15_000);
    const confirmed = (await shop.gql.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent;
    expect(confirmed).toMatchObject({ status: 'REQUIRES_CAPTURE', captureMode: 'MANUAL' });
    const pi = (await shop.gql.ok(INTENT, { id: s.paymentIntentId })).paymentIntent;
    expect(pi.risk.action).toBe('REVIEW');
    expect(pi.risk.reasons.map((r: { code: string }) => r.code)).toContain('capability:three_d_secure');
  });

  it('instalment methods need the installments capability: refused 403 and nothing created, accepted once it is on', async () => {
    const shop = await newShop('Pay Later Ltd');
    const body = { amount: 2000, currency: 'GBP', payment_methods: ['card', 'klarna'] };
    const refused = await rest(shop, 'POST', '/v1/checkout/payment-intents', body);
    expect([refused.status, refused.body.code]).toEqual([403, 'CAPABILITY_DISABLED']);
    const [{ n }] = await db('payment-intent').query(`SELECT count(*)::int AS n FROM payment.payment_intents WHERE merchant_id = $1 AND checkout_session_id IS NULL`, [shop.id]);
    expect(n).toBe(0);
    expect((await rest(shop, 'POST', '/v1/checkout/payment-intents', { ...body, payment_methods: ['card'] })).status).toBe(201);
    await admin.ok(CAPABILITIES, { m: shop.id, input: { installments: true } });
    const accepted = await rest(shop, 'POST', '/v1/checkout/payment-intents', body);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
  });
});
