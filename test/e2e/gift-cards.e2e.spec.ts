// Gift cards, store credit and split tender through the gateway (issue 20 item 3, seed 003 §6 and
// §11): a card issued once (its code shown once), held by checkouts without double spend (20
// sessions apply one £50 card at once), the card paying the rest, captured when paid, released
// when the card is declined, store credit per customer, refusals with stable codes writing
// nothing, and the books still balancing with the liability where it belongs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const ISSUE = `mutation($input: IssueGiftCardInput!, $key: String) { issueGiftCard(input: $input, idempotencyKey: $key) { code giftCard { id last4 balance { amountMinor currency } } } }`;
const GRANT = `mutation($input: GrantStoreCreditInput!) { grantStoreCredit(input: $input) { customerId balance { amountMinor } } }`;
const APPLY = `mutation($id: ID!, $code: String!) { applyCheckoutGiftCard(id: $id, code: $code) { applied { amountMinor currency } remaining { amountMinor } } }`;
const REMOVE = `mutation($id: ID!, $code: String!) { removeCheckoutGiftCard(id: $id, code: $code) { applied { amountMinor } remaining { amountMinor } } }`;
const CREDIT = `mutation($id: ID!, $amount: SafeInt!) { applyCheckoutStoreCredit(id: $id, amountMinor: $amount) { applied { amountMinor } remaining { amountMinor } } }`;
const CUSTOMER = `mutation($id: ID!, $customer: CheckoutCustomerInput!) { setCheckoutCustomer(id: $id, customer: $customer) { id } }`;
const WALLET = `query($id: ID!) { checkoutSession(id: $id) { id status wallet { held { amountMinor } amountDue { amountMinor } storeCredit { amountMinor }
  applied { kind amount { amountMinor } giftCard { id last4 balance { amountMinor } } } giftCards { id } } } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status amount { amountMinor } } }`;
const LEDGER = `{ ledgerCheck { balanced overdrawnAccounts } }`;
const ENABLE_GIFT_CARDS = `mutation($m: ID!) { setMerchantCapabilities(merchantId: $m, input: { giftCards: true }) { giftCards } }`;

const GOOD = '4242424242424242';
const DECLINED = '4000000000009995'; // insufficient funds
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;
interface Shop { id: string; client: GqlClient }

async function newShop(name: string): Promise<Shop> {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  // Gift cards are a capability an admin turns on (off by default: test/e2e/checkout-tender-capabilities.e2e.spec.ts).
  await admin.ok(ENABLE_GIFT_CARDS, { m: id });
  return { id, client: admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key) };
}
const session = (shop: Shop, amountMinor: number, currency = 'GBP') =>
  shop.client.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: { amountMinor, currency }, quantity: 1 }] } }).then((d) => d.createCheckoutSession as { id: string; paymentIntentId: string });
const issue = (shop: Shop, amountMinor: number, extra: Record<string, unknown> = {}) =>
  shop.client.ok(ISSUE, { input: { merchantId: shop.id, balance: gbp(amountMinor), ...extra } }).then((d) => d.issueGiftCard);
const wallet = async (shop: Shop, id: string) => (await shop.client.ok(WALLET, { id })).checkoutSession;
const code = async (p: Promise<{ errors?: Array<{ extensions?: Record<string, unknown> }> }>) => (await p).errors?.[0]?.extensions;
const db = () => handoff.subgraphs.find((s) => s.name === 'checkout-session')!.app.dataSource;
const ledgerDb = () => handoff.subgraphs.find((s) => s.name === 'conversion-ledger')!.app.dataSource;
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
/** A seed 003 REST call at the gateway as `shop`: its status and JSON body. */
async function rest(shop: Shop, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions${path}`, {
    method,
    headers: { authorization: `Bearer ${shop.client.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
const liability = async (merchantId: string, type = 'gift_card_liability') => {
  const [row] = await ledgerDb().query(`SELECT balance_minor::text AS b FROM ledger.ledger_accounts WHERE account_type = $1 AND account_owner = $2 AND currency = 'GBP'`, [type, merchantId]);
  return row ? Number(row.b) : 0;
};

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);
afterAll(async () => handoff?.stop());

describe('gift cards and split tender', () => {
  let shop: Shop;
  let rival: Shop;
  beforeAll(async () => {
    [shop, rival] = await Promise.all([newShop('Gift Shop Ltd'), newShop('Gift Rival Ltd')]);
  });

  it('a card is issued once: its code is shown, only its hash kept; the same idempotency key answers the same code and card', async () => {
    const a = (await shop.client.ok(ISSUE, { input: { merchantId: shop.id, balance: gbp(2500) }, key: 'gc-once-1' })).issueGiftCard;
    const b = (await shop.client.ok(ISSUE, { input: { merchantId: shop.id, balance: gbp(2500) }, key: 'gc-once-1' })).issueGiftCard;
    expect(a.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(b).toEqual(a);
    expect(a.giftCard).toMatchObject({ last4: a.code.slice(-4), balance: gbp(2500) });
    const rows = await db().query(`SELECT * FROM checkout.gift_cards WHERE id = $1`, [a.giftCard.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain(a.code.replace(/-/g, ''));
    expect(await code(rival.client.request(ISSUE, { input: { merchantId: shop.id, balance: gbp(100) } }))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('NO DOUBLE SPEND: 20 sessions apply one £50 card at once; at most £50 is held in total', async () => {
    const card = await issue(shop, 5000);
    const sessions = await Promise.all(Array.from({ length: 20 }, () => session(shop, 3000)));
    const results = await Promise.all(sessions.map((s) => shop.client.request(APPLY, { id: s.id, code: card.code })));
    const applied = results.filter((r) => !r.errors).map((r) => r.data!.applyCheckoutGiftCard.applied.amountMinor as number);
    const refused = results.filter((r) => r.errors).map((r) => r.errors![0]!.extensions);
    expect(applied.reduce((a, b) => a + b, 0), JSON.stringify(refused.slice(0, 2))).toBe(5000);
    expect(applied.sort()).toEqual([2000, 3000]);
    expect(refused).toHaveLength(18);
    for (const e of refused) expect(e).toMatchObject({ code: 'GIFT_CARD_INVALID', reason: 'gift_card:exhausted' });
    const [row] = await db().query(`SELECT balance_minor::int AS b, (SELECT coalesce(sum(amount_minor), 0)::int FROM checkout.tender_holds WHERE gift_card_id = $1 AND status = 'held') AS held FROM checkout.gift_cards WHERE id = $1`, [card.giftCard.id]);
    expect(row).toEqual({ b: 0, held: 5000 });
    // Every session lets its card go: the whole balance is back.
    await Promise.all(sessions.map((s) => shop.client.request(REMOVE, { id: s.id, code: card.code })));
    expect((await db().query(`SELECT balance_minor::int AS b FROM checkout.gift_cards WHERE id = $1`, [card.giftCard.id]))[0].b).toBe(5000);
  });

  it('split: the card pays the grand total minus the held gift card; paid, the hold is spent and the books move the liability', async () => {
    const before = await liability(shop.id);
    const card = await issue(shop, 1500);
    await until(() => liability(shop.id), (b) => b === before - 1500, 'the issue posted');
    const s = await session(shop, 4000);
    const applied = (await shop.client.ok(APPLY, { id: s.id, code: ` ${card.code.toLowerCase()} ` })).applyCheckoutGiftCard;
    expect(applied).toEqual({ applied: gbp(1500), remaining: { amountMinor: 2500 } });
    // Applying it again changes nothing.
    expect((await shop.client.ok(APPLY, { id: s.id, code: card.code })).applyCheckoutGiftCard.remaining.amountMinor).toBe(2500);
    const w = await wallet(shop, s.id);
    expect(w.wallet).toMatchObject({ held: { amountMinor: 1500 }, amountDue: { amountMinor: 2500 }, applied: [{ kind: 'GIFT_CARD', amount: { amountMinor: 1500 }, giftCard: { id: card.giftCard.id, last4: card.giftCard.last4 } }] });
    const paid = (await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent;
    expect(paid).toMatchObject({ status: 'SUCCEEDED', amount: { amountMinor: 2500 } });
    await until(() => wallet(shop, s.id), (x) => x.status === 'COMPLETE', 'the session completed');
    const holds = await db().query(`SELECT status FROM checkout.tender_holds WHERE checkout_session_id = $1`, [s.id]);
    expect(holds).toEqual([{ status: 'captured' }]);
    await until(() => liability(shop.id), (b) => b === before, 'the redemption posted');
    const [redeemed] = await ledgerDb().query(`SELECT balance_minor::int AS b FROM ledger.ledger_accounts WHERE account_type = 'tender_redeemed' AND account_owner = $1`, [shop.id]);
    expect(redeemed.b).toBe(-1500);
    expect((await admin.ok(LEDGER)).ledgerCheck).toEqual({ balanced: true, overdrawnAccounts: [] });
  });

  it('all or nothing: a declined card releases the held gift card and store credit', async () => {
    const card = await issue(shop, 1000);
    await shop.client.ok(GRANT, { input: { merchantId: shop.id, customerId: 'cust-42', amount: gbp(700) } });
    const s = await session(shop, 3000);
    await shop.client.ok(CUSTOMER, { id: s.id, customer: { customerId: 'cust-42' } });
    await shop.client.ok(APPLY, { id: s.id, code: card.code });
    expect((await shop.client.ok(CREDIT, { id: s.id, amount: 500 })).applyCheckoutStoreCredit).toEqual({ applied: { amountMinor: 500 }, remaining: { amountMinor: 1500 } });
    expect((await wallet(shop, s.id)).wallet.storeCredit.amountMinor).toBe(200);
    const r = await shop.client.request(CONFIRM, { id: s.paymentIntentId, card: DECLINED });
    expect(r.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
    const w = await until(() => wallet(shop, s.id), (x) => x.wallet.applied.length === 0, 'the holds released');
    expect(w.wallet).toMatchObject({ held: { amountMinor: 0 }, amountDue: { amountMinor: 3000 }, storeCredit: { amountMinor: 700 } });
    expect((await db().query(`SELECT balance_minor::int AS b FROM checkout.gift_cards WHERE id = $1`, [card.giftCard.id]))[0].b).toBe(1000);
  });

  it('refusals have stable codes and hold nothing', async () => {
    const s = await session(shop, 2000);
    const rivalCard = await issue(rival, 1000);
    const expired = await issue(shop, 1000, { expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const euro = (await shop.client.ok(ISSUE, { input: { merchantId: shop.id, balance: { amountMinor: 1000, currency: 'EUR' } } })).issueGiftCard;
    expect(await code(shop.client.request(APPLY, { id: s.id, code: 'ABCD-EFGH-JKMN-PQRS' }))).toMatchObject({ code: 'GIFT_CARD_NOT_FOUND' });
    // Another merchant's card answers exactly as a wrong code.
    const other = await shop.client.request(APPLY, { id: s.id, code: rivalCard.code });
    const wrong = await shop.client.request(APPLY, { id: s.id, code: 'ABCD-EFGH-JKMN-PQRT' });
    expect(other.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
    expect(other.errors?.[0]?.extensions?.code).toBe('GIFT_CARD_NOT_FOUND');
    expect(await code(shop.client.request(APPLY, { id: s.id, code: euro.code }))).toMatchObject({ code: 'GIFT_CARD_INVALID', reason: 'gift_card:currency_mismatch' });
    await db().query(`UPDATE checkout.gift_cards SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.giftCard.id]);
    expect(await code(shop.client.request(APPLY, { id: s.id, code: expired.code }))).toMatchObject({ code: 'GIFT_CARD_INVALID', reason: 'gift_card:expired' });
    expect(await code(shop.client.request(APPLY, { id: s.id, code: 'x'.repeat(65) }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(shop.client.request(CREDIT, { id: s.id, amount: 0 }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(shop.client.request(CREDIT, { id: s.id, amount: -5 }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code(shop.client.request(CREDIT, { id: s.id, amount: 100 }))).toMatchObject({ code: 'STORE_CREDIT_UNAVAILABLE', reason: 'store_credit:no_customer' });
    await shop.client.ok(CUSTOMER, { id: s.id, customer: { customerId: 'cust-poor' } });
    expect(await code(shop.client.request(CREDIT, { id: s.id, amount: 100 }))).toMatchObject({ code: 'STORE_CREDIT_UNAVAILABLE', reason: 'store_credit:insufficient' });
    for (const balance of [gbp(0), gbp(-100)]) {
      expect(await code(shop.client.request(ISSUE, { input: { merchantId: shop.id, balance } }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    expect(await code(shop.client.request(ISSUE, { input: { merchantId: shop.id, balance: gbp(100), expiresAt: '2001-01-01T00:00:00Z' } }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    // Another merchant's session is not found.
    expect(await code(rival.client.request(APPLY, { id: s.id, code: rivalCard.code }))).toMatchObject({ code: 'CHECKOUT_SESSION_NOT_FOUND' });
    expect(await db().query(`SELECT id FROM checkout.tender_holds WHERE checkout_session_id = $1`, [s.id])).toEqual([]);
    expect((await admin.ok(LEDGER)).ledgerCheck.balanced).toBe(true);
  });

  it('REST (seed 003): apply-giftcard, apply-store-credit, wallet and remove-giftcard are thin adapters over the same holds', async () => {
    const card = await issue(shop, 1200);
    await shop.client.ok(GRANT, { input: { merchantId: shop.id, customerId: 'cust-rest', amount: gbp(900) } });
    const s = await session(shop, 3000);
    await shop.client.ok(CUSTOMER, { id: s.id, customer: { customerId: 'cust-rest' } });
    const applied = await rest(shop, 'POST', `/${s.id}/apply-giftcard`, { code: card.code }, { 'idempotency-key': `gc-rest-${s.id}` });
    expect(applied).toEqual({ status: 200, body: { object: 'tender_application', checkout_id: s.id, applied: 1200, remaining: 1800, currency: 'GBP' } });
    // The hold is the GraphQL wallet's.
    expect((await wallet(shop, s.id)).wallet).toMatchObject({ held: { amountMinor: 1200 }, amountDue: { amountMinor: 1800 }, applied: [{ kind: 'GIFT_CARD', amount: { amountMinor: 1200 }, giftCard: { id: card.giftCard.id } }] });
    const credit = await rest(shop, 'POST', `/${s.id}/apply-store-credit`, { amount: 500 });
    expect(credit).toEqual({ status: 200, body: { object: 'tender_application', checkout_id: s.id, applied: 500, remaining: 1300, currency: 'GBP' } });
    const w = await rest(shop, 'GET', `/${s.id}/wallet`);
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ object: 'checkout_wallet', checkout_id: s.id, currency: 'GBP', held: 1700, amount_due: 1300, store_credit: 400 });
    expect(w.body.applied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'gift_card', amount: 1200, gift_card: expect.objectContaining({ id: card.giftCard.id, last4: card.giftCard.last4 }) }),
        expect.objectContaining({ kind: 'store_credit', amount: 500, gift_card: null }),
      ]),
    );
    const removed = await rest(shop, 'POST', `/${s.id}/remove-giftcard/${encodeURIComponent(card.code)}`);
    expect(removed).toMatchObject({ status: 200, body: { applied: -1200, remaining: 2500, currency: 'GBP' } });
    expect((await wallet(shop, s.id)).wallet).toMatchObject({ held: { amountMinor: 500 }, amountDue: { amountMinor: 2500 } });
    // DELETE …/giftcards/{code} is the same removal (the card is back, applied again first).
    await rest(shop, 'POST', `/${s.id}/apply-giftcard`, { code: card.code });
    expect(await rest(shop, 'DELETE', `/${s.id}/giftcards/${encodeURIComponent(card.code)}`)).toMatchObject({ status: 200, body: { applied: -1200, remaining: 2500 } });
  });

  it('REST (seed 003): an unknown code is 404 GIFT_CARD_NOT_FOUND, a malformed body 400 naming the field, another merchant 404; nothing held', async () => {
    const s = await session(shop, 2000);
    const unknown = await rest(shop, 'POST', `/${s.id}/apply-giftcard`, { code: 'ABCD-EFGH-JKMN-PQRS' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'GIFT_CARD_NOT_FOUND', error: expect.any(String) });
    for (const body of [{}, { code: 12345 }, { code: 'x'.repeat(65) }, { code: 'ABCD', price_data: {} }]) {
      const r = await rest(shop, 'POST', `/${s.id}/apply-giftcard`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('BAD_USER_INPUT');
      expect(r.body.error).toMatch(/code|price_data/);
      expect(r.body.error).not.toMatch(/\$|GraphQL|Variable/);
    }
    for (const body of [{}, { amount: '100' }, { amount: 10.5 }, { amount: 0 }, { amount: -5 }]) {
      const r = await rest(shop, 'POST', `/${s.id}/apply-store-credit`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(r.body.error).toContain('amount');
      expect(r.body.error).not.toMatch(/amountMinor|SafeInt|\$/);
    }
    expect(await rest(shop, 'POST', `/${s.id}/apply-giftcard`, '{"code": NaN}')).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    const noCustomer = await rest(shop, 'POST', `/${s.id}/apply-store-credit`, { amount: 100 });
    expect(noCustomer).toMatchObject({ status: 422, body: { code: 'STORE_CREDIT_UNAVAILABLE' } });
    const card = await issue(shop, 500);
    expect(await rest(rival, 'POST', `/${s.id}/apply-giftcard`, { code: card.code })).toMatchObject({ status: 404, body: { code: 'CHECKOUT_SESSION_NOT_FOUND' } });
    expect(await rest(rival, 'GET', `/${s.id}/wallet`)).toMatchObject({ status: 404, body: { code: 'CHECKOUT_SESSION_NOT_FOUND' } });
    expect(await db().query(`SELECT id FROM checkout.tender_holds WHERE checkout_session_id = $1`, [s.id])).toEqual([]);
  });
});
