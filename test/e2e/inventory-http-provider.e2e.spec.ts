// The merchant's own inventory endpoint (issue 20 item 1, docs/api.md "Inventory: inventory.reserve…")
// end to end: reservations made through the gateway's REST route, the endpoint a real HTTP server
// on loopback that checks every call's Handoff-Signature with the secret setPricingProvider showed
// once. It answers (the hold is the endpoint's, released there), it hangs past the provider's
// timeout, or it answers garbage (not JSON, more than asked for: an oversell): with fallback FAIL
// the reservation is PROVIDER_UNAVAILABLE and nothing is held; with BUILT_IN Handoff holds its own
// stock instead, never more than that stock.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_SIGNATURE_HEADER, verifyPayloadSignature } from '@handoff/shared';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

type Mode = 'answer' | 'hang' | 'not-json' | 'oversell';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const SET_STOCK = `mutation($o: ID!, $q: Int!) { setStock(offerId: $o, quantity: $q) { onHand } }`;
const LEVELS = `query($o: ID!) { stockLevels(offerId: $o) { onHand reserved available } }`;
const SET_PROVIDER = `mutation($m: ID!, $input: PricingProviderInput!) { setPricingProvider(merchantId: $m, concern: INVENTORY, input: $input) { kind signingSecret } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id } }`;
const HOLDS = `query($id: ID!) { checkoutSession(id: $id) { reservationId } }`;

interface Call {
  merchantId: string;
  type: string;
  body: any;
  verified: boolean;
}

let handoff: RunningHandoff;
let admin: GqlClient;
let server: Server;
let endpointUrl: string;
const calls: Call[] = [];
/** Per merchant: its signing secret and how the endpoint behaves now. */
const shops = new Map<string, { secret: string; mode: Mode }>();
const pending = new Set<() => void>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8'));
      const shop = shops.get(body.merchant_id);
      const header = req.headers[PAYLOAD_SIGNATURE_HEADER.toLowerCase()];
      const verified = !!shop && verifyPayloadSignature(shop.secret, raw, typeof header === 'string' ? header : undefined, Date.now());
      calls.push({ merchantId: body.merchant_id, type: body.type, body, verified });
      if (!verified) return void res.writeHead(401).end();
      if (body.type !== 'inventory.reserve') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      switch (shop!.mode) {
        case 'answer':
          // Holds all but one unit of each line (at least one): a partial answer, surfaced as such.
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ lines: body.lines.map((l: any) => ({ id: l.id, reserved: Math.max(1, l.quantity - 1) })) }));
        case 'hang': {
          // Answers only when the test ends: far past the provider's timeout.
          const release = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ lines: body.lines.map((l: any) => ({ id: l.id, reserved: l.quantity })) }));
          pending.add(release);
          return;
        }
        case 'not-json':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>');
        case 'oversell':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ lines: body.lines.map((l: any) => ({ id: l.id, reserved: l.quantity + 5 })) }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/inventory`;
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  for (const release of pending) release();
  await handoff?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function rest(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

interface Shop {
  id: string;
  key: string;
  gql: GqlClient;
  offerId: string;
}

/** A merchant whose inventory is at the endpoint, with `stock` units of Handoff's own as well (the fallback's). */
async function shop(name: string, fallback: 'FAIL' | 'BUILT_IN', timeoutMs: number, stock: number): Promise<Shop> {
  const id = (await admin.ok(CREATE_MERCHANT, { input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } } })).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  const gql = admin.as(key);
  const offerId = (await gql.ok(CREATE_OFFER, { input: { merchantId: id, name: 'Kettle', price: { amountMinor: 2500, currency: 'GBP' } } })).createOffer.id as string;
  await gql.ok(SET_STOCK, { o: offerId, q: stock });
  const p = (await gql.ok(SET_PROVIDER, { m: id, input: { kind: 'HTTP', endpointUrl, timeoutMs, fallback } })).setPricingProvider;
  expect(p.signingSecret).toMatch(/^whsec_/);
  shops.set(id, { secret: p.signingSecret, mode: 'answer' });
  return { id, key, gql, offerId };
}

const session = async (s: Shop, quantity: number) =>
  (await s.gql.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: { amountMinor: 2500, currency: 'GBP' }, quantity, offerId: s.offerId }] } })).createCheckoutSession.id as string;
const reserve = (s: Shop, id: string, strategy = 'best_fit') => rest('POST', `/v1/checkout/sessions/${id}/reserve`, s.key, { expires_in_seconds: 600, allocation_strategy: strategy });
const callsOf = (s: Shop) => calls.filter((c) => c.merchantId === s.id);
const levels = async (s: Shop) => (await s.gql.ok(LEVELS, { o: s.offerId })).stockLevels;

describe("the merchant's inventory endpoint, through the gateway", () => {
  it('is asked signed; its partial answer is the hold (shown as partial), released at the endpoint', async () => {
    const s = await shop('Endpoint Kettles', 'FAIL', 2000, 0);
    const id = await session(s, 3);
    const r = await reserve(s, id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ provider: 'http', status: 'partial', lines: [{ offer_id: s.offerId, requested: 3, reserved: 2, tracked: true }] });
    const [asked] = callsOf(s);
    expect(asked).toMatchObject({ type: 'inventory.reserve', verified: true });
    expect(asked!.body).toMatchObject({ merchant_id: s.id, checkout_id: id, reservation_id: r.body.reservation_id, allocation_strategy: 'best_fit', lines: [{ offer_id: s.offerId, quantity: 3 }] });
    // Handoff's own stock is not touched by the endpoint's hold.
    expect(await levels(s)).toEqual([{ onHand: 0, reserved: 0, available: 0 }]);

    const released = await rest('POST', `/v1/checkout/reservations/${r.body.reservation_id}/release`, s.key, {});
    expect(released.body.status).toBe('released');
    await expect.poll(() => callsOf(s).map((c) => c.type), { timeout: 20_000 }).toEqual(['inventory.reserve', 'inventory.release']);
    expect(callsOf(s)[1]).toMatchObject({ verified: true, body: { reservation_id: r.body.reservation_id, lines: [{ offer_id: s.offerId, quantity: 2 }] } });

    // all_or_nothing refuses the short answer, and the endpoint is told to release it.
    const strict = await reserve(s, await session(s, 3), 'all_or_nothing');
    expect([strict.status, strict.body.code]).toEqual([409, 'INVENTORY_SHORTFALL']);
    expect(callsOf(s).slice(2).map((c) => [c.type, c.verified])).toEqual([['inventory.reserve', true], ['inventory.release', true]]);
  });

  it('fallback FAIL: a timeout or a garbage answer is PROVIDER_UNAVAILABLE, nothing held', async () => {
    const s = await shop('Strict Kettles', 'FAIL', 300, 10);
    for (const mode of ['hang', 'not-json', 'oversell'] as const) {
      shops.get(s.id)!.mode = mode;
      const id = await session(s, 2);
      const r = await reserve(s, id);
      expect([mode, r.status, r.body.code]).toEqual([mode, 503, 'PROVIDER_UNAVAILABLE']);
      expect((await s.gql.ok(HOLDS, { id })).checkoutSession.reservationId).toBeNull();
      expect((await rest('GET', `/v1/checkout/sessions/${id}/holds`, s.key)).body.data).toEqual([]);
    }
    expect(callsOf(s).map((c) => [c.type, c.verified])).toEqual(Array.from({ length: 3 }, () => ['inventory.reserve', true]));
    expect(await levels(s)).toEqual([{ onHand: 10, reserved: 0, available: 10 }]);
  });

  it("fallback BUILT_IN: a timeout or a garbage answer holds Handoff's own stock, never more than it has", async () => {
    const s = await shop('Forgiving Kettles', 'BUILT_IN', 300, 3);
    shops.get(s.id)!.mode = 'hang';
    const first = await reserve(s, await session(s, 2));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ provider: 'built_in', lines: [{ requested: 2, reserved: 2 }] });
    expect(await levels(s)).toEqual([{ onHand: 3, reserved: 2, available: 1 }]);

    // The endpoint says it holds 7 of 2: an oversell refused; Handoff holds the 1 unit it has left.
    shops.get(s.id)!.mode = 'oversell';
    const second = await reserve(s, await session(s, 2));
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ provider: 'built_in', lines: [{ requested: 2, reserved: 1 }] });

    shops.get(s.id)!.mode = 'not-json';
    const third = await reserve(s, await session(s, 1));
    expect([third.status, third.body.code]).toEqual([409, 'INVENTORY_SHORTFALL']);
    expect(await levels(s)).toEqual([{ onHand: 3, reserved: 3, available: 0 }]);
    expect(callsOf(s).every((c) => c.verified)).toBe(true);
  });
});
