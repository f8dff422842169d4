// A checkout session's timeline and the audit log (issue 19 item 5, seed 003 §16-17), through the
// gateway. A merchant sets its tax configuration and a webhook endpoint, opens a session, gives an
// address and calculates; the hosted page pays with a card that declines (insufficient funds) and
// then with one that succeeds. The session's timeline (GraphQL CheckoutSession.timeline and REST
// GET /v1/checkout/sessions/{id}/timeline) lists, in time order and with their actors: the
// creation, the address, the calculation, the payment intent, the declined attempt with its
// decline code, the successful one, the completion, and each webhook delivered about it. Another
// merchant's key sees none of it (404). The audit log (auditLog, GET /v1/checkout/audit) shows the
// tax configuration change with its actor and before/after, and the session's state changes; a
// merchant's key is refused (403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`;
const SET_TAX = `mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url paymentIntent { id } } }`;
const SET_ADDRESS = `mutation($id: ID!) { setCheckoutShippingAddress(id: $id, address: { name: "Ada Buyer", line1: "10 Downing Street", city: "London", postalCode: "SW1A 2AA", country: "GB" }) { version } }`;
const CALCULATE = `mutation($id: ID!) { calculateCheckout(id: $id) { version calculation { id totals { grandTotal { amountMinor } } } } }`;
const CONFIRM = `mutation($id: ID!, $card: String!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: $card }) { id status } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`;
const TIMELINE = `query($id: ID!, $first: Int, $after: String) { checkoutSession(id: $id) { timeline(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id at kind summary actor { kind id } data } } } } }`;
const AUDIT = `query($filter: AuditLogFilter, $first: Int, $after: String) { auditLog(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id at entityType entityId merchantId action actor { kind id } requestId before after source } } } }`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const DECLINE = '4000000000009995'; // card_declined / insufficient_funds
const SUCCEED = '4242424242424242';
// The 3000 kettle with 20 % GB tax on top.
const GRAND_TOTAL = 3600;

interface Entry {
  id: string;
  at: string;
  kind: string;
  summary: string;
  actor: { kind: string; id: string } | null;
  data: Record<string, any>;
}

let handoff: RunningHandoff;
let admin: GqlClient;
let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
let receiver: WebhookReceiver;

async function newShop(name: string) {
  const id = (
    await admin.ok(CREATE_MERCHANT, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  await admin.ok(CONNECT, { m: id });
  const created = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey;
  return { id, key: created.key as string, keyId: created.apiKey.id as string, client: admin.as(created.key) };
}

async function rest(path: string, key: string | null): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new Error(`GET ${path}: not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
}

/** Every page of a session's timeline, through GraphQL, 3 entries at a time. */
async function timelineOf(client: GqlClient, id: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await client.ok(TIMELINE, { id, first: 3, after })).checkoutSession.timeline;
    out.push(...page.edges.map((e: { node: Entry }) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

/** Whether `kinds` appear in `entries` in this order (others may come between). */
function inOrder(entries: Entry[], kinds: string[]): boolean {
  let i = 0;
  for (const e of entries) if (e.kind === kinds[i]) i++;
  return i === kinds.length;
}

beforeAll(async () => {
  // A database of its own: no other stack's relay delivers this file's webhooks (webhooks-outbound.e2e.spec.ts).
  scratch = await migratedDatabase('timeline_e2e');
  receiver = await startWebhookReceiver();
  handoff = await startTestHandoff({ databaseUrl: scratch.url, extraEnv: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
  await receiver?.close();
  await scratch?.drop();
});

describe('timeline and audit log', () => {
  let shop: Awaited<ReturnType<typeof newShop>>;
  let other: Awaited<ReturnType<typeof newShop>>;
  let sessionId: string;
  let intentId: string;
  let endpointId: string;
  let timeline: Entry[];

  beforeAll(async () => {
    shop = await newShop('Timeline Kettles Ltd');
    other = await newShop('Someone Else Ltd');
    // The merchant's own key changes its configuration: that key is the audit row's actor.
    await shop.client.ok(SET_TAX, { m: shop.id, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] } });
    // Its webhook endpoint: each delivery about the session goes on the session's timeline.
    endpointId = (await shop.client.ok(CREATE_ENDPOINT, { input: { url: `${receiver.origin}/hooks`, events: ['checkout.completed', 'payment.succeeded'] } })).createWebhookEndpoint.endpoint.id;
    const s = (await shop.client.ok(CREATE, { input: { lineItems: [{ name: 'Kettle', unitAmount: gbp(3000), quantity: 1 }] } })).createCheckoutSession;
    sessionId = s.id;
    intentId = s.paymentIntent.id;
    await shop.client.ok(SET_ADDRESS, { id: sessionId });
    const calculated = (await shop.client.ok(CALCULATE, { id: sessionId })).calculateCheckout;
    expect(calculated.calculation.totals.grandTotal.amountMinor).toBe(GRAND_TOTAL);

    // The hosted page pays: declined first, then paid.
    const page = new GqlClient(handoff.graphqlUrl, new URL(s.url).searchParams.get('cs')!);
    const declined = await page.request(CONFIRM, { id: intentId, card: DECLINE });
    expect(declined.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', reason: 'payment_declined:insufficient_funds' });
    expect((await page.ok(CONFIRM, { id: intentId, card: SUCCEED })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  }, 120_000);

  it("lists the session's life in time order, each entry with its actor", async () => {
    await expect.poll(async () => (await shop.client.ok(SESSION, { id: sessionId })).checkoutSession.status, { timeout: 20_000 }).toBe('COMPLETE');
    // The payment's entries come through payment-intent's outbox and the timeline queue.
    await expect
      .poll(async () => (timeline = await timelineOf(shop.client, sessionId)).map((e) => e.kind), { timeout: 20_000, interval: 200 })
      .toEqual(expect.arrayContaining(['payment.succeeded', 'checkout.completed', 'webhook.sent']));
    await expect.poll(async () => (timeline = await timelineOf(shop.client, sessionId)).filter((e) => e.kind === 'webhook.sent').length, { timeout: 20_000, interval: 200 }).toBe(2);
    const kinds = timeline.map((e) => e.kind);
    expect(
      inOrder(timeline, [
        'checkout.created',
        'checkout.shipping_address_set',
        'checkout.calculated',
        'checkout.payment_committed',
        'payment.confirm_attempted',
        'payment.failed',
        'payment.confirm_attempted',
        'payment.succeeded',
        'checkout.completed',
      ]),
      kinds.join(', '),
    ).toBe(true);
    expect(kinds).toContain('payment.created');
    // Time order, and the ids follow it (pages are keyset on them).
    const times = timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timeline.map((e) => e.id)).toEqual(timeline.map((e) => e.id).sort());
    expect(new Set(timeline.map((e) => e.id)).size).toBe(timeline.length);

    const one = (kind: string) => timeline.find((e) => e.kind === kind)!;
    const merchantActor = { kind: 'MERCHANT', id: shop.keyId };
    expect(one('checkout.created').actor).toEqual(merchantActor);
    expect(one('checkout.shipping_address_set').actor).toEqual(merchantActor);
    const calculated = one('checkout.calculated');
    expect(calculated.actor).toEqual(merchantActor);
    expect(calculated.data).toMatchObject({ calculation_id: expect.stringMatching(/^calc_/), totals: { grand_total: GRAND_TOTAL } });
    expect(calculated.summary).toContain('36.00 GBP');

    // The hosted page (its client secret names the session) made both attempts.
    const page = { kind: 'CLIENT', id: sessionId };
    const failed = one('payment.failed');
    expect(failed.actor).toEqual(page);
    expect(failed.data).toMatchObject({ payment_intent_id: intentId, code: 'card_declined', decline_code: 'insufficient_funds' });
    expect(failed.summary).toBe('Payment declined: insufficient_funds');
    const attempts = timeline.filter((e) => e.kind === 'payment.confirm_attempted');
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.actor?.kind === 'CLIENT' && a.data.payment_intent_id === intentId)).toBe(true);
    const succeeded = one('payment.succeeded');
    expect(succeeded.actor).toEqual(page);
    expect(succeeded.data).toMatchObject({ payment_intent_id: intentId, amount: GRAND_TOTAL, currency: 'GBP', status: 'succeeded' });
    // Completion is checkout-session's own doing, on the payment's event.
    const completed = one('checkout.completed');
    expect(completed.actor?.kind).toBe('SERVICE');
    expect(completed.data).toMatchObject({ status: 'complete', payment_intent_id: intentId });
    expect(timeline.every((e) => e.actor !== null)).toBe(true);
    // The merchant's webhooks about the session, each delivery (by the merchant subgraph's delivery worker).
    const sent = timeline.filter((e) => e.kind === 'webhook.sent');
    expect(sent.map((e) => e.data.event_type).sort()).toEqual(['checkout.completed', 'payment.succeeded']);
    for (const e of sent) {
      expect(e.data).toMatchObject({ endpoint_id: endpointId, status_code: 200, attempt: 1, event_id: expect.stringMatching(/^evt_/) });
      expect(e.actor).toEqual({ kind: 'SERVICE', id: 'webhook-deliveries' });
    }
    expect(receiver.on('/hooks').map((r) => JSON.parse(r.body).id).sort()).toEqual(sent.map((e) => e.data.event_id).sort());
    // No card number anywhere.
    expect(JSON.stringify(timeline)).not.toMatch(/4242424242424242|4000000000009995/);
  });

  it('answers the same over REST, in pages; another merchant gets 404', async () => {
    const first = await rest(`/v1/checkout/sessions/${sessionId}/timeline?limit=4`, shop.key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
    expect(first.body.data).toHaveLength(4);
    const all: any[] = [...first.body.data];
    let cursor: string | null = first.body.next_cursor;
    while (cursor) {
      const next = await rest(`/v1/checkout/sessions/${sessionId}/timeline?limit=4&cursor=${cursor}`, shop.key);
      expect(next.status).toBe(200);
      all.push(...next.body.data);
      cursor = next.body.has_more ? next.body.next_cursor : null;
    }
    expect(all.map((e) => e.id)).toEqual(timeline.map((e) => e.id));
    const failed = all.find((e) => e.kind === 'payment.failed');
    expect(Object.keys(failed).sort()).toEqual(['actor', 'at', 'data', 'id', 'kind', 'object', 'summary']);
    expect(failed).toMatchObject({ actor: { kind: 'client', id: sessionId }, data: { decline_code: 'insufficient_funds' } });

    expect(await rest(`/v1/checkout/sessions/${sessionId}/timeline`, other.key)).toMatchObject({ status: 404, body: { code: 'CHECKOUT_SESSION_NOT_FOUND' } });
    expect((await other.client.ok(SESSION, { id: sessionId })).checkoutSession).toBeNull();
    expect(await rest(`/v1/checkout/sessions/${sessionId}/timeline`, null)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await rest(`/v1/checkout/sessions/${sessionId}/timeline?limit=0`, shop.key)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'limit' } });
    expect(await rest(`/v1/checkout/sessions/${sessionId}/timeline?cursor=!!`, shop.key)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'cursor' } });
    const forged = Buffer.from('tle_whatever').toString('base64url');
    expect(await rest(`/v1/checkout/sessions/${sessionId}/timeline?cursor=${forged}`, shop.key)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'cursor' } });
    // An admin reads any session's.
    expect((await rest(`/v1/checkout/sessions/${sessionId}/timeline?limit=100`, handoff.adminKey)).body.data).toHaveLength(timeline.length);
  });

  it("shows the tax configuration change with its actor and before/after, and the session's state changes", async () => {
    const taxRows = async () =>
      (await admin.ok(AUDIT, { filter: { merchantId: shop.id, entityType: 'tax_config' } })).auditLog.edges.map((e: any) => e.node);
    await expect.poll(async () => (await taxRows()).length, { timeout: 20_000, interval: 200 }).toBe(1);
    const [tax] = await taxRows();
    expect(tax).toMatchObject({
      entityType: 'tax_config',
      entityId: shop.id,
      merchantId: shop.id,
      action: 'set',
      actor: { kind: 'MERCHANT', id: shop.keyId },
      requestId: expect.any(String),
      // What changed, before and after (pricesIncludeTax stayed false).
      before: { rates: [] },
      after: { rates: [{ country: 'GB', basisPoints: 2000 }] },
      source: 'merchant',
    });
    expect(tax.after).not.toHaveProperty('pricesIncludeTax');

    const sessionRows = async () =>
      (await admin.ok(AUDIT, { filter: { entityType: 'checkout_session', entityId: sessionId }, first: 100 })).auditLog.edges.map((e: any) => e.node);
    await expect.poll(async () => (await sessionRows()).map((r: any) => r.action), { timeout: 20_000, interval: 200 }).toContain('completed');
    const rows = await sessionRows();
    // Newest first.
    expect(rows[0].action).toBe('completed');
    expect(rows.at(-1)).toMatchObject({ action: 'created', actor: { kind: 'MERCHANT', id: shop.keyId }, before: null, after: { status: 'open', checkout_id: sessionId } });
    expect(rows.find((r: any) => r.action === 'completed')).toMatchObject({ before: { status: 'open' }, after: { status: 'complete' }, actor: { kind: 'SERVICE' } });
    const calculation = rows.find((r: any) => r.action === 'updated' && r.after.calculation_id);
    expect(calculation).toMatchObject({ actor: { kind: 'MERCHANT', id: shop.keyId }, before: { calculation_id: null }, after: { totals: { grand_total: GRAND_TOTAL } } });

    // REST, with its filters.
    const r = await rest(`/v1/checkout/audit?merchant_id=${shop.id}&entity_type=tax_config`, handoff.adminKey);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(r.body.data).toEqual([
      expect.objectContaining({ entity_type: 'tax_config', entity_id: shop.id, action: 'set', actor: { kind: 'merchant', id: shop.keyId }, before: { rates: [] } }),
    ]);
    const byActor = await rest(`/v1/checkout/audit?actor_kind=merchant&actor_id=${shop.keyId}&limit=100`, handoff.adminKey);
    expect(byActor.body.data.length).toBeGreaterThanOrEqual(4);
    expect(byActor.body.data.every((e: any) => e.actor.id === shop.keyId)).toBe(true);
    const future = await rest(`/v1/checkout/audit?merchant_id=${shop.id}&since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, handoff.adminKey);
    expect(future.body).toEqual({ data: [], has_more: false, next_cursor: null });
  });

  it('is for admins only', async () => {
    expect(await rest('/v1/checkout/audit', shop.key)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await rest('/v1/checkout/audit', null)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await shop.client.errorCode(AUDIT, {})).toBe('FORBIDDEN');
    expect(await rest('/v1/checkout/audit?since=yesterday', handoff.adminKey)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'since' } });
    expect(await rest('/v1/checkout/audit?entity_type=everything', handoff.adminKey)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'entity_type' } });
    expect(await rest('/v1/checkout/audit?actor_kind=root', handoff.adminKey)).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'actor_kind' } });
  });
});
