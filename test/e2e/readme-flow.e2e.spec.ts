// The README's whole-checkout walkthrough (create → address → shipping → calculate → reserve → pay →
// finalize → order), run as written against a Handoff with `npm start`'s demo data (the same
// loader): its sh blocks are parsed and each curl is made (test/support/readme-shell.ts), so a
// README whose flow breaks (a route, a body field, a jq path, an answer that is not 2xx) fails
// here. Then the merchant's order reads it ends with (issue 20): checkoutOrder / checkoutOrders
// and GET /v1/checkout/orders[/:id], for its merchant, another merchant (not found, an empty
// list) and an admin (any, or one merchant's), and their bad input.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { loadDemoData, type DemoData } from '@handoff/launcher/demo-data';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { flowBlocks, runFlow, type CurlCall } from '../support/readme-shell.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const LEVELS = `query($o: ID!) { stockLevels(offerId: $o) { onHand reserved available } }`;
const ORDER = `query($id: ID!) { checkoutOrder(id: $id) { id receiptId checkoutSessionId status paymentStatus totals { total { amountMinor currency } } } }`;
const ORDERS = `query($m: ID, $first: Int, $after: String) { checkoutOrders(merchantId: $m, first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;

let handoff: RunningHandoff;
let demo: DemoData;
let dataDir: string;
let admin: GqlClient;

beforeAll(async () => {
  handoff = await startTestHandoff();
  dataDir = await mkdtemp(path.join(tmpdir(), 'handoff-readme-'));
  demo = await loadDemoData(handoff.graphqlUrl, handoff.adminKey, dataDir);
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function get(p: string, key: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${p}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

describe("the README's whole checkout", () => {
  let calls: CurlCall[];
  let vars: Record<string, string>;
  const answer = (suffix: RegExp, method = 'POST') => {
    const c = calls.find((x) => x.method === method && suffix.test(new URL(x.url).pathname));
    if (!c) throw new Error(`the README made no ${method} ${suffix}`);
    return c.body as any;
  };

  beforeAll(async () => {
    const blocks = flowBlocks(await readFile(README, 'utf8'));
    ({ calls, vars } = await runFlow(blocks, { HANDOFF: handoff.gatewayUrl, KEY: demo.keys.merchant, OFFER: demo.smartyOfferId }));
  }, 120_000);

  it('runs every step through the gateway and ends with the order, read back', async () => {
    // create → address → shipping → calculate → reserve → pay → finalize → order, in that order.
    const steps = calls.map((c) => `${c.method} ${new URL(c.url).pathname.replace(vars.SESSION!, ':id').replace(vars.ORDER ?? '∅', ':order')}`);
    expect(steps).toEqual([
      'POST /graphql',
      'POST /v1/checkout/sessions',
      'POST /v1/checkout/sessions/:id/shipping-address',
      'GET /v1/checkout/sessions/:id/shipping-options',
      'POST /v1/checkout/sessions/:id/select-shipping',
      'POST /v1/checkout/sessions/:id/calculate',
      'POST /v1/checkout/sessions/:id/reserve',
      'GET /v1/checkout/sessions/:id',
      `POST /api/checkout/:id/pay`,
      'POST /v1/checkout/sessions/:id/finalize',
      'GET /v1/checkout/orders/:order',
      'GET /v1/checkout/orders',
    ]);
    const calculated = answer(/\/calculate$/);
    expect(calculated.totals).toMatchObject({ currency: 'GBP', sub_total: 2000 });
    expect(calculated.shipping).toMatchObject({ id: 'standard' });
    const reserved = answer(/\/reserve$/);
    expect(reserved.lines).toEqual([expect.objectContaining({ offer_id: demo.smartyOfferId, requested: 2, reserved: 2, tracked: true })]);
    expect(answer(/\/pay$/).payment.status).toBe('succeeded');
    const finalized = answer(/\/finalize$/);
    expect(vars.ORDER).toMatch(/^ord_/);
    expect(finalized).toMatchObject({ status: 'completed', order_id: vars.ORDER, checkout_id: vars.SESSION });

    // The order read back is the order finalize answered, with its receipt.
    const order = answer(/\/v1\/checkout\/orders\/ord_/, 'GET');
    expect(order).toEqual(finalized.order);
    expect(order).toMatchObject({ object: 'order', receipt_id: finalized.receipt_id, status: 'completed', payment_status: 'captured', totals: { grand_total: calculated.totals.grand_total } });
    expect(order.lines).toEqual([expect.objectContaining({ offer_id: demo.smartyOfferId, quantity: 2 })]);
    expect(answer(/\/v1\/checkout\/orders$/, 'GET')).toMatchObject({ data: [expect.objectContaining({ order_id: vars.ORDER })], has_more: false });
    // The reservation was converted: the two units left the stock.
    expect((await admin.as(demo.keys.merchant).ok(LEVELS, { o: demo.smartyOfferId })).stockLevels).toEqual([{ onHand: 8, reserved: 0, available: 8 }]);
  });

  it("reads an order for its merchant and an admin only: another merchant's is not found, its list empty", async () => {
    const id = vars.ORDER!;
    const smarty = admin.as(demo.keys.merchant);
    const rival = admin.as(demo.keys.secondMerchant);
    expect((await smarty.ok(ORDER, { id })).checkoutOrder).toMatchObject({ id, checkoutSessionId: vars.SESSION, status: 'COMPLETED', paymentStatus: 'captured' });
    expect((await admin.ok(ORDER, { id })).checkoutOrder.id).toBe(id);
    expect(await rival.errorCode(ORDER, { id })).toBe('ORDER_NOT_FOUND');
    expect(await smarty.errorCode(ORDER, { id: 'ord_unknown' })).toBe('ORDER_NOT_FOUND');

    expect((await smarty.ok(ORDERS, {})).checkoutOrders).toMatchObject({ totalCount: 1, edges: [{ node: { id } }] });
    expect((await rival.ok(ORDERS, {})).checkoutOrders).toMatchObject({ totalCount: 0, edges: [] });
    expect((await rival.ok(ORDERS, { m: demo.smartyMerchantId })).checkoutOrders).toMatchObject({ totalCount: 0, edges: [] });
    expect((await admin.ok(ORDERS, { m: demo.smartyMerchantId })).checkoutOrders.edges.map((e: any) => e.node.id)).toEqual([id]);
    expect((await admin.ok(ORDERS, { m: demo.secondMerchantId })).checkoutOrders.totalCount).toBe(0);
    const page = (await smarty.ok(ORDERS, { first: 1 })).checkoutOrders;
    expect((await smarty.ok(ORDERS, { first: 1, after: page.pageInfo.endCursor })).checkoutOrders.edges).toEqual([]);
    expect(await smarty.errorCode(ORDERS, { first: -1 })).toBe('BAD_USER_INPUT');
    expect(await smarty.errorCode(ORDERS, { after: 'not a cursor' })).toBe('BAD_USER_INPUT');
    expect(await admin.as(demo.keys.agent).errorCode(ORDER, { id })).toBe('FORBIDDEN');

    // REST: the same rules, seed 003's shapes.
    expect((await get(`/v1/checkout/orders/${id}`, handoff.adminKey)).body.order_id).toBe(id);
    expect(await get(`/v1/checkout/orders/${id}`, demo.keys.secondMerchant)).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    expect(await get('/v1/checkout/orders/ord_unknown', demo.keys.merchant)).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    expect((await get('/v1/checkout/orders', demo.keys.secondMerchant)).body).toEqual({ data: [], has_more: false, next_cursor: null });
    expect((await get(`/v1/checkout/orders?merchant_id=${demo.smartyMerchantId}`, handoff.adminKey)).body.data.map((o: any) => o.order_id)).toEqual([id]);
    expect((await get(`/v1/checkout/orders?merchant_id=${demo.secondMerchantId}`, handoff.adminKey)).body.data).toEqual([]);
    expect(await get('/v1/checkout/orders?limit=0', demo.keys.merchant)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    expect(await get('/v1/checkout/orders?cursor=%25%25', demo.keys.merchant)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT' } });
    expect((await get(`/v1/checkout/orders/${id}`, demo.keys.agent)).status).toBe(403);
  });
});
