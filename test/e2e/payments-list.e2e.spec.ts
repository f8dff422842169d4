// The payments list through the gateway (issue 23): checkouts paid with a customer email are found
// by paymentIntents(filter:) by email, amount, date and status; another merchant's never are. The
// email reaches the intent both ways checkout-session passes it: at the session's creation
// (createPaymentIntentForCheckout) and, given later with setCheckoutCustomer, when the buyer pays
// (beginCheckoutPayment's answer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const SET_CUSTOMER = `mutation($id: ID!, $customer: CheckoutCustomerInput!) { setCheckoutCustomer(id: $id, customer: $customer) { id customerEmail } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`;
const LIST = `query($filter: PaymentIntentFilter, $first: Int, $after: String) {
  paymentIntents(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status receiptEmail merchant { id } amount { amountMinor currency } createdAt } }
  }
}`;

type Row = { id: string; status: string; receiptEmail: string | null; merchant: { id: string } };

describe('paymentIntents(filter:) through the gateway', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  const A = { id: '', client: undefined as unknown as GqlClient };
  const B = { id: '', client: undefined as unknown as GqlClient };
  const paid = { early: '', late: '', other: '' };
  let startedAt: string;

  async function newMerchant(name: string, anon: GqlClient) {
    const id = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })
    ).createMerchant.id as string;
    await admin.ok(CONNECT, { id });
    return { id, client: anon.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: id } })).createApiKey.key) };
  }

  /** A checkout session of `amountMinor` GBP paid with the test card; its intent's id. */
  async function paidCheckout(merchant: GqlClient, amountMinor: number, customerEmail?: string, laterEmail?: string): Promise<string> {
    const s = (
      await merchant.ok(CREATE_SESSION, {
        input: { lineItems: [{ name: 'Plan', unitAmount: { amountMinor, currency: 'GBP' }, quantity: 1 }], successUrl: 'https://shop.example/thanks', ...(customerEmail ? { customerEmail } : {}) },
      })
    ).createCheckoutSession;
    if (laterEmail) await merchant.ok(SET_CUSTOMER, { id: s.id, customer: { email: laterEmail } });
    expect((await merchant.ok(CONFIRM, { id: s.paymentIntentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    return s.paymentIntentId;
  }

  const list = async (client: GqlClient, filter: Record<string, unknown>): Promise<Row[]> =>
    (await client.ok(LIST, { filter, first: 100 })).paymentIntents.edges.map((e: { node: Row }) => e.node);

  beforeAll(async () => {
    handoff = await startTestHandoff();
    const anon = new GqlClient(handoff.graphqlUrl);
    admin = anon.as(handoff.adminKey);
    Object.assign(A, await newMerchant('List A Ltd', anon));
    Object.assign(B, await newMerchant('List B Ltd', anon));
    startedAt = new Date(Date.now() - 60_000).toISOString();
    paid.early = await paidCheckout(A.client, 1500, 'Buyer.One@Example.com');
    paid.late = await paidCheckout(A.client, 2500, undefined, 'late.buyer@example.com');
    paid.other = await paidCheckout(B.client, 1500, 'buyer.one@example.com');
  }, 120_000);

  afterAll(async () => handoff?.stop());

  it('finds the paid checkout by its email (given at creation), lowercase, and not the other merchant’s', async () => {
    const rows = await list(A.client, { customerEmail: 'BUYER.ONE@example.com' });
    expect(rows.map((r) => r.id)).toEqual([paid.early]);
    expect(rows[0]).toMatchObject({ status: 'SUCCEEDED', receiptEmail: 'buyer.one@example.com', merchant: { id: A.id } });
  });

  it('finds one whose email was given after its intent existed, once it was paid', async () => {
    expect((await list(A.client, { customerEmail: 'late.buyer@example.com' })).map((r) => r.id)).toEqual([paid.late]);
  });

  it('finds by amount (with currency), date and status, combined, never another merchant’s', async () => {
    const byAmount = await list(A.client, { amountMin: 1500, amountMax: 1500, currency: 'GBP' });
    expect(byAmount.map((r) => r.id)).toEqual([paid.early]);
    const combined = await list(A.client, { status: ['SUCCEEDED'], createdFrom: startedAt, amountMin: 1000, currency: 'GBP' });
    expect(combined.map((r) => r.id)).toEqual([paid.late, paid.early]);
    expect(await list(A.client, { status: ['CANCELED', 'REQUIRES_CAPTURE'], createdFrom: startedAt })).toEqual([]);
    expect(await list(A.client, { createdTo: startedAt })).toEqual([]);
    // Naming the other merchant narrows nothing into its data.
    expect(await list(A.client, { merchantId: B.id })).toEqual([]);
    const all = await list(A.client, {});
    expect(all.every((r) => r.merchant.id === A.id)).toBe(true);
    expect(all.map((r) => r.id)).not.toContain(paid.other);
  });

  it('lets an admin list any merchant’s', async () => {
    expect((await list(admin, { merchantId: B.id, customerEmail: 'buyer.one@example.com' })).map((r) => r.id)).toEqual([paid.other]);
  });

  it('refuses bad filters with BAD_USER_INPUT naming the field', async () => {
    const refusal = async (filter: Record<string, unknown>, first?: number) => {
      const r = await A.client.request(LIST, { filter, first });
      return { code: r.errors?.[0]?.extensions?.code, field: r.errors?.[0]?.extensions?.field };
    };
    expect(await refusal({ amountMin: 100 })).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.currency' });
    expect(await refusal({ amountMin: -1, currency: 'GBP' })).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.amountMin' });
    expect(await refusal({ createdFrom: startedAt, createdTo: startedAt })).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.createdTo' });
    expect(await refusal({ customerEmail: 'nobody' })).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.customerEmail' });
    expect(await refusal({}, 101)).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
