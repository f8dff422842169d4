// The billing subscription lifecycle (issue 22 item 2) through the gateway: a monthly plan bought
// on the hosted page, then the merchant's REST commands (POST /v1/subscriptions/{id} to change the
// quantity, /pause, /resume, /cancel) with Idempotency-Key and { error, code } failures, the
// GraphQL mutation with expectedVersion, and every change delivered over graphql-ws by
// billingSubscriptionUpdated(id) to the merchant (another merchant: refused by id, nothing
// without). The renewal scan (every second here) then charges period 2 = the new price plus the
// proration lines, and the invoice shows those lines (GraphQL and REST); that renewal is
// delivered on the subscription too, and so is a renewal declined off-session (the sandbox's 0341
// card): PAST_DUE, its invoice 2 OPEN with its line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import type { Client } from 'graphql-ws';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { collect, settle, wsClient } from '../support/subscriptions.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { id status url billingSubscription { id status version } } }`;
const LINE = `kind description quantity unitAmount { amountMinor } amount { amountMinor currency }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { id status version currentPeriod items { quantity unitAmount { amountMinor } } pendingInvoiceLines { ${LINE} }
  invoices { period status amount { amountMinor } lines { ${LINE} } } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateBillingSubscriptionInput!) { updateBillingSubscription(id: $id, input: $input) { id version items { quantity } } }`;
const LIVE = `subscription($id: ID) { billingSubscriptionUpdated(id: $id) { id status currentPeriod cancelAtPeriodEnd items { quantity } } }`;

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: { id: string; key: string; gql: GqlClient };
let other: { id: string; key: string; gql: GqlClient };
const clients: Client[] = [];

async function merchant(name: string) {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
}

async function rest(method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${handoff.gatewayUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await read();
  }
  return last;
}

const paymentDb = () => handoff.subgraphs.find((s) => s.name === 'payment-intent')!.app.dataSource;

/** A monthly plan (2 × £15) bought on the hosted page with a sandbox test card (4242 by default): the subscription, ACTIVE. */
async function boughtPlan(card = '4242424242424242'): Promise<{ id: string; version: number }> {
  const created = await rest('POST', '/v1/checkout/sessions', shop.key, {
    currency: 'GBP',
    mode: 'subscription',
    line_items: [{ name: 'Pro plan', amount: 1500, quantity: 2, recurring: { interval: 'month', interval_count: 1 } }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const sessionId = created.body.checkout_id as string;
  const url = (await shop.gql.ok(SESSION_SUB, { id: sessionId })).checkoutSession.url as string;
  const secret = new URL(url).searchParams.get('cs')!;
  const paid = await fetch(`${handoff.gatewayUrl}/api/checkout/${sessionId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ card: { number: card, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } }),
  });
  expect(paid.status).toBe(200);
  const s = await until(() => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession), (x) => x.billingSubscription?.status === 'ACTIVE', 'the subscription ACTIVE');
  return s.billingSubscription;
}

beforeAll(async () => {
  // The renewal scan every second: a renewal made due (below) is charged by the running stack's own worker.
  handoff = await startTestHandoff({ extraEnv: { RENEWAL_SCAN_EVERY_MS: '1000' } });
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await merchant('Lifecycle Plans Ltd');
  other = await merchant('Not The Owner Ltd');
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await handoff?.stop();
});

describe('billing subscription lifecycle through the gateway', () => {
  it('REST update/pause/resume/cancel with idempotency keys and stable codes; every change on billingSubscriptionUpdated; the renewal invoices the proration', async () => {
    const sub = await boughtPlan();
    const mine = wsClient(handoff.graphqlUrl, shop.key);
    const theirs = wsClient(handoff.graphqlUrl, other.key);
    clients.push(mine, theirs);
    const live = collect(mine, LIVE, { id: sub.id });
    const all = collect(mine, LIVE, {});
    const refused = collect(theirs, LIVE, { id: sub.id });
    const othersAll = collect(theirs, LIVE, {});
    expect(await refused.ended()).toMatchObject([{ extensions: { code: 'BILLING_SUBSCRIPTION_NOT_FOUND' } }]);
    await settle(); // the subscriptions are listening

    // Quantity 2 → 3, keyed: a retry with the key changes nothing twice; the key with another body is refused.
    const key = `upd-${sub.id}`;
    const updated = await rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { quantity: 3, version: sub.version }, { 'idempotency-key': key });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ id: sub.id, status: 'active', version: sub.version + 1, items: [{ quantity: 3, unit_amount: 1500 }] });
    const pendingLines = updated.body.pending_invoice_lines as Array<{ kind: string; amount: number }>;
    expect(pendingLines).toHaveLength(2);
    const credit = pendingLines.find((l) => l.amount < 0);
    const charge = pendingLines.find((l) => l.amount > 0);
    expect([credit!.kind, charge!.kind]).toEqual(['proration', 'proration']);
    expect(credit!.amount).toBeLessThan(0);
    expect(charge!.amount).toBeGreaterThan(0);
    expect(Math.abs(charge!.amount * 2 - -credit!.amount * 3)).toBeLessThanOrEqual(5); // 4500 vs 3000 over the same remaining time, each rounded
    const retried = await rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { quantity: 3, version: sub.version }, { 'idempotency-key': key });
    expect(retried.status).toBe(200);
    expect(retried.body.version).toBe(sub.version + 1);
    expect(retried.body.pending_invoice_lines).toHaveLength(2);
    expect((await rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { quantity: 4, version: sub.version }, { 'idempotency-key': key })).body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Refused with stable codes, nothing written.
    const stale = await rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { quantity: 4, version: sub.version });
    expect([stale.status, stale.body.code]).toEqual([409, 'VERSION_CONFLICT']);
    const euros = await rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { unit_amount: 2000, currency: 'EUR' });
    expect([euros.status, euros.body.code]).toEqual([422, 'SUBSCRIPTION_CURRENCY_MISMATCH']);
    for (const quantity of [0, -1]) {
      const bad = await rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { quantity });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('quantity');
    }
    expect((await rest('POST', `/v1/subscriptions/${sub.id}`, other.key, { quantity: 4 })).body.code).toBe('BILLING_SUBSCRIPTION_NOT_FOUND');
    expect((await rest('POST', `/v1/subscriptions/bsub_000000000000000000000000/pause`, shop.key, {})).status).toBe(404);
    // GraphQL with a stale expectedVersion: VERSION_CONFLICT.
    expect(await shop.gql.errorCode(UPDATE, { id: sub.id, input: { quantity: 5, expectedVersion: sub.version } })).toBe('VERSION_CONFLICT');
    expect((await shop.gql.ok(SUB, { id: sub.id })).billingSubscription).toMatchObject({ version: sub.version + 1, items: [{ quantity: 3 }] });

    // Pause / resume.
    const paused = await rest('POST', `/v1/subscriptions/${sub.id}/pause`, shop.key, {}, { 'idempotency-key': `pause-${sub.id}` });
    expect([paused.status, paused.body.status, paused.body.next_renewal_at]).toEqual([200, 'paused', null]);
    expect((await rest('POST', `/v1/subscriptions/${sub.id}/pause`, shop.key, {}, { 'idempotency-key': `pause-${sub.id}` })).body.status).toBe('paused'); // replayed
    expect((await rest('POST', `/v1/subscriptions/${sub.id}/pause`, shop.key, {})).body.code).toBe('INVALID_STATE_TRANSITION');
    expect((await rest('GET', `/v1/subscriptions?status=paused`, shop.key)).body.data.map((x: any) => x.id)).toContain(sub.id);
    const resumed = await rest('POST', `/v1/subscriptions/${sub.id}/resume`, shop.key, {});
    expect([resumed.status, resumed.body.status, resumed.body.next_renewal_at]).toEqual([200, 'active', resumed.body.current_period_end]);
    const notPaused = await rest('POST', `/v1/subscriptions/${sub.id}/resume`, shop.key, {});
    expect([notPaused.status, notPaused.body.code]).toEqual([409, 'SUBSCRIPTION_NOT_PAUSED']);

    // The renewal made due: the running stack's scan charges period 2 = 4500 + the proration lines, shown on the invoice.
    await paymentDb().query(`UPDATE payment.billing_subscriptions SET next_renewal_at = now() - interval '1 second' WHERE id = $1`, [sub.id]);
    const renewed = await until(() => shop.gql.ok(SUB, { id: sub.id }).then((d) => d.billingSubscription), (s) => s.currentPeriod === 2, 'period 2 paid by the renewal');
    const invoice2 = renewed.invoices.find((i: any) => i.period === 2);
    expect(invoice2).toMatchObject({ status: 'PAID', amount: { amountMinor: 4500 + credit!.amount + charge!.amount } });
    expect(invoice2.lines.map((l: any) => [l.kind, l.amount.amountMinor])).toEqual(
      expect.arrayContaining([['SUBSCRIPTION', 4500], ['PRORATION', credit!.amount], ['PRORATION', charge!.amount]]),
    );
    expect(renewed.pendingInvoiceLines).toEqual([]);
    const restInvoice = (await rest('GET', `/v1/subscriptions/${sub.id}`, shop.key)).body.invoices.find((i: any) => i.period === 2);
    expect(restInvoice.lines.map((l: any) => l.amount).reduce((a: number, b: number) => a + b, 0)).toBe(restInvoice.amount);

    // Cancel at period end, then now; a canceled one neither cancels, pauses nor resumes again.
    const atEnd = await rest('POST', `/v1/subscriptions/${sub.id}/cancel`, shop.key, { at_period_end: true });
    expect([atEnd.status, atEnd.body.status, atEnd.body.cancel_at_period_end]).toEqual([200, 'active', true]);
    // Each event is the subscription as read at delivery: the flag is seen before it is canceled now.
    await until(async () => live.results.map((r: any) => r.data?.billingSubscriptionUpdated), (es) => es.some((e: any) => e?.cancelAtPeriodEnd === true), 'the cancel-at-period-end event');
    const canceled = await rest('POST', `/v1/subscriptions/${sub.id}/cancel`, shop.key, {}, { 'idempotency-key': `cancel-${sub.id}` });
    expect([canceled.status, canceled.body.status]).toEqual([200, 'canceled']);
    expect((await rest('POST', `/v1/subscriptions/${sub.id}/cancel`, shop.key, {}, { 'idempotency-key': `cancel-${sub.id}` })).status).toBe(200); // replayed
    for (const path of ['cancel', 'pause', 'resume']) {
      const again = await rest('POST', `/v1/subscriptions/${sub.id}/${path}`, shop.key, {});
      expect([path, again.status, again.body.code]).toEqual([path, 409, 'SUBSCRIPTION_ALREADY_CANCELED']);
    }

    // Every change reached the merchant's subscription, in order: update, pause, resume, the renewal, cancel at end, cancel.
    const events = (await live.waitFor(6)).map((r: any) => r.data.billingSubscriptionUpdated);
    expect(events.every((e: any) => e.id === sub.id)).toBe(true);
    const statuses = events.map((e: any) => e.status);
    expect(statuses.slice(0, 3)).toEqual(['ACTIVE', 'PAUSED', 'ACTIVE']);
    expect(statuses.at(-1)).toBe('CANCELED');
    expect(events.some((e: any) => e.currentPeriod === 2)).toBe(true);
    expect((await all.waitFor(6)).map((r: any) => r.data.billingSubscriptionUpdated.id)).toContain(sub.id);
    // Another merchant's unfiltered subscription got none of it.
    await settle();
    expect(othersAll.results.filter((r: any) => r.data?.billingSubscriptionUpdated?.id === sub.id)).toEqual([]);
    live.stop();
    all.stop();
    othersAll.stop();
  });

  it('two REST updates sent at once with the same If-Match: one applies, the other is 409 VERSION_CONFLICT', async () => {
    const sub = await boughtPlan();
    const send = (quantity: number) => rest('POST', `/v1/subscriptions/${sub.id}`, shop.key, { quantity }, { 'if-match': `"${sub.version}"` });
    const answers = await Promise.all([send(3), send(4)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('VERSION_CONFLICT');
    const winner = answers.find((a) => a.status === 200)!.body;
    const read = (await shop.gql.ok(SUB, { id: sub.id })).billingSubscription;
    expect(read).toMatchObject({ version: sub.version + 1, items: [{ quantity: winner.items[0].quantity }] });
    expect(read.pendingInvoiceLines).toHaveLength(2);
  });

  it('a renewal declined off-session reaches the subscriber as PAST_DUE', async () => {
    // The sandbox's 0341 card pays with the buyer there and is declined off-session (a renewal).
    const sub = await boughtPlan('4000000000000341');
    const client = wsClient(handoff.graphqlUrl, shop.key);
    clients.push(client);
    const live = collect(client, LIVE, { id: sub.id });
    await settle(); // listening
    await paymentDb().query(`UPDATE payment.billing_subscriptions SET next_renewal_at = now() - interval '1 second' WHERE id = $1`, [sub.id]);
    const [event] = (await live.waitFor(1, 30_000)).map((r: any) => r.data.billingSubscriptionUpdated);
    expect(event).toMatchObject({ id: sub.id, status: 'PAST_DUE', currentPeriod: 1 });
    const read = (await shop.gql.ok(SUB, { id: sub.id })).billingSubscription;
    expect(read.invoices.find((i: any) => i.period === 2)).toMatchObject({ status: 'OPEN', amount: { amountMinor: 3000 }, lines: [{ kind: 'SUBSCRIPTION', amount: { amountMinor: 3000 } }] });
    live.stop();
  });
});
