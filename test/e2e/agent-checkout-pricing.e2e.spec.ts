// An agent's checkout of a merchant with shipping, tax and a promotion code (issue 18, item 6),
// through the gateway: the agent's checkout prices the offer (20 % GB VAT, no shipping chosen
// yet) and its AAP code binds that total; on the hosted page's JSON API the buyer gives an
// address, picks the paid delivery rate and applies a code, which changes the grand total. When
// the payment commits, checkout-session re-issues the code for the total actually paid (same
// claims, the new amount, a new signature, the same identity) and payment-intent puts it in the
// intent's aap_* metadata before confirming, so the ledger records a VERIFIED conversion of the
// grand total paid, with its commission computed on it. The code issued at checkout, replayed on
// another payment, is still flagged as replayed: a re-issue is the same code.
// Also: a decline, then another delivery choice (a lower total) re-issues the code again and
// pays it; the sandbox PSP's own payment carries the code that binds what it charged.
import { randomBytes } from 'node:crypto';
import type { RunningHandoff } from '@handoff/launcher';
import { generateAttributionKeys } from '@handoff/launcher';
import { attributionCodeId, attributionPublicKeys, verifyAttributionCode, type AttributionClaims } from '@handoff/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../subgraphs/payment-intent/src/webhooks/signature.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CHECKOUT = `mutation($input: CheckoutInput!) { checkout(input: $input) {
  transactionId paymentId checkoutUrl amount { amountMinor currency }
  checkoutSession { totals { total { amountMinor } } attribution { aapCode recommendationId sessionId offerId merchantId agentId } } } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) {
  status totals { total { amountMinor } } calculation { totals { subTotal { amountMinor } discountTotal { amountMinor } taxTotal { amountMinor } shippingTotal { amountMinor } grandTotal { amountMinor } } }
  attribution { aapCode recommendationId sessionId offerId merchantId agentId } paymentIntent { id status amount { amountMinor } } } }`;
const CONVERSIONS = `query($filter: ConversionFilter) { conversions(filter: $filter, first: 100) { edges { node {
  id verification transactionValue { amountMinor currency } paymentIntent { id } recommendation { id } commission { amount { amountMinor } } ledgerEntries { id } } } } }`;

type Conversion = { id: string; verification: string; transactionValue: { amountMinor: number; currency: string }; paymentIntent: { id: string } | null;
  recommendation: { id: string } | null; commission: { amount: { amountMinor: number } }; ledgerEntries: Array<{ id: string }> };
type Attribution = { aapCode: string; recommendationId: string; sessionId: string; offerId: string; merchantId: string; agentId: string };

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const ADDRESS = { name: 'Ada Buyer', line1: '10 Downing Street', city: 'London', postal_code: 'SW1A 2AA', country: 'GB' };

describe("an agent's checkout of a priced offer: the AAP code binds the total paid", () => {
  const keys = generateAttributionKeys('k-pricing');
  const publicKeys = attributionPublicKeys(keys.publicKeys);
  let handoff: RunningHandoff;
  let admin: GqlClient;

  const claimsOf = (code: string): AttributionClaims => {
    const result = verifyAttributionCode(code, { publicKeys });
    if (!result.ok) throw new Error(`the code does not verify: ${result.reason}`);
    return result.claims;
  };

  /** A GB merchant (5 % commission) with the sandbox PSP, shipping (standard £3.99 free from £50, next day £8.99), 20 % VAT on top, SAVE10, a £60.00 offer, and an agent. */
  const shop = async (name: string) => {
    const merchantId = (await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
        commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
    })).createMerchant.id as string;
    const webhookSecret = (await admin.ok(`mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id: merchantId }))
      .connectPaymentProcessor.webhookSecret as string;
    await admin.ok(`mutation($m: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $m, input: $input) { updatedAt } }`, {
      m: merchantId,
      input: {
        zones: [{
          id: 'gb', name: 'United Kingdom', countries: ['GB'],
          rates: [
            { id: 'standard', label: 'Standard delivery', amount: gbp(399), freeOver: gbp(5000), carrier: 'Royal Mail', minDays: 2, maxDays: 4 },
            { id: 'express', label: 'Next day', amount: gbp(899), carrier: 'DPD', minDays: 1, maxDays: 1 },
          ],
        }],
        pickupLocations: [],
      },
    });
    await admin.ok(`mutation($m: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $m, input: $input) { updatedAt } }`, {
      m: merchantId, input: { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] },
    });
    await admin.ok(`mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { id } }`, {
      input: { merchantId, name: 'Ten off', code: 'SAVE10', percentOffBasisPoints: 1000 },
    });
    const offerId = (await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
      input: { merchantId, name: 'Waterproof jacket', provider: name, price: gbp(6000) },
    })).createOffer.id as string;
    const key = async (input: object) => (await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input })).createApiKey.key as string;
    const merchant = admin.as(await key({ role: 'MERCHANT', merchantId }));
    const agentId = (await admin.ok(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, {
      input: { name: `${name} shopper`, builderName: `${name} builder ${randomBytes(3).toString('hex')}` },
    })).registerAgent.id as string;
    const agent = admin.as(await key({ role: 'AGENT', agentId }));

    /** The agent recommends the offer and checks out for a buyer in GB. */
    const checkout = async () => {
      const sessionId = (await agent.ok(`mutation { startAgentSession(input: { query: "rain jacket" }) { id } }`)).startAgentSession.id as string;
      const recommendationId = (await agent.ok(`mutation($input: RecommendInput!) { recommend(input: $input) { id } }`, { input: { sessionId, offerId } })).recommend.id as string;
      const out = (await agent.ok(CHECKOUT, { input: { sessionId, recommendationId, userDetails: { country: 'GB' } } })).checkout;
      const secret = new URL(out.checkoutUrl).searchParams.get('cs');
      expect(secret, out.checkoutUrl).toBeTruthy();
      /** The hosted page's JSON API, as the buyer (the page's client secret). */
      const page = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${handoff.gatewayUrl}/api/checkout/${out.transactionId}${path}`, {
          method,
          headers: { authorization: `Bearer ${secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, any> };
      };
      return { ...out, page };
    };
    const session = async (id: string) => (await merchant.ok(SESSION, { id })).checkoutSession;
    const conversionOf = async (intentId: string): Promise<Conversion> => {
      let found: Conversion | undefined;
      await expect.poll(async () => {
        const edges = (await admin.ok(CONVERSIONS, { filter: { merchantId } })).conversions.edges as Array<{ node: Conversion }>;
        found = edges.map((e) => e.node).find((c) => c.paymentIntent?.id === intentId);
        return !!found;
      }, { timeout: 30_000, interval: 200 }).toBe(true);
      return found!;
    };
    /** A merchant's own checkout session (no attribution) and its intent. */
    const ownCheckout = async (amountMinor: number) => {
      const cs = (await merchant.ok(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`, {
        input: { lineItems: [{ name: 'Walk-in sale', unitAmount: gbp(amountMinor), quantity: 1 }] },
      })).createCheckoutSession;
      const psp = (await merchant.ok(`query($id: ID!) { paymentIntent(id: $id) { providerPaymentId } }`, { id: cs.paymentIntentId })).paymentIntent.providerPaymentId as string;
      return { id: cs.id as string, intentId: cs.paymentIntentId as string, psp };
    };
    /** `payment_intent.succeeded` for a PSP payment, signed with the merchant's webhook secret, through the gateway. */
    const succeeded = async (pspPaymentId: string, metadata: Record<string, string>, amount: number) => {
      const body = JSON.stringify({
        id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000),
        data: { object: { id: pspPaymentId, object: 'payment_intent', amount, amount_received: amount, currency: 'gbp', status: 'succeeded', metadata } },
      });
      const res = await fetch(`${handoff.gatewayUrl}/webhooks/test/${merchantId}`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'handoff-signature': signatureHeader(webhookSecret, body) }, body,
      });
      expect(res.status).toBe(200);
    };
    return { merchantId, merchant, checkout, session, conversionOf, ownCheckout, succeeded };
  };

  const aapKeys = (a: Attribution) => ({
    aap_code: a.aapCode, aap_recommendation_id: a.recommendationId, aap_session_id: a.sessionId,
    aap_offer_id: a.offerId, aap_merchant_id: a.merchantId, aap_agent_id: a.agentId,
  });
  /** The intent's metadata, as payment-intent recorded it (what the PSP payment was created with). */
  const intentMetadata = async (intentId: string) => {
    const db = handoff.subgraphs.find((x) => x.name === 'payment-intent')!.app.dataSource;
    const [row] = await db.query(`SELECT metadata, amount_minor AS "amountMinor" FROM payment.payment_intents WHERE id = $1`, [intentId]);
    return row as { metadata: Record<string, string>; amountMinor: string | number };
  };

  beforeAll(async () => {
    handoff = await startTestHandoff({ attributionKeys: keys });
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  }, 120_000);

  afterEach(async () => {
    expect((await admin.ok(`{ ledgerCheck { balanced } }`)).ledgerCheck.balanced).toBe(true);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('the buyer adds delivery and a code on the hosted page: the code is re-issued for the grand total paid, the conversion is VERIFIED on it, the old code replayed is refused', async () => {
    const s = await shop('Fell & Field');
    const co = await s.checkout();
    // At checkout: £60.00 + 20 % VAT, no delivery chosen yet → £72.00, and the code binds it.
    expect(co.amount).toEqual(gbp(7200));
    const issued = co.checkoutSession.attribution as Attribution;
    const first = claimsOf(issued.aapCode);
    expect(first).toMatchObject({ checkoutSessionId: co.transactionId, amountMinor: 7200, currency: 'GBP', kid: 'k-pricing' });
    expect((await intentMetadata(co.paymentId)).metadata.aap_code).toBe(issued.aapCode);

    // Paying must wait for a delivery choice (the page's own check, with the blockers).
    const early = await co.page('POST', '/pay', { testCard: '4242424242424242' });
    expect(early).toMatchObject({ status: 409, body: { reason: 'checkout_session:blocked' } });
    expect(early.body.blockers.map((b: { code: string }) => b.code)).toContain('shipping_not_selected');

    // The buyer: an address, next day (£8.99, though standard would be free), SAVE10.
    expect((await co.page('POST', '/shipping-address', ADDRESS)).status).toBe(200);
    const picked = await co.page('POST', '/shipping', { shipping_option_id: 'express' });
    expect(picked).toMatchObject({ status: 200, body: { selected_shipping: { kind: 'shipping', id: 'express' } } });
    const coded = await co.page('POST', '/promotion-codes', { code: 'save10' });
    expect(coded.status).toBe(200);
    // 60.00 − 6.00 = 54.00; + 8.99 next day; VAT 20 % on both: 10.80 + 1.80 → 75.59.
    expect(coded.body).toMatchObject({ blockers: [], promotion_codes: ['SAVE10'], amount_due: { amount_minor: 7559 } });
    const priced = await s.session(co.transactionId);
    expect(priced.calculation.totals).toEqual({
      subTotal: { amountMinor: 6000 }, discountTotal: { amountMinor: 600 }, shippingTotal: { amountMinor: 899 }, taxTotal: { amountMinor: 1260 }, grandTotal: { amountMinor: 7559 },
    });
    // Until the payment commits, the code is the one issued at checkout.
    expect(priced.attribution.aapCode).toBe(issued.aapCode);

    const paid = await co.page('POST', '/pay', { testCard: '4242424242424242' });
    expect(paid).toMatchObject({ status: 200, body: { payment: { status: 'succeeded', amount: { amount_minor: 7559 } } } });

    // The session's code now binds what was paid: same claims, a new signature, the same identity.
    const after = await s.session(co.transactionId);
    const reissued = after.attribution as Attribution;
    expect(reissued.aapCode).not.toBe(issued.aapCode);
    expect({ ...reissued, aapCode: undefined }).toEqual({ ...issued, aapCode: undefined });
    expect(claimsOf(reissued.aapCode)).toEqual({ ...first, amountMinor: 7559 });
    expect(attributionCodeId(reissued.aapCode)).toBe(attributionCodeId(issued.aapCode));
    // The intent carries it, with the amount paid.
    const intent = await intentMetadata(co.paymentId);
    expect(Number(intent.amountMinor)).toBe(7559);
    expect(intent.metadata).toMatchObject(aapKeys(reissued));

    // The sandbox's webhook: a VERIFIED conversion of the grand total, 5 % commission on it (377.95 → 378).
    const conversion = await s.conversionOf(co.paymentId);
    expect(conversion).toMatchObject({
      verification: 'verified', transactionValue: gbp(7559), recommendation: { id: issued.recommendationId }, commission: { amount: { amountMinor: 378 } },
    });
    expect(conversion.ledgerEntries.length).toBeGreaterThan(0);
    await expect.poll(async () => (await s.session(co.transactionId)).status, { timeout: 20_000 }).toBe('COMPLETE');

    // The code issued at checkout, replayed on another payment of its amount: flagged as replayed, nothing earned.
    const other = await s.ownCheckout(7200);
    await s.succeeded(other.psp, { handoff_checkout_session_id: other.id, ...aapKeys(issued) }, 7200);
    expect(await s.conversionOf(other.intentId)).toMatchObject({ verification: 'flagged:replayed', commission: { amount: { amountMinor: 0 } }, ledgerEntries: [] });
    // And the re-issued one too.
    const another = await s.ownCheckout(7559);
    await s.succeeded(another.psp, { handoff_checkout_session_id: another.id, ...aapKeys(reissued) }, 7559);
    expect(await s.conversionOf(another.intentId)).toMatchObject({ verification: 'flagged:replayed', commission: { amount: { amountMinor: 0 } }, ledgerEntries: [] });

    // One verified conversion for the recommendation.
    const all = ((await admin.ok(CONVERSIONS, { filter: { merchantId: s.merchantId } })).conversions.edges as Array<{ node: Conversion }>).map((e) => e.node);
    expect(all.filter((c) => c.verification === 'verified').map((c) => c.id)).toEqual([conversion.id]);
  });

  it('a decline, then a cheaper delivery: the code is re-issued again for the new total, and the payment made at it is VERIFIED', async () => {
    const s = await shop('Coast & Crag');
    const co = await s.checkout();
    const issued = co.checkoutSession.attribution as Attribution;
    expect((await co.page('POST', '/shipping-address', ADDRESS)).status).toBe(200);
    expect((await co.page('POST', '/shipping', { shipping_option_id: 'express' })).body.amount_due).toMatchObject({ amount_minor: 8279 });

    // Declined at £82.79 (60.00 + 8.99, 20 % VAT): the code was re-issued for it, and the intent carries it.
    const declined = await co.page('POST', '/pay', { testCard: '4000000000000002' });
    expect(declined).toMatchObject({ status: 402, body: { code: 'PAYMENT_DECLINED' } });
    const atDecline = (await s.session(co.transactionId)).attribution.aapCode as string;
    expect(claimsOf(atDecline).amountMinor).toBe(8279);
    expect((await intentMetadata(co.paymentId)).metadata.aap_code).toBe(atDecline);

    // Standard delivery is free over £50: £72.00, the amount the first code bound. A re-issue for
    // it is that first code again (one amount, one code), and it is what the payment carries.
    const cheaper = await co.page('POST', '/shipping', { shipping_option_id: 'standard' });
    expect(cheaper.body).toMatchObject({ blockers: [], amount_due: { amount_minor: 7200 } });
    const paid = await co.page('POST', '/pay', { testCard: '4242424242424242' });
    expect(paid).toMatchObject({ status: 200, body: { payment: { status: 'succeeded', amount: { amount_minor: 7200 } } } });
    const final = (await s.session(co.transactionId)).attribution.aapCode as string;
    expect(final).toBe(issued.aapCode);
    expect((await intentMetadata(co.paymentId)).metadata.aap_code).toBe(final);

    const conversion = await s.conversionOf(co.paymentId);
    expect(conversion).toMatchObject({ verification: 'verified', transactionValue: gbp(7200), commission: { amount: { amountMinor: 360 } } });
  });
});
