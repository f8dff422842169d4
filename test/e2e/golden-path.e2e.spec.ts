// The whole story, as the people in it see it: an agent recommends an offer and checks out; a
// buyer opens the checkout URL in a real browser and pays; the sandbox PSP's signed webhook
// comes back through the gateway; the payment, the checkout session and the agent session reach
// their final states; the ledger records a verified conversion with the right commission, and
// the books balance.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { launchBrowser, type Browser } from '../support/browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/golden-path/', import.meta.url));

const SETUP = {
  merchant: `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`,
  connect: `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`,
  offer: `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
  agent: `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`,
  key: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
};
const START = `mutation { startAgentSession(input: { query: "a cheap 30GB SIM plan" }) { id status } }`;
const RECOMMEND = `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`;
const CHECKOUT = `mutation($s: ID!, $r: ID!) {
  checkout(input: { sessionId: $s, recommendationId: $r }, idempotencyKey: "golden-1") {
    transactionId paymentId checkoutUrl status backend mode amount { amount currency }
    merchant { name } offer { name } session { id status } checkoutSession { id status }
  }
}`;
const STATES = `query($cs: ID!, $s: ID!) {
  checkoutSession(id: $cs) { status paymentIntent { id status amount { amount } events { type } } }
  agentSession(id: $s) { status }
}`;
const CONVERSIONS = `query($m: ID!) {
  conversions(filter: { merchantId: $m }, first: 10) {
    totalCount
    edges { node {
      id status conversionPath verification transactionValue { amount currency }
      commission { type amount { amount } networkFee { amount } builderPayout { amount } }
      paymentIntent { id status } recommendation { id } agent { id }
    } }
  }
}`;

const BI_PAGE = `query($m: ID!) { conversions(filter: { merchantId: $m }, first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id status conversionPath verification orderReference validationPeriodDays validatesAt
  transactionValue { amountMinor amount currency }
  commission { type amount { amountMinor amount currency } networkFee { amountMinor amount currency } builderPayout { amountMinor amount currency } }
  merchant { id name } agent { id name builder { name registered } }
  milestones { step status recordedAt metadata }
  ledgerEntries { id account direction amount { amount currency } transactionId createdAt }
} } } }`;

describe('golden path: agent checkout → browser payment → verified conversion', () => {
  let handoff: RunningHandoff;
  let browser: Browser;
  let admin: GqlClient;
  let merchant: GqlClient;
  let agent: GqlClient;
  let merchantId: string;
  let offerId: string;
  let agentId: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    handoff = await startTestHandoff();
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    merchantId = (
      await admin.ok(SETUP.merchant, {
        input: { name: 'SMARTY', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } } },
      })
    ).createMerchant.id;
    await admin.ok(SETUP.connect, { id: merchantId });
    offerId = (
      await admin.ok(SETUP.offer, { input: { merchantId, name: '30GB Rolling Monthly', provider: 'SMARTY', price: { amountMinor: 1000, currency: 'GBP' } } })
    ).createOffer.id;
    agentId = (await admin.ok(SETUP.agent, { input: { name: 'Shopping Assistant', builderName: 'Acme Agents' } })).registerAgent.id;
    agent = admin.as((await admin.ok(SETUP.key, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    merchant = admin.as((await admin.ok(SETUP.key, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await handoff?.stop();
  });

  it('ends with the payment SUCCEEDED, both sessions final, and a verified conversion earning 8.00 = 6.40 + 1.60', async () => {
    // The agent, with only its key.
    const session = (await agent.ok(START)).startAgentSession;
    const recommendation = (await agent.ok(RECOMMEND, { s: session.id, o: offerId })).recommend;
    const checkout = (await agent.ok(CHECKOUT, { s: session.id, r: recommendation.id })).checkout;
    expect(checkout).toMatchObject({
      status: 'awaiting_payment',
      amount: { amount: '10.00', currency: 'GBP' },
      merchant: { name: 'SMARTY' },
      offer: { name: '30GB Rolling Monthly' },
      session: { id: session.id, status: 'CHECKOUT' },
    });
    expect(checkout.checkoutUrl.startsWith(handoff.gatewayUrl)).toBe(true);

    // The buyer, in a browser, at the URL the agent handed over.
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(checkout.checkoutUrl);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Pay SMARTY');
    await page.getByLabel('Name on card').fill('Ada Buyer');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry date (MM/YY)').fill(`12/${String(new Date().getFullYear() + 2).slice(2)}`);
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.screenshot({ path: join(ARTIFACTS, '01-agent-checkout-page.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pay £10.00' }).click();
    await expect.poll(() => page.locator('#notice-text').textContent(), { timeout: 15_000 }).toMatch(/Thank you/);
    await page.screenshot({ path: join(ARTIFACTS, '02-paid.png'), fullPage: true });
    expect(problems).toEqual([]);

    // The PSP's signed webhook comes back through the gateway; everything reaches its final state.
    await expect
      .poll(async () => (await merchant.ok(STATES, { cs: checkout.checkoutSession.id, s: session.id })), { timeout: 20_000, interval: 250 })
      .toMatchObject({ checkoutSession: { status: 'COMPLETE', paymentIntent: { status: 'SUCCEEDED', amount: { amount: '10.00' } } } });
    await expect.poll(async () => (await agent.ok(STATES, { cs: checkout.checkoutSession.id, s: session.id })).agentSession.status, {
      timeout: 20_000,
    }).toBe('CONVERTED');

    // The ledger: one verified conversion, seed 001's numbers, joined to the recommendation.
    await expect.poll(async () => (await merchant.ok(CONVERSIONS, { m: merchantId })).conversions.totalCount, { timeout: 20_000 }).toBe(1);
    const conversion = (await merchant.ok(CONVERSIONS, { m: merchantId })).conversions.edges[0].node;
    expect(conversion).toMatchObject({
      status: 'PENDING',
      conversionPath: 'VERIFIED_PAYMENT',
      verification: 'verified',
      transactionValue: { amount: '10.00', currency: 'GBP' },
      commission: { type: 'CPA', amount: { amount: '8.00' }, networkFee: { amount: '1.60' }, builderPayout: { amount: '6.40' } },
      paymentIntent: { status: 'SUCCEEDED' },
      recommendation: { id: recommendation.id },
      agent: { id: agentId },
    });
    // The agent sees the conversion it earned; another merchant would not (tenancy is swept elsewhere).
    expect((await agent.ok(CONVERSIONS, { m: merchantId })).conversions.totalCount).toBe(1);

    // Finance reads a full page with everything attached, within the gateway's query limits.
    const biPage = await admin.ok(BI_PAGE, { m: merchantId });
    expect(biPage.conversions.edges[0].node.ledgerEntries.length).toBeGreaterThanOrEqual(2);
    expect((await admin.ok(`{ ledgerCheck { balanced unbalancedTransactions balanceMismatches overdrawnAccounts } }`)).ledgerCheck).toEqual({
      balanced: true,
      unbalancedTransactions: [],
      balanceMismatches: [],
      overdrawnAccounts: [],
    });
  });
});
