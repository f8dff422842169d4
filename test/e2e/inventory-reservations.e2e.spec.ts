// Inventory reservations through the gateway (issue 20 item 1, seed 003 §5 and §14): setStock and
// stockLevels in GraphQL; POST /sessions/{id}/reserve, GET/extend/release /reservations/{id},
// GET /sessions/{id}/holds and POST …/holds/extend in REST. 50 sessions race for the last 3 units:
// exactly 3 are held, never more. A short line is held in part (status partial) or refused
// (all_or_nothing, single_location) with nothing written; a pickup selection holds at that
// location only; bad input and another merchant's session or reservation write nothing; the
// session shows reservation_id and status reserved, its timeline the steps, and canceling it
// gives the stock back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const SET_SHIPPING = `mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`;
const SET_STOCK = `mutation($o: ID!, $q: Int!, $l: ID) { setStock(offerId: $o, quantity: $q, locationId: $l) { offerId locationId onHand reserved available } }`;
const LEVELS = `query($o: ID!) { stockLevels(offerId: $o) { locationId onHand reserved available } }`;
const TIMELINE = `query($id: ID!) { checkoutSession(id: $id) { lifecycleStatus reservationId timeline(first: 50) { edges { node { kind } } } } }`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: GqlClient;
const keys = { shop: '', rival: '' };
const offers = { scarce: '', jacket: '', hat: '', rivals: '' };

async function rest(method: string, path: string, body?: unknown, key = keys.shop): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
async function ok(method: string, path: string, body?: unknown, key = keys.shop): Promise<any> {
  const r = await rest(method, path, body, key);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
async function session(lines: Array<{ offer: string; quantity: number }>, key = keys.shop): Promise<string> {
  const r = await rest('POST', '/sessions', { currency: 'GBP', line_items: lines.map((l) => ({ name: 'Item', amount: 1000, quantity: l.quantity, offer_id: l.offer })) }, key);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.checkout_id as string;
}
const levels = async (offerId: string) => (await shop.ok(LEVELS, { o: offerId })).stockLevels as Array<{ locationId: string | null; onHand: number; reserved: number; available: number }>;

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const merchant = async (name: string) => {
    const id = (await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
    await admin.ok(CONNECT, { m: id });
    const offer = async (n: string) => (await admin.ok(CREATE_OFFER, { input: { merchantId: id, name: n, provider: name, price: gbp(1000) } })).createOffer.id as string;
    return { id, offer, key: (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string };
  };
  const a = await merchant('Stock Shop Ltd');
  const b = await merchant('Stock Rival Ltd');
  keys.shop = a.key;
  keys.rival = b.key;
  shop = admin.as(a.key);
  offers.scarce = await a.offer('Last few lamps');
  offers.jacket = await a.offer('Jacket');
  offers.hat = await a.offer('Hat');
  offers.rivals = await b.offer('Rival lamp');
  await admin.ok(SET_SHIPPING, {
    m: a.id,
    input: { zones: [], pickupLocations: [{ id: 'soho', name: 'Soho store', address: { line1: '1 Dean Street', city: 'London', postalCode: 'W1D 3RB', country: 'GB' }, openingHours: [] }] },
  });
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('inventory reservations', () => {
  it('never oversells: 50 sessions race for the last 3 units and exactly 3 hold one', async () => {
    expect((await shop.ok(SET_STOCK, { o: offers.scarce, q: 3, l: null })).setStock).toMatchObject({ locationId: null, onHand: 3, reserved: 0, available: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(...(await Promise.all(Array.from({ length: 10 }, () => session([{ offer: offers.scarce, quantity: 1 }])))));
    const answers = await Promise.all(ids.map((id) => rest('POST', `/sessions/${id}/reserve`, { allocation_strategy: 'all_or_nothing' })));
    const held = answers.filter((a) => a.status === 200);
    expect(held).toHaveLength(3);
    for (const a of held) expect(a.body).toMatchObject({ status: 'reserved', lines: [{ offer_id: offers.scarce, requested: 1, reserved: 1 }] });
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(47);
    for (const r of refused) expect(r).toMatchObject({ status: 409, body: { code: 'INVENTORY_SHORTFALL' } });
    expect(await levels(offers.scarce)).toEqual([{ locationId: null, onHand: 3, reserved: 3, available: 0 }]);
  }, 180_000);

  it('holds in part (partial), refuses all_or_nothing and single_location writing nothing, and follows the session through extend, holds and release', async () => {
    await shop.ok(SET_STOCK, { o: offers.jacket, q: 2, l: null });
    await shop.ok(SET_STOCK, { o: offers.jacket, q: 1, l: 'soho' });
    const id = await session([{ offer: offers.jacket, quantity: 5 }, { offer: offers.hat, quantity: 1 }]);

    for (const strategy of ['all_or_nothing', 'single_location']) {
      const refused = await rest('POST', `/sessions/${id}/reserve`, { allocation_strategy: strategy });
      expect(refused).toMatchObject({ status: 409, body: { code: 'INVENTORY_SHORTFALL' } });
    }
    expect((await ok('GET', `/sessions/${id}`)).reservation_id).toBeNull();

    const r = await ok('POST', `/sessions/${id}/reserve`, { expires_in_seconds: 600, allocation_strategy: 'best_fit' });
    expect(r).toMatchObject({ status: 'partial', allocation_strategy: 'best_fit', checkout_id: id });
    expect(r.lines).toEqual([
      { offer_id: offers.jacket, requested: 5, reserved: 3, tracked: true, allocations: [{ location_id: null, quantity: 2 }, { location_id: 'soho', quantity: 1 }] },
      // No stock kept for the hat: not tracked, held in full.
      { offer_id: offers.hat, requested: 1, reserved: 1, tracked: false, allocations: [] },
    ]);
    const expires = Date.parse(r.expires_at);
    expect(expires - Date.now()).toBeGreaterThan(500_000);
    expect((await levels(offers.jacket)).map((l) => l.available)).toEqual([0, 0]);

    const resource = await ok('GET', `/sessions/${id}`);
    expect(resource).toMatchObject({ status: 'reserved', reservation_id: r.reservation_id });
    expect(await ok('GET', `/reservations/${r.reservation_id}`)).toEqual(r);

    const holds = await ok('GET', `/sessions/${id}/holds`);
    expect(holds.data.map((h: any) => [h.offer_id, h.location_id, h.quantity])).toEqual([[offers.jacket, null, 2], [offers.jacket, 'soho', 1], [offers.hat, null, 1]]);
    const extended = await ok('POST', `/sessions/${id}/holds/extend`, { expires_in_seconds: 3600 });
    expect(Date.parse(extended.data[0].expires_at)).toBeGreaterThan(expires);
    const again = await ok('POST', `/reservations/${r.reservation_id}/extend`, {});
    expect(Date.parse(again.expires_at), 'an extension never shortens a hold').toBe(Date.parse(extended.data[0].expires_at));

    const released = await ok('POST', `/reservations/${r.reservation_id}/release`, {});
    expect(released).toMatchObject({ status: 'released', end_reason: 'released on request' });
    expect(await ok('POST', `/reservations/${r.reservation_id}/release`, {}), 'a second release changes nothing').toEqual(released);
    expect((await levels(offers.jacket)).map((l) => l.available)).toEqual([2, 1]);
    expect((await ok('GET', `/sessions/${id}/holds`)).data).toEqual([]);
    expect(await rest('POST', `/reservations/${r.reservation_id}/extend`, {})).toMatchObject({ status: 409, body: { code: 'INVALID_STATE_TRANSITION' } });

    const t = (await shop.ok(TIMELINE, { id })).checkoutSession;
    expect(t.reservationId).toBe(r.reservation_id);
    expect(t.lifecycleStatus).toBe('CREATED');
    expect(t.timeline.edges.map((e: any) => e.node.kind).filter((k: string) => k.startsWith('inventory.'))).toEqual([
      'inventory.reserved', 'inventory.extended', 'inventory.extended', 'inventory.released',
    ]);
  }, 120_000);

  it('holds at the pickup location chosen, and canceling the session gives the stock back', async () => {
    const id = await session([{ offer: offers.jacket, quantity: 2 }]);
    await ok('POST', `/sessions/${id}/pickup-location`, { pickup_location_id: 'soho' });
    const r = await ok('POST', `/sessions/${id}/reserve`, {});
    expect(r).toMatchObject({ status: 'partial', lines: [{ requested: 2, reserved: 1, allocations: [{ location_id: 'soho', quantity: 1 }] }] });
    expect(await levels(offers.jacket)).toMatchObject([{ locationId: null, available: 2 }, { locationId: 'soho', available: 0 }]);
    await ok('DELETE', `/sessions/${id}`);
    expect(await ok('GET', `/reservations/${r.reservation_id}`)).toMatchObject({ status: 'released', end_reason: 'checkout canceled' });
    expect(await levels(offers.jacket)).toMatchObject([{ available: 2 }, { locationId: 'soho', available: 1 }]);
  }, 60_000);

  it('answers bad input and other merchants with stable codes and writes nothing', async () => {
    const id = await session([{ offer: offers.jacket, quantity: 1 }]);
    const cases: Array<[string, unknown, number, string, string?]> = [
      [`/sessions/${id}/reserve`, { expires_in_seconds: 5 }, 400, 'BAD_USER_INPUT', 'expires_in_seconds'],
      [`/sessions/${id}/reserve`, { expires_in_seconds: 999_999 }, 400, 'BAD_USER_INPUT', 'expires_in_seconds'],
      [`/sessions/${id}/reserve`, { allocation_strategy: 'fifo' }, 400, 'BAD_USER_INPUT', 'allocation_strategy'],
      [`/sessions/${id}/reserve`, { lines: [{ offer_id: offers.jacket, quantity: 0 }] }, 400, 'BAD_USER_INPUT', 'lines[0].quantity'],
      [`/sessions/${id}/reserve`, { lines: [{ offer_id: offers.jacket, quantity: -2 }] }, 400, 'BAD_USER_INPUT', 'lines[0].quantity'],
      [`/sessions/${id}/reserve`, { lines: [{ offer_id: offers.hat, quantity: 1 }] }, 400, 'BAD_USER_INPUT', 'lines[0].offer_id'],
      ['/sessions/cs_unknown/reserve', {}, 404, 'CHECKOUT_SESSION_NOT_FOUND'],
      [`/sessions/${'x'.repeat(300)}/reserve`, {}, 400, 'BAD_USER_INPUT'],
      ['/reservations/rsv_unknown/extend', {}, 404, 'RESERVATION_NOT_FOUND'],
    ];
    for (const [path, body, status, code, field] of cases) {
      const r = await rest('POST', path, body);
      expect(r, `${path} ${JSON.stringify(body)}`).toMatchObject({ status, body: { code } });
      if (field) expect(r.body.error).toContain(field);
    }
    expect(await rest('POST', `/sessions/${id}/reserve`, {}, keys.rival)).toMatchObject({ status: 404, body: { code: 'CHECKOUT_SESSION_NOT_FOUND' } });
    expect((await ok('GET', `/sessions/${id}`)).reservation_id, 'nothing was reserved').toBeNull();

    const mine = await ok('POST', `/sessions/${id}/reserve`, {});
    expect(await rest('GET', `/reservations/${mine.reservation_id}`, undefined, keys.rival)).toMatchObject({ status: 404, body: { code: 'RESERVATION_NOT_FOUND' } });
    expect(await rest('POST', `/reservations/${mine.reservation_id}/release`, {}, keys.rival)).toMatchObject({ status: 404, body: { code: 'RESERVATION_NOT_FOUND' } });
    expect(await ok('GET', `/reservations/${mine.reservation_id}`)).toMatchObject({ status: 'reserved' });

    const rival = admin.as(keys.rival);
    const stockErrors = [
      await rival.errorCode(SET_STOCK, { o: offers.jacket, q: 100, l: null }),
      await shop.errorCode(SET_STOCK, { o: offers.jacket, q: -1, l: null }),
      await shop.errorCode(SET_STOCK, { o: offers.jacket, q: 1, l: 'nowhere' }),
    ];
    expect(stockErrors).toEqual(['OFFER_NOT_FOUND', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(await rival.errorCode(LEVELS, { o: offers.jacket })).toBe('OFFER_NOT_FOUND');
    expect(await levels(offers.jacket)).toMatchObject([{ locationId: null, onHand: 2 }, { locationId: 'soho', onHand: 1 }]);
  }, 60_000);
});
