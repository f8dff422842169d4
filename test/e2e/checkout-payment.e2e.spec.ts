// A paid checkout through the gateway: the merchant confirms the agent checkout's payment intent
// with a sandbox test card; payment-intent's `payment_intent.succeeded` event reaches the
// checkout-session worker, which completes the checkout session and converts the agent session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { status } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REGISTER_AGENT = `mutation { registerAgent(input: { name: "Payer" }) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const START = `mutation { startAgentSession { id } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id } }`;
const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) { transactionId paymentId session { id } } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status version } }`;
const AGENT_SESSION = `query($id: ID!) { agentSession(id: $id) { status } }`;

describe('a paid agent checkout', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let agent: GqlClient;
  let merchant: GqlClient;
  let offerId: string;

  beforeAll(async () => {
    handoff = await startTestHandoff();
    const anon = new GqlClient(handoff.graphqlUrl);
    admin = anon.as(handoff.adminKey);
    const merchantId = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name: 'Paid Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })
    ).createMerchant.id;
    await admin.ok(CONNECT, { id: merchantId });
    offerId = (await admin.ok(CREATE_OFFER, { input: { merchantId, name: 'Plan', price: { amountMinor: 1999, currency: 'GBP' } } })).createOffer.id;
    const agentId = (await admin.ok(REGISTER_AGENT)).registerAgent.id;
    agent = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    merchant = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('completes the checkout session and converts the agent session once the payment succeeds', async () => {
    const sessionId = (await agent.ok(START)).startAgentSession.id;
    const recommendationId = (await agent.ok(RECOMMEND, { input: { sessionId, offerId } })).recommend.id;
    const out = (await agent.ok(CHECKOUT, { input: { sessionId, recommendationId } })).checkout;
    const confirmed = (await merchant.ok(CONFIRM, { id: out.paymentId })).confirmPaymentIntent;
    expect(confirmed.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await agent.ok(SESSION, { id: out.transactionId })).checkoutSession.status, { timeout: 15_000 }).toBe('COMPLETE');
    expect((await agent.ok(AGENT_SESSION, { id: sessionId })).agentSession.status).toBe('CONVERTED');
  });
});
