// Attribution and money integrity through the gateway, with the sandbox PSP's webhooks signed as
// Stripe signs them (issue 16, items 1, 3 and 4):
//   - a paid agent checkout's AAP code replayed on a merchant's own checkout payment (same amount,
//     all the aap_* keys) is recorded `flagged:replayed`: no second commission, no ledger lines,
//     and an admin cannot approve it; two events carrying one code at once make one verified
//     conversion;
//   - flagged conversions report no commission, so BI (commissionSummary) equals the books
//     (ledgerBalances) with flagged and verified mixed; approval computes it on what was paid;
//   - twenty concurrent checkouts of one recommendation make one checkout session and one intent.
import { randomBytes } from 'node:crypto';
import type { RunningHandoff } from '@handoff/launcher';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../subgraphs/payment-intent/src/webhooks/signature.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) {
  transactionId paymentId checkoutSession { attribution { aapCode recommendationId sessionId offerId merchantId agentId } } } }`;
const CONVERSIONS = `query($filter: ConversionFilter) { conversions(filter: $filter, first: 100) { edges { node {
  id verification reviewReason paymentIntent { id } recommendation { id } commission { amount { amountMinor } } ledgerEntries { id } } } } }`;
const RESOLVE = `mutation($id: ID!, $reason: String!) { resolveFlaggedConversion(id: $id, approve: true, reason: $reason) {
  verification reviewReason commission { amount { amountMinor } } } }`;
const SUMMARY = `{ commissionSummary(groupBy: MERCHANT) { key currency count commission { amountMinor } } }`;
const BALANCES = `{ ledgerBalances { account balance { amountMinor currency } } }`;

type Conversion = { id: string; verification: string; reviewReason: string | null; paymentIntent: { id: string } | null;
  recommendation: { id: string } | null; commission: { amount: { amountMinor: number } }; ledgerEntries: Array<{ id: string }> };

describe('attribution and money integrity through the gateway', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;

  /** A merchant (CPA 8.00 GBP) with the sandbox PSP, a 10.00 GBP offer, its key, and an agent. */
  const shop = async (name: string) => {
    const merchantId = (await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
        commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
    })).createMerchant.id as string;
    const secret = (await admin.ok(`mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id: merchantId }))
      .connectPaymentProcessor.webhookSecret as string;
    const offerId = (await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
      input: { merchantId, name: '30GB Rolling Monthly', provider: name, price: { amountMinor: 1000, currency: 'GBP' } },
    })).createOffer.id as string;
    const key = async (input: object) => (await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input })).createApiKey.key as string;
    const merchant = admin.as(await key({ role: 'MERCHANT', merchantId }));
    const agentId = (await admin.ok(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, {
      input: { name: `${name} shopper`, builderName: `${name} builder ${randomBytes(3).toString('hex')}` },
    })).registerAgent.id as string;
    const agent = admin.as(await key({ role: 'AGENT', agentId }));

    const recommendation = async () => {
      const sessionId = (await agent.ok(`mutation { startAgentSession(input: { query: "30GB SIM" }) { id } }`)).startAgentSession.id as string;
      const recommendationId = (await agent.ok(`mutation($input: RecommendInput!) { recommend(input: $input) { id } }`, { input: { sessionId, offerId } })).recommend.id as string;
      return { sessionId, recommendationId };
    };
    const checkout = async () => (await agent.ok(CHECKOUT, { input: await recommendation() })).checkout;
    const providerPaymentId = async (intentId: string) =>
      (await merchant.ok(`query($id: ID!) { paymentIntent(id: $id) { providerPaymentId } }`, { id: intentId })).paymentIntent.providerPaymentId as string;
    /** A merchant's own checkout session (no attribution) for the offer's price, and its intent. */
    const ownCheckout = async () => {
      const cs = (await merchant.ok(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`, {
        input: { lineItems: [{ name: 'Walk-in SIM', unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 }] },
      })).createCheckoutSession;
      return { id: cs.id as string, intentId: cs.paymentIntentId as string };
    };
    /** `payment_intent.succeeded` for a PSP payment, signed with the merchant's webhook secret, through the gateway. */
    const succeeded = async (pspPaymentId: string, metadata: Record<string, string>, amount = 1000) => {
      const body = JSON.stringify({
        id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000),
        data: { object: { id: pspPaymentId, object: 'payment_intent', amount, amount_received: amount, currency: 'gbp', status: 'succeeded', metadata } },
      });
      const res = await fetch(`${handoff.gatewayUrl}/webhooks/test/${merchantId}`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'handoff-signature': signatureHeader(secret, body) }, body,
      });
      expect(res.status).toBe(200);
    };
    const conversionOf = async (intentId: string): Promise<Conversion> => {
      let found: Conversion | undefined;
      await expect.poll(async () => {
        const edges = (await admin.ok(CONVERSIONS, { filter: { merchantId } })).conversions.edges as Array<{ node: Conversion }>;
        found = edges.map((e) => e.node).find((c) => c.paymentIntent?.id === intentId);
        return !!found;
      }, { timeout: 20_000, interval: 200 }).toBe(true);
      return found!;
    };
    return { merchantId, merchant, agent, recommendation, checkout, providerPaymentId, ownCheckout, succeeded, conversionOf };
  };

  /** The aap_* metadata an agent checkout's intent carries (seed 000's six keys). */
  const aapKeys = (a: { aapCode: string; recommendationId: string; sessionId: string; offerId: string; merchantId: string; agentId: string }) => ({
    aap_code: a.aapCode, aap_recommendation_id: a.recommendationId, aap_session_id: a.sessionId,
    aap_offer_id: a.offerId, aap_merchant_id: a.merchantId, aap_agent_id: a.agentId,
  });

  beforeAll(async () => {
    handoff = await startTestHandoff();
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  });

  afterEach(async () => {
    expect((await admin.ok(`{ ledgerCheck { balanced } }`)).ledgerCheck.balanced).toBe(true);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it("a paid code replayed on the merchant's own checkout payment is flagged:replayed: no second commission, no ledger lines, approval refused", async () => {
    const s = await shop('Replay');
    const paid = await s.checkout();
    expect((await s.merchant.ok(`mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`,
      { id: paid.paymentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    const original = await s.conversionOf(paid.paymentId);
    expect(original).toMatchObject({ verification: 'verified', commission: { amount: { amountMinor: 800 } } });

    const own = await s.ownCheckout();
    await s.succeeded(await s.providerPaymentId(own.intentId), { handoff_checkout_session_id: own.id, ...aapKeys(paid.checkoutSession.attribution) });
    const replay = await s.conversionOf(own.intentId);
    expect(replay).toMatchObject({ verification: 'flagged:replayed', commission: { amount: { amountMinor: 0 } }, ledgerEntries: [] });

    const forRecommendation = ((await admin.ok(CONVERSIONS, { filter: { merchantId: s.merchantId } })).conversions.edges as Array<{ node: Conversion }>)
      .map((e) => e.node).filter((c) => c.recommendation?.id === paid.checkoutSession.attribution.recommendationId);
    expect(forRecommendation.filter((c) => c.verification === 'verified').map((c) => c.id)).toEqual([original.id]);
    const refused = await admin.request(RESOLVE, { id: replay.id, reason: 'looks fine' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'ATTRIBUTION_CODE_ALREADY_REDEEMED' });
    const receivable = (await s.merchant.ok(BALANCES)).ledgerBalances.find((b: { account: string }) => b.account === `merchant_receivable:${s.merchantId}`);
    expect(receivable.balance).toEqual({ amountMinor: 800, currency: 'GBP' });
  });

  it('two signed events carrying one code, delivered at once, end with exactly one verified conversion', async () => {
    const s = await shop('Race');
    const a = await s.checkout();
    const own = await s.ownCheckout();
    const [agentPsp, ownPsp] = await Promise.all([s.providerPaymentId(a.paymentId), s.providerPaymentId(own.intentId)]);
    const md = aapKeys(a.checkoutSession.attribution);
    await Promise.all([
      s.succeeded(agentPsp, { handoff_checkout_session_id: a.transactionId, ...md }),
      s.succeeded(ownPsp, { handoff_checkout_session_id: own.id, ...md }),
    ]);
    const both = await Promise.all([s.conversionOf(a.paymentId), s.conversionOf(own.intentId)]);
    expect(both.filter((c) => c.verification === 'verified')).toHaveLength(1);
    expect(both[0]).toMatchObject({ verification: 'verified', commission: { amount: { amountMinor: 800 } } });
    expect(both[1]!.verification).toMatch(/^flagged:(replayed|checkout_mismatch)$/);
    expect(both[1]).toMatchObject({ commission: { amount: { amountMinor: 0 } }, ledgerEntries: [] });
  });

  it('commissionSummary equals ledgerBalances with flagged and verified conversions mixed; approval computes the commission on what was paid', async () => {
    const s = await shop('Books');
    const summed = async () => (await s.merchant.ok(SUMMARY)).commissionSummary.reduce((n: number, r: { commission: { amountMinor: number } }) => n + r.commission.amountMinor, 0);
    const receivable = async () => (await s.merchant.ok(BALANCES)).ledgerBalances
      .find((b: { account: string }) => b.account === `merchant_receivable:${s.merchantId}`)?.balance.amountMinor ?? 0;

    const verified = await s.checkout();
    await s.succeeded(await s.providerPaymentId(verified.paymentId), { handoff_checkout_session_id: verified.transactionId, ...aapKeys(verified.checkoutSession.attribution) });
    expect((await s.conversionOf(verified.paymentId)).verification).toBe('verified');
    // A penny paid on a 10.00 checkout: flagged, and worth nothing until reviewed.
    const penny = await s.checkout();
    await s.succeeded(await s.providerPaymentId(penny.paymentId), { handoff_checkout_session_id: penny.transactionId, ...aapKeys(penny.checkoutSession.attribution) }, 1);
    const flagged = await s.conversionOf(penny.paymentId);
    expect(flagged).toMatchObject({ verification: 'flagged:amount_mismatch', commission: { amount: { amountMinor: 0 } }, ledgerEntries: [] });

    expect((await s.merchant.ok(SUMMARY)).commissionSummary).toEqual([{ key: s.merchantId, currency: 'GBP', count: 2, commission: { amountMinor: 800 } }]);
    expect(await summed()).toBe(await receivable());

    const approved = (await admin.ok(RESOLVE, { id: flagged.id, reason: 'the buyer topped up by phone' })).resolveFlaggedConversion;
    expect(approved).toEqual({
      verification: 'verified', commission: { amount: { amountMinor: 800 } },
      reviewReason: 'amount_mismatch: the buyer topped up by phone (commission 8.00 GBP computed on the 0.01 GBP paid)',
    });
    expect(await summed()).toBe(1600);
    expect(await receivable()).toBe(1600);
  });

  it('twenty concurrent checkouts of one recommendation make one checkout session and one intent; once paid, another is refused', async () => {
    const s = await shop('Twenty');
    const input = await s.recommendation();
    const results = await Promise.all(Array.from({ length: 20 }, () => s.agent.request(CHECKOUT, { input })));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const outs = results.map((r) => r.data!.checkout);
    expect(new Set(outs.map((o) => o.transactionId)).size).toBe(1);
    expect(new Set(outs.map((o) => o.paymentId)).size).toBe(1);
    expect(new Set(outs.map((o) => o.checkoutSession.attribution.aapCode)).size).toBe(1);
    const db = (name: string) => handoff.subgraphs.find((x) => x.name === name)!.app.dataSource;
    const sessions = await db('checkout-session').query(`SELECT id FROM checkout.checkout_sessions WHERE recommendation_id = $1`, [input.recommendationId]);
    expect(sessions).toEqual([{ id: outs[0]!.transactionId }]);
    const intents = await db('payment-intent').query(`SELECT id FROM payment.payment_intents WHERE checkout_session_id = $1`, [outs[0]!.transactionId]);
    expect(intents).toEqual([{ id: outs[0]!.paymentId }]);

    await s.succeeded(await s.providerPaymentId(outs[0]!.paymentId), { handoff_checkout_session_id: outs[0]!.transactionId, ...aapKeys(outs[0]!.checkoutSession.attribution) });
    await expect.poll(async () => (await s.agent.request(CHECKOUT, { input })).errors?.[0]?.extensions?.code, { timeout: 20_000, interval: 200 })
      .toBe('RECOMMENDATION_ALREADY_CHECKED_OUT');
    const rest = await fetch(`${handoff.gatewayUrl}/v1/checkout`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.agent.key}` }, body: JSON.stringify(input),
    });
    expect(rest.status).toBe(409);
    expect(await rest.json()).toMatchObject({ code: 'RECOMMENDATION_ALREADY_CHECKED_OUT' });
  });
});
