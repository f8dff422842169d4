// Seed 003 §15 through the gateway (issue 19 item 4): failed checkouts listed with their reasons
// (a declined payment as payment_declined:<decline code>, a CHECKOUT_NOT_READY refusal as
// validation), resolved (retry_payment, apply_discount, manual_override, cancel: each recorded
// with who and when; an expired session's retry gets a replacement with a fresh URL and client
// token), and support notes its merchant sees and nobody else does (not the hosted page, not
// another merchant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_SHIPPING = `mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url paymentIntentId } }`;
const READ = `query($id: ID!) { checkoutSession(id: $id) { id status promotionCodes totals { total { amountMinor } }
  failures { reason occurrences resolution { action note resolvedBy { kind } } } supportNotes { note } } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;
const CALCULATE = `mutation($id: ID!) { calculateCheckout(id: $id) { version } }`;
const EXPIRE = `mutation($id: ID!) { expireCheckoutSession(id: $id) { status } }`;
const FAILED = `query($reason: String) { failedCheckouts(reason: $reason, first: 50) { edges { node { checkoutSessionId reason category } } totalCount } }`;
const RESOLVE = `mutation($id: ID!, $input: ResolveCheckoutFailureInput!) { resolveCheckoutFailure(id: $id, input: $input) { failure { resolution { action } } } }`;
const CLIENT_NOTES = `query($id: ID!) { checkoutSession(id: $id) { id supportNotes { note } } }`;

const GOOD = '4242424242424242';
const INSUFFICIENT = '4000000000009995';
const DECLINED = '4000000000000002';
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;

interface Shop {
  id: string;
  key: string;
  client: GqlClient;
}

async function newShop(name: string): Promise<Shop> {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, client: admin.as(key) };
}

async function rest(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`${method} ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
}

async function ok(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}, status = 200): Promise<any> {
  const r = await rest(method, path, key, body, headers);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

const session = (shop: Shop, amountMinor = 2000) =>
  shop.client.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: gbp(amountMinor), quantity: 1 }] } }).then((d) => d.createCheckoutSession);

const decline = async (shop: Shop, intentId: string, card = INSUFFICIENT) => {
  const r = await shop.client.request(CONFIRM, { id: intentId, card });
  expect(r.errors?.[0]?.extensions?.code).toBe('PAYMENT_DECLINED');
};

/** The merchant's failures list (REST), every page. */
async function failures(key: string, query = ''): Promise<any[]> {
  const all: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await ok('GET', `/v1/checkout/failures?limit=100${query}${cursor ? `&cursor=${cursor}` : ''}`, key);
    expect(page).toHaveProperty('has_more');
    all.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

const listedIn = async (key: string, id: string, query = '') => (await failures(key, query)).find((f) => f.checkout_id === id);

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('failed checkouts', () => {
  let shop: Shop;
  let rival: Shop;
  beforeAll(async () => {
    shop = await newShop('Failing Shop Ltd');
    rival = await newShop('Failing Rival Ltd');
    await ok('PATCH', '/v1/checkout/settings', shop.key, { max_payment_attempts: 2 });
  });

  it('a declined payment lists the session with payment_declined:<decline code>; retry_payment gives new attempts, then a good card completes it and it leaves the list', async () => {
    const s = await session(shop);
    await decline(shop, s.paymentIntentId);
    await expect.poll(() => listedIn(shop.key, s.id), { timeout: 15_000 }).toBeTruthy();
    const listed = await listedIn(shop.key, s.id);
    expect(listed).toMatchObject({
      object: 'checkout_failure', checkout_id: s.id, merchant_id: shop.id, reason: 'payment_declined:insufficient_funds', category: 'payment_declined',
      decline_code: 'insufficient_funds', payment_intent_id: s.paymentIntentId, occurrences: 1, checkout_status: 'open', resolution: null,
      recorded_by: { type: 'service', id: 'payment-intent' },
    });
    // Filters: by category, by exact reason, by time; another merchant never sees it; an admin does.
    expect(await listedIn(shop.key, s.id, '&reason=payment_declined')).toBeTruthy();
    expect(await listedIn(shop.key, s.id, '&reason=payment_declined:insufficient_funds')).toBeTruthy();
    expect(await listedIn(shop.key, s.id, '&reason=payment_declined:card_declined')).toBeUndefined();
    expect(await listedIn(shop.key, s.id, '&reason=validation')).toBeUndefined();
    expect(await listedIn(shop.key, s.id, `&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toBeUndefined();
    expect(await listedIn(shop.key, s.id, `&since=${encodeURIComponent(new Date(Date.now() - 600_000).toISOString())}`)).toBeTruthy();
    expect(await listedIn(rival.key, s.id)).toBeUndefined();
    expect(await listedIn(handoff.adminKey, s.id, `&merchant_id=${shop.id}`)).toBeTruthy();
    expect((await shop.client.ok(FAILED, { reason: 'payment_declined' })).failedCheckouts.edges.map((e: any) => e.node.checkoutSessionId)).toContain(s.id);

    // The second decline adds to the same failure; the third attempt is one too many.
    await decline(shop, s.paymentIntentId, DECLINED);
    await expect.poll(async () => (await listedIn(shop.key, s.id))?.occurrences, { timeout: 15_000 }).toBe(2);
    expect((await listedIn(shop.key, s.id)).reason).toBe('payment_declined:generic_decline');
    expect((await shop.client.request(CONFIRM, { id: s.paymentIntentId, card: GOOD })).errors?.[0]?.extensions?.code).toBe('PAYMENT_ATTEMPTS_EXCEEDED');

    const key = `resolve-${s.id}`;
    const resolved = await ok('POST', `/v1/checkout/sessions/${s.id}/resolve`, shop.key, { action: 'retry_payment', note: 'Buyer called: trying another card.' }, { 'idempotency-key': key });
    expect(resolved).toMatchObject({
      object: 'checkout_resolution', checkout_id: s.id, action: 'retry_payment', status: 'open', replacement_checkout_id: null,
      url: s.url, client_token: expect.stringContaining(s.id),
      failure: { reason: 'payment_declined:generic_decline', resolution: { action: 'retry_payment', note: 'Buyer called: trying another card.', resolved_by: { type: 'merchant' } } },
    });
    expect(Date.parse(resolved.failure.resolution.resolved_at)).not.toBeNaN();
    // The same key answers the same resolution; without it a second resolve finds nothing open.
    expect(await ok('POST', `/v1/checkout/sessions/${s.id}/resolve`, shop.key, { action: 'retry_payment', note: 'Buyer called: trying another card.' }, { 'idempotency-key': key })).toEqual(resolved);
    const again = await rest('POST', `/v1/checkout/sessions/${s.id}/resolve`, shop.key, { action: 'retry_payment' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'INVALID_STATE_TRANSITION', reason: 'checkout_failure:none' });
    expect(await listedIn(shop.key, s.id)).toBeUndefined();

    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await shop.client.ok(READ, { id: s.id })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
    expect(await listedIn(shop.key, s.id)).toBeUndefined();
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession.failures).toEqual([
      { reason: 'payment_declined:generic_decline', occurrences: 2, resolution: { action: 'retry_payment', note: 'Buyer called: trying another card.', resolvedBy: { kind: 'merchant' } } },
    ]);
  });

  it('a session that is paid after a decline leaves the list on its own (resolved as completed)', async () => {
    const s = await session(shop);
    await decline(shop, s.paymentIntentId);
    await expect.poll(() => listedIn(shop.key, s.id), { timeout: 15_000 }).toBeTruthy();
    expect((await shop.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await shop.client.ok(READ, { id: s.id })).checkoutSession.failures[0]?.resolution?.action, { timeout: 15_000 }).toBe('completed');
    expect(await listedIn(shop.key, s.id)).toBeUndefined();
  });

  it('a CHECKOUT_NOT_READY refusal is recorded as validation with its blockers; cancel resolves it and cancels the session', async () => {
    const shipper = await newShop('Shipping Failures Ltd');
    await admin.ok(SET_SHIPPING, {
      m: shipper.id,
      input: { zones: [{ id: 'gb', name: 'United Kingdom', countries: ['GB'], rates: [{ id: 'standard', label: 'Standard', amount: gbp(399) }] }] },
    });
    const s = await session(shipper);
    await shipper.client.ok(CALCULATE, { id: s.id });
    expect((await shipper.client.request(CONFIRM, { id: s.paymentIntentId, card: GOOD })).errors?.[0]?.extensions?.code).toBe('CHECKOUT_NOT_READY');
    const listed = await listedIn(shipper.key, s.id);
    expect(listed).toMatchObject({ reason: 'validation', category: 'validation', recorded_by: { type: 'service', id: 'payment-intent' } });
    expect(listed.blockers.map((b: any) => b.code).sort()).toEqual(['address_invalid', 'shipping_not_selected']);

    const bad = await rest('POST', `/v1/checkout/sessions/${s.id}/resolve`, shipper.key, { action: 'refund' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'action' });
    const cancelled = await ok('POST', `/v1/checkout/sessions/${s.id}/resolve`, shipper.key, { action: 'cancel', note: 'Out of stock locally.' });
    expect(cancelled).toMatchObject({ status: 'canceled', url: null, failure: { resolution: { action: 'cancel' } } });
    expect((await shipper.client.ok(READ, { id: s.id })).checkoutSession.status).toBe('CANCELED');
    expect(await listedIn(shipper.key, s.id)).toBeUndefined();
  });

  it('manual_override is an admin\'s, with a note; a merchant is refused and nothing changes', async () => {
    const s = await session(shop);
    await decline(shop, s.paymentIntentId);
    await expect.poll(() => listedIn(shop.key, s.id), { timeout: 15_000 }).toBeTruthy();
    const refused = await rest('POST', `/v1/checkout/sessions/${s.id}/resolve`, shop.key, { action: 'manual_override', note: 'paid by bank transfer' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    const noNote = await rest('POST', `/v1/checkout/sessions/${s.id}/resolve`, handoff.adminKey, { action: 'manual_override' });
    expect(noNote.status).toBe(400);
    expect(noNote.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    expect(await listedIn(shop.key, s.id)).toBeTruthy();
    const overridden = (await admin.ok(RESOLVE, { id: s.id, input: { action: 'MANUAL_OVERRIDE', note: 'Paid by bank transfer, ref 1234.' } })).resolveCheckoutFailure;
    expect(overridden.failure.resolution.action).toBe('manual_override');
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession.failures[0].resolution).toMatchObject({ note: 'Paid by bank transfer, ref 1234.', resolvedBy: { kind: 'admin' } });
    expect(await listedIn(shop.key, s.id)).toBeUndefined();
    // Another merchant's session is not found.
    const t = await session(shop);
    expect((await rest('POST', `/v1/checkout/sessions/${t.id}/resolve`, rival.key, { action: 'cancel' })).status).toBe(404);
  });

  it('apply_discount applies the code and recalculates (an invalid code is PROMOTION_INVALID and resolves nothing)', async () => {
    const discounter = await newShop('Discount Failures Ltd');
    await admin.ok(CREATE_PROMOTION, { input: { merchantId: discounter.id, name: 'Sorry', code: 'SORRY10', percentOffBasisPoints: 1000 } });
    const s = await session(discounter, 3000);
    await discounter.client.ok(CALCULATE, { id: s.id });
    await decline(discounter, s.paymentIntentId);
    await expect.poll(() => listedIn(discounter.key, s.id), { timeout: 15_000 }).toBeTruthy();
    const invalid = await rest('POST', `/v1/checkout/sessions/${s.id}/resolve`, discounter.key, { action: 'apply_discount', promotion_code: 'NOPE' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.code).toBe('PROMOTION_INVALID');
    expect(await listedIn(discounter.key, s.id)).toBeTruthy();
    const missing = await rest('POST', `/v1/checkout/sessions/${s.id}/resolve`, discounter.key, { action: 'apply_discount' });
    expect(missing.body).toMatchObject({ code: 'BAD_USER_INPUT', field: 'promotion_code' });
    const applied = await ok('POST', `/v1/checkout/sessions/${s.id}/resolve`, discounter.key, { action: 'apply_discount', promotion_code: 'sorry10' });
    expect(applied.failure.resolution).toMatchObject({ action: 'apply_discount', promotion_code: 'SORRY10' });
    expect((await discounter.client.ok(READ, { id: s.id })).checkoutSession).toMatchObject({ promotionCodes: ['SORRY10'], totals: { total: { amountMinor: 2700 } } });
    expect((await discounter.client.ok(CONFIRM, { id: s.paymentIntentId, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });

  it('retry_payment of an expired session replaces it: a new session with the same lines, a fresh URL and client token', async () => {
    const s = await session(shop, 1700);
    await decline(shop, s.paymentIntentId);
    await expect.poll(() => listedIn(shop.key, s.id), { timeout: 15_000 }).toBeTruthy();
    await shop.client.ok(EXPIRE, { id: s.id });
    expect((await listedIn(shop.key, s.id)).checkout_status).toBe('expired');
    const r = await ok('POST', `/v1/checkout/sessions/${s.id}/resolve`, shop.key, { action: 'retry_payment' });
    expect(r.replacement_checkout_id).toMatch(/^cs_/);
    expect(r.replacement_checkout_id).not.toBe(s.id);
    expect(r.url).toContain(`/checkout/${r.replacement_checkout_id}?cs=`);
    expect(r.client_token).toContain(r.replacement_checkout_id);
    expect(r.failure.resolution.replacement_checkout_id).toBe(r.replacement_checkout_id);
    expect(await listedIn(shop.key, s.id)).toBeUndefined();
    const replacement = await ok('GET', `/v1/checkout/sessions/${r.replacement_checkout_id}`, shop.key);
    expect(replacement).toMatchObject({ status: 'created', totals: { grand_total: 1700 } });
    expect((await shop.client.ok(CONFIRM, { id: replacement.payment_intent.id, card: GOOD })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  });
});

describe('support notes', () => {
  it("its merchant writes and reads them (the author is the key); another merchant and the hosted page never see them", async () => {
    const shop = await newShop('Notes Shop Ltd');
    const rival = await newShop('Notes Rival Ltd');
    const s = await session(shop);
    const text = 'Buyer says the 3-D Secure page timed out.\nCalled back at 14:05.';
    const note = await ok('POST', `/v1/checkout/sessions/${s.id}/support-note`, shop.key, { note: text }, { 'idempotency-key': `note-${s.id}` }, 201);
    expect(note).toMatchObject({ object: 'support_note', id: expect.stringMatching(/^csn_/), checkout_id: s.id, note: text, author: { type: 'merchant' } });
    // A replay with the key writes nothing more.
    expect(await ok('POST', `/v1/checkout/sessions/${s.id}/support-note`, shop.key, { note: text }, { 'idempotency-key': `note-${s.id}` }, 201)).toEqual(note);
    await ok('POST', `/v1/checkout/sessions/${s.id}/support-note`, handoff.adminKey, { note: 'Ops: checked the PSP log.' }, {}, 201);
    const listed = await ok('GET', `/v1/checkout/sessions/${s.id}/support-notes`, shop.key);
    expect(listed.data.map((n: any) => [n.note, n.author.type])).toEqual([[text, 'merchant'], ['Ops: checked the PSP log.', 'admin']]);
    expect((await shop.client.ok(READ, { id: s.id })).checkoutSession.supportNotes.map((n: any) => n.note)).toEqual([text, 'Ops: checked the PSP log.']);

    // Bad notes: 400 naming `note`, nothing written.
    for (const body of [{ note: '' }, { note: '   ' }, { note: 'x'.repeat(2001) }, { note: 'bell\u0007' }, {}, { note: 5 }]) {
      const r = await rest('POST', `/v1/checkout/sessions/${s.id}/support-note`, shop.key, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body, JSON.stringify(body)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    }
    expect((await ok('GET', `/v1/checkout/sessions/${s.id}/support-notes`, shop.key)).data).toHaveLength(2);

    // Another merchant: not found, to write or to read.
    expect((await rest('GET', `/v1/checkout/sessions/${s.id}/support-notes`, rival.key)).status).toBe(404);
    expect((await rest('POST', `/v1/checkout/sessions/${s.id}/support-note`, rival.key, { note: 'hello' })).status).toBe(404);

    // The hosted page: not in its page, not in its JSON view, and its client secret may not ask.
    const secret = new URL(s.url).searchParams.get('cs')!;
    const html = await (await fetch(s.url)).text();
    expect(html).not.toContain('timed out');
    const view = await (await fetch(`${handoff.gatewayUrl}/api/checkout/${s.id}`, { headers: { authorization: `Bearer ${secret}` } })).text();
    expect(view).not.toContain('timed out');
    const asClient = await new GqlClient(handoff.graphqlUrl, secret).request(CLIENT_NOTES, { id: s.id });
    expect(asClient.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(asClient)).not.toContain('timed out');
  });
});
