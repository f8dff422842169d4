// The dunning schedule the merchant sets, end to end through the gateway (issue 22 item 4;
// docs/recurring.md "Dunning the merchant sets"): billingSettings reads the default until set;
// setDunningSettings refuses bad schedules with INVALID_DUNNING_SCHEDULE (nothing changes) and
// another merchant's settings; a plan bought on the hosted page with the card that declines
// off-session (4000…0341) then renews on the billing clock in the running stack (the real worker,
// which reads the schedule from the merchant subgraph through the merchant port): retries 2 and 6
// days after the period's start, then CANCELED with the invoice UNCOLLECTIBLE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const READ = `query($m: ID) { billingSettings(merchantId: $m) { dunning { retryDays finalStatus } updatedAt } }`;
const SET = `mutation($m: ID, $input: DunningSettingsInput!) { setDunningSettings(merchantId: $m, input: $input) { dunning { retryDays finalStatus } updatedAt } }`;
const ADVANCE = `mutation($id: ID!) { advanceBillingClock(id: $id) { id status nextRenewalAt } }`;
const SUB = `query($id: ID!) { billingSubscription(id: $id) { id status currentPeriod nextRenewalAt canceledAt
  invoices { period status attempts nextAttemptAt periodStart } } }`;
const SESSION_SUB = `query($id: ID!) { checkoutSession(id: $id) { status url billingSubscription { id status } } }`;
const DAY_MS = 86_400_000;

let handoff: RunningHandoff;
let admin: GqlClient;
let shop: { id: string; key: string; gql: GqlClient };
let other: { id: string; key: string; gql: GqlClient };

async function merchant(name: string) {
  const input = { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' } } };
  const id = (await admin.ok(CREATE_MERCHANT, { input })).createMerchant.id as string;
  await admin.ok(CONNECT, { id });
  const key = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key as string;
  return { id, key, gql: admin.as(key) };
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

/** A monthly plan bought through REST and the hosted page's pay route with `card`; its subscription id. */
async function buyPlan(card: string): Promise<string> {
  const res = await fetch(`${handoff.gatewayUrl}/v1/checkout/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shop.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ currency: 'GBP', mode: 'subscription', line_items: [{ name: 'Pro plan', amount: 1500, quantity: 1, recurring: { interval: 'month' } }] }),
  });
  expect(res.status).toBe(201);
  const sessionId = ((await res.json()) as any).checkout_id as string;
  const url = (await shop.gql.ok(SESSION_SUB, { id: sessionId })).checkoutSession.url as string;
  const pay = await fetch(`${handoff.gatewayUrl}/api/checkout/${sessionId}/pay`, {
    method: 'POST',
    headers: { authorization: `Bearer ${new URL(url).searchParams.get('cs')!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ card: { number: card, expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123', name: 'Ada Buyer' } }),
  });
  expect(pay.status, await pay.clone().text()).toBe(200);
  const s = await until(() => shop.gql.ok(SESSION_SUB, { id: sessionId }).then((d) => d.checkoutSession), (x) => x.billingSubscription?.status === 'ACTIVE', 'the subscription ACTIVE');
  return s.billingSubscription.id as string;
}

beforeAll(async () => {
  handoff = await startTestHandoff();
  admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  shop = await merchant('Dunning Plans Ltd');
  other = await merchant('Someone Else');
}, 120_000);

afterAll(async () => {
  await handoff?.stop();
});

describe('dunning settings through the gateway', () => {
  it('reads the default until set; refuses bad schedules and another merchant\'s settings, nothing changed', async () => {
    expect((await shop.gql.ok(READ, {})).billingSettings).toEqual({ dunning: { retryDays: [1, 3, 5, 7], finalStatus: 'UNPAID' }, updatedAt: null });
    for (const [retryDays, finalStatus] of [[[], 'UNPAID'], [[3, 2], 'UNPAID'], [[0], 'UNPAID'], [[61], 'UNPAID'], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'UNPAID'], [[2], 'LATER']] as const) {
      expect(await shop.gql.errorCode(SET, { input: { retryDays, finalStatus } })).toBe('INVALID_DUNNING_SCHEDULE');
    }
    expect(await shop.gql.errorCode(SET, { m: other.id, input: { retryDays: [2], finalStatus: 'UNPAID' } })).toBe('MERCHANT_NOT_FOUND');
    expect(await shop.gql.errorCode(READ, { m: other.id })).toBe('MERCHANT_NOT_FOUND');
    expect((await shop.gql.ok(READ, {})).billingSettings.updatedAt).toBeNull();
    expect((await admin.ok(READ, { m: other.id })).billingSettings.updatedAt).toBeNull();
  });

  it("a declined renewal follows the merchant's schedule on the billing clock: retries at days 2 and 6, then CANCELED", async () => {
    const set = (await shop.gql.ok(SET, { input: { retryDays: [2, 6], finalStatus: 'CANCELED' } })).setDunningSettings;
    expect(set.dunning).toEqual({ retryDays: [2, 6], finalStatus: 'CANCELED' });
    expect((await admin.ok(READ, { m: shop.id })).billingSettings.dunning).toEqual({ retryDays: [2, 6], finalStatus: 'CANCELED' });
    const id = await buyPlan('4000000000000341');
    const invoice2 = (s: any) => s.invoices.find((i: any) => i.period === 2);

    await shop.gql.ok(ADVANCE, { id });
    let s = await until(() => shop.gql.ok(SUB, { id }).then((d) => d.billingSubscription), (x) => x.status === 'PAST_DUE', 'PAST_DUE');
    expect(invoice2(s)).toMatchObject({ status: 'OPEN', attempts: 1 });
    expect(Date.parse(invoice2(s).nextAttemptAt) - Date.parse(invoice2(s).periodStart)).toBe(2 * DAY_MS);

    await shop.gql.ok(ADVANCE, { id });
    s = await until(() => shop.gql.ok(SUB, { id }).then((d) => d.billingSubscription), (x) => invoice2(x).attempts === 2, 'attempt 2');
    expect(s.status).toBe('PAST_DUE');
    expect(Date.parse(invoice2(s).nextAttemptAt) - Date.parse(invoice2(s).periodStart)).toBe(6 * DAY_MS);

    await shop.gql.ok(ADVANCE, { id });
    s = await until(() => shop.gql.ok(SUB, { id }).then((d) => d.billingSubscription), (x) => invoice2(x).attempts === 3, 'attempt 3');
    expect(s).toMatchObject({ status: 'CANCELED', nextRenewalAt: null, currentPeriod: 1 });
    expect(s.canceledAt).not.toBeNull();
    expect(invoice2(s)).toMatchObject({ status: 'UNCOLLECTIBLE', nextAttemptAt: null });
  });
});
