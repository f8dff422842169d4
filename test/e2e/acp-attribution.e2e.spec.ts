// Attribution through ACP and the agent REST routes, through the gateway (issue 21 items 4-5):
//   - POST /v1/sessions, POST /v1/recommend → the recommendation's attribution token (an AAP code);
//     attached to an ACP session the agent created (attachCheckoutAttribution), it binds the
//     session's payment: paid with the existing pay path, the ledger verifies it and books the
//     commission; first and last touch are recorded on CheckoutSession.attribution;
//   - forged, expired, other-merchant and replayed codes: the purchase still pays, the touch is
//     INVALID with its reason and flagged on the timeline, nothing converts; one code attached to
//     two sessions at once binds one;
//   - offers(query:) / GET /v1/offers rank by relevance and respect tenancy;
//   - POST /v1/purchase in link mode, and seed 000's failure table.
import { randomBytes } from 'node:crypto';
import { generateAttributionKeys, type RunningHandoff } from '@handoff/launcher';
import { attributionSigner, readAttributionClaims, signAttributionCode } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const ISSUER = 'handoff.local';
const ATTACH = `mutation($input: AttachCheckoutAttributionInput!) { attachCheckoutAttribution(input: $input) {
  touchpoint provider status reason recommendationId bound checkoutSession { id } } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status paymentIntentId
  attribution { aapCode recommendationId sessionId offerId agentId
    firstTouch { touchpoint provider status reason recommendationId } lastTouch { touchpoint provider status reason recommendationId } }
  timeline(first: 100) { edges { node { kind data } } } } }`;
const CREATE_ACP = `mutation($input: CreateAgentCheckoutSessionInput!) { createAgentCheckoutSession(input: $input) { id paymentIntentId } }`;
const CONVERSIONS = `query($filter: ConversionFilter) { conversions(filter: $filter, first: 100) { edges { node {
  verification paymentIntent { id } recommendation { id } commission { amount { amountMinor } } } } } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`;

type Conversion = { verification: string; paymentIntent: { id: string } | null; recommendation: { id: string } | null; commission: { amount: { amountMinor: number } } };

describe('attribution through ACP and the agent REST routes', () => {
  const keys = generateAttributionKeys('k1');
  const signer = attributionSigner(ISSUER, keys.keyId, keys.privateKey);
  let handoff: RunningHandoff;
  let admin: GqlClient;

  const rest = async (key: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${handoff.gatewayUrl}${path}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const apiKey = async (input: object) => (await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input })).createApiKey.key as string;

  /** A merchant (CPA 8.00 GBP, sandbox PSP) with offers, its key. */
  const shop = async (name: string, offers: string[]) => {
    const merchantId = (await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
        commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
    })).createMerchant.id as string;
    await admin.ok(`mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`, { id: merchantId });
    const offerIds: string[] = [];
    for (const offer of offers) {
      offerIds.push((await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
        input: { merchantId, name: offer, provider: name, price: { amountMinor: 1000, currency: 'GBP' } },
      })).createOffer.id as string);
    }
    const merchantKey = await apiKey({ role: 'MERCHANT', merchantId });
    return { merchantId, offerIds, merchantKey, merchant: admin.as(merchantKey) };
  };

  let agentKey: string;
  let agent: GqlClient;
  let agentId: string;
  let a: Awaited<ReturnType<typeof shop>>;
  let b: Awaited<ReturnType<typeof shop>>;

  /** POST /v1/sessions then POST /v1/recommend: the recommendation with its token. */
  const recommend = async (offerId: string, ttlSeconds?: number) => {
    const session = await rest(agentKey, 'POST', '/v1/sessions', { query: 'espresso', ...(ttlSeconds ? { ttlSeconds } : {}) });
    expect(session.status).toBe(201);
    const rec = await rest(agentKey, 'POST', '/v1/recommend', { sessionId: session.body.id, offerId });
    expect(rec.status).toBe(201);
    return rec.body as { id: string; sessionId: string; offerId: string; merchantId: string; agentId: string; attributionToken: string };
  };
  const acpSession = async (s: typeof a, offerId: string) =>
    (await agent.ok(CREATE_ACP, { input: { merchantId: s.merchantId, lineItems: [{ offerId, quantity: 1 }] } })).createAgentCheckoutSession as { id: string; paymentIntentId: string };
  const attach = async (checkoutSessionId: string, token: string, touchpoint: 'FIRST' | 'LAST', provider = ISSUER) =>
    (await agent.ok(ATTACH, { input: { checkoutSessionId, provider, token, touchpoint } })).attachCheckoutAttribution;
  const session = async (id: string) => (await admin.ok(SESSION, { id })).checkoutSession;
  /** Pays the session's intent with the merchant's key (the existing pay path) and waits until the session is complete. */
  const pay = async (s: typeof a, cs: { id: string; paymentIntentId: string }) => {
    expect((await s.merchant.ok(CONFIRM, { id: cs.paymentIntentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await session(cs.id)).status, { timeout: 30_000, interval: 200 }).toBe('COMPLETE');
  };
  const conversions = async (merchantId: string) =>
    ((await admin.ok(CONVERSIONS, { filter: { merchantId } })).conversions.edges as Array<{ node: Conversion }>).map((e) => e.node);

  beforeAll(async () => {
    handoff = await startTestHandoff({ attributionKeys: keys });
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    a = await shop('Brew Co', ['Espresso machine deluxe', 'Espresso beans', 'Tea kettle', 'Milk frother']);
    b = await shop('Grind Ltd', ['Espresso grinder']);
    agentId = (await admin.ok(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, {
      input: { name: 'shopper', builderName: `attr builder ${randomBytes(3).toString('hex')}` },
    })).registerAgent.id as string;
    agentKey = await apiKey({ role: 'AGENT', agentId });
    agent = admin.as(agentKey);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('recommend returns a signed token; attached to an ACP session it binds the payment, which converts with its commission; first and last touch recorded', async () => {
    const rec = await recommend(a.offerIds[0]!);
    expect(rec.attributionToken.startsWith(`aap://${ISSUER}/v1/`)).toBe(true);
    expect(readAttributionClaims(rec.attributionToken)).toMatchObject({
      recommendationId: rec.id, sessionId: rec.sessionId, offerId: a.offerIds[0], merchantId: a.merchantId, agentId, checkoutSessionId: null, amountMinor: 1000, currency: 'GBP',
    });
    // The token alone never pays: it names no checkout session.
    const cs = await acpSession(a, a.offerIds[0]!);
    // Another provider's token first (recorded, unverified), then Handoff's as the last touch.
    expect(await attach(cs.id, 'atp_01J8Z3WXYZ9ABC', 'FIRST', 'impact.com')).toMatchObject({ status: 'UNVERIFIED_PROVIDER', reason: null, bound: false });
    expect(await attach(cs.id, rec.attributionToken, 'LAST')).toEqual({
      touchpoint: 'LAST', provider: ISSUER, status: 'VERIFIED', reason: null, recommendationId: rec.id, bound: true, checkoutSession: { id: cs.id },
    });
    const before = await session(cs.id);
    expect(before.attribution).toMatchObject({
      recommendationId: rec.id, sessionId: rec.sessionId, offerId: a.offerIds[0], agentId,
      firstTouch: { touchpoint: 'FIRST', provider: 'impact.com', status: 'UNVERIFIED_PROVIDER' },
      lastTouch: { touchpoint: 'LAST', provider: ISSUER, status: 'VERIFIED', reason: null, recommendationId: rec.id },
    });
    expect(readAttributionClaims(before.attribution.aapCode)).toMatchObject({ checkoutSessionId: cs.id, recommendationId: rec.id });

    await pay(a, cs);
    let found: Conversion | undefined;
    await expect.poll(async () => {
      found = (await conversions(a.merchantId)).find((c) => c.paymentIntent?.id === cs.paymentIntentId);
      return found?.verification;
    }, { timeout: 30_000, interval: 250 }).toBe('verified');
    expect(found).toMatchObject({ recommendation: { id: rec.id }, commission: { amount: { amountMinor: 800 } } });
    const kinds = (await session(cs.id)).timeline.edges.map((e: { node: { kind: string } }) => e.node.kind);
    expect(kinds).toEqual(expect.arrayContaining(['checkout.attribution_flagged', 'checkout.attribution_verified']));

    // Replayed: the paid recommendation's token on a new session is refused, the purchase goes on.
    const again = await acpSession(a, a.offerIds[0]!);
    expect(await attach(again.id, rec.attributionToken, 'LAST')).toMatchObject({ status: 'INVALID', reason: 'AAP_REPLAYED', bound: false });
  });

  it('forged, expired and other-merchant codes never block the purchase: flagged, nothing bound, no conversion', async () => {
    const rec = await recommend(a.offerIds[1]!);
    const claims = readAttributionClaims(rec.attributionToken)!;
    const cs = await acpSession(a, a.offerIds[1]!);
    const sig = rec.attributionToken.lastIndexOf('.') + 5;
    const forged = rec.attributionToken.slice(0, sig) + (rec.attributionToken[sig] === 'A' ? 'B' : 'A') + rec.attributionToken.slice(sig + 1);
    const expired = signAttributionCode(signer, { ...claims, issuedAt: claims.issuedAt - 7200, expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const elsewhere = (await recommend(b.offerIds[0]!)).attributionToken;
    expect(await attach(cs.id, expired, 'FIRST')).toMatchObject({ status: 'INVALID', reason: 'AAP_EXPIRED', bound: false });
    expect(await attach(cs.id, elsewhere, 'LAST')).toMatchObject({ status: 'INVALID', reason: 'AAP_BINDING_MISMATCH', bound: false });
    expect(await attach(cs.id, forged, 'LAST')).toMatchObject({ status: 'INVALID', reason: 'AAP_SIGNATURE_INVALID', bound: false });
    expect(await attach(cs.id, 'not a code', 'LAST')).toMatchObject({ status: 'INVALID', reason: 'AAP_MALFORMED' });
    const read = await session(cs.id);
    expect(read.attribution).toMatchObject({
      aapCode: null, recommendationId: null,
      firstTouch: { status: 'INVALID', reason: 'AAP_EXPIRED' }, lastTouch: { status: 'INVALID', reason: 'AAP_MALFORMED' },
    });
    const flagged = read.timeline.edges.map((e: { node: { kind: string; data: { reason?: string } } }) => e.node).filter((n: { kind: string }) => n.kind === 'checkout.attribution_flagged');
    expect(flagged.map((n: { data: { reason?: string } }) => n.data.reason)).toEqual(['AAP_EXPIRED', 'AAP_BINDING_MISMATCH', 'AAP_SIGNATURE_INVALID', 'AAP_MALFORMED']);

    await pay(a, cs);
    // The payment succeeded and completed the session; nothing of it is a verified conversion.
    const mine = (await conversions(a.merchantId)).filter((c) => c.paymentIntent?.id === cs.paymentIntentId);
    expect(mine.filter((c) => c.verification === 'verified')).toEqual([]);
    expect(mine.every((c) => c.commission.amount.amountMinor === 0)).toBe(true);
    // The recommendation is still free: a valid attach on another session binds it.
    const other = await acpSession(a, a.offerIds[1]!);
    expect(await attach(other.id, rec.attributionToken, 'FIRST')).toMatchObject({ status: 'VERIFIED', bound: true });
  });

  it('one code attached to two sessions at once binds one; the other is AAP_REPLAYED', async () => {
    const rec = await recommend(a.offerIds[3]!);
    const [x, y] = [await acpSession(a, a.offerIds[3]!), await acpSession(a, a.offerIds[3]!)];
    const results = await Promise.all([attach(x.id, rec.attributionToken, 'LAST'), attach(y.id, rec.attributionToken, 'LAST')]);
    expect(results.map((r) => r.status).sort()).toEqual(['INVALID', 'VERIFIED']);
    expect(results.find((r) => r.status === 'INVALID')).toMatchObject({ reason: 'AAP_REPLAYED', bound: false });
    const bound = await Promise.all([session(x.id), session(y.id)]);
    expect(bound.filter((s) => s.attribution.recommendationId === rec.id)).toHaveLength(1);
    // Bad input is an error, not a verdict; another agent's session does not exist for the caller.
    expect(await agent.errorCode(ATTACH, { input: { checkoutSessionId: x.id, provider: '', token: rec.attributionToken } })).toBe('BAD_USER_INPUT');
    const otherAgent = admin.as(await apiKey({ role: 'AGENT', agentId: (await admin.ok(`mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`, {
      input: { name: 'other', builderName: `other builder ${randomBytes(3).toString('hex')}` } })).registerAgent.id }));
    expect(await otherAgent.errorCode(ATTACH, { input: { checkoutSessionId: x.id, provider: ISSUER, token: rec.attributionToken } })).toBe('CHECKOUT_SESSION_NOT_FOUND');
  });

  it('offer search ranks the relevant offers first and respects tenancy', async () => {
    const names = async (client: GqlClient, query: string) =>
      ((await client.ok(`query($q: String) { offers(query: $q, first: 50) { edges { node { name } } } }`, { q: query })).offers.edges as Array<{ node: { name: string } }>).map((e) => e.node.name);
    const forAgent = await names(agent, 'espresso machine');
    expect(forAgent[0]).toBe('Espresso machine deluxe');
    expect(forAgent).not.toContain('Tea kettle');
    expect(await names(agent, 'espresso')).toEqual(expect.arrayContaining(['Espresso machine deluxe', 'Espresso beans', 'Espresso grinder']));
    // The description is searched too, weighted below the name.
    await a.merchant.ok(`mutation($id: ID!) { updateOffer(id: $id, input: { description: "Steams milk for espresso drinks" }) { id } }`, { id: a.offerIds[3] });
    const described = await names(agent, 'espresso');
    expect(described).toContain('Milk frother');
    expect(described.indexOf('Milk frother')).toBeGreaterThan(described.indexOf('Espresso beans'));
    // A merchant sees its own; an agent no inactive offer.
    expect(await names(b.merchant, 'espresso')).toEqual(['Espresso grinder']);
    await admin.ok(`mutation($id: ID!) { updateOffer(id: $id, input: { active: false }) { id } }`, { id: b.offerIds[0] });
    expect(await names(agent, 'espresso')).not.toContain('Espresso grinder');
    await admin.ok(`mutation($id: ID!) { updateOffer(id: $id, input: { active: true }) { id } }`, { id: b.offerIds[0] });
    // REST, paged by relevance with keyset cursors: no repeats, nothing skipped.
    const first = await rest(agentKey, 'GET', '/v1/offers?query=espresso&first=2');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    const second = await rest(agentKey, 'GET', `/v1/offers?query=espresso&first=2&after=${first.body.nextCursor}`);
    const all = [...first.body.data, ...second.body.data].map((o: { name: string }) => o.name);
    expect(new Set(all).size).toBe(all.length);
    expect(first.body.totalCount).toBe(4);
    expect(all).toHaveLength(4);
    expect(second.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect((await rest(agentKey, 'GET', '/v1/offers?query=')).body).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('POST /v1/purchase: a checkout link as /v1/checkout, then paid autonomously with a delegated token; seed 000 failure table', async () => {
    const rec = await recommend(a.offerIds[2]!);
    const link = await rest(agentKey, 'POST', '/v1/purchase', { recommendationId: rec.id });
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ mode: 'checkout', status: 'awaiting_payment', amount: 10, currency: 'GBP', session: { id: rec.sessionId } });
    expect(link.body.checkoutUrl).toMatch(/^https?:\/\//);
    const viaCheckout = await rest(agentKey, 'POST', '/v1/checkout', { sessionId: rec.sessionId, recommendationId: rec.id });
    expect(viaCheckout.body.transactionId).toBe(link.body.transactionId);
    expect(await rest(agentKey, 'POST', '/v1/purchase', {})).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', error: 'recommendationId is required' } });
    expect(await rest(agentKey, 'POST', '/v1/purchase', { recommendationId: 'rec_nope' })).toMatchObject({ status: 404, body: { error: 'Recommendation not found' } });

    // Autonomous: a delegated token for that checkout (ACP delegate_payment), then the same purchase pays it once.
    const delegated = await fetch(`${handoff.gatewayUrl}/acp/${a.merchantId}/agentic_commerce/delegate_payment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json', 'api-version': '2026-04-17', 'idempotency-key': randomBytes(8).toString('hex') },
      body: JSON.stringify({
        payment_method: { type: 'card', card_number_type: 'fpan', virtual: false, number: '4242424242424242', exp_month: '11', exp_year: String(new Date().getUTCFullYear() + 2),
          name: 'Jane Doe', cvc: '223', checks_performed: ['cvv'], iin: '424242', display_card_funding_type: 'credit', display_brand: 'visa', display_last4: '4242', metadata: {} },
        allowance: { reason: 'one_time', max_amount: 1000, currency: 'gbp', checkout_session_id: link.body.transactionId, merchant_id: a.merchantId, expires_at: new Date(Date.now() + 3600_000).toISOString() },
        risk_signals: [{ type: 'card_testing', score: 1, action: 'authorized' }],
        metadata: {},
      }),
    });
    expect(delegated.status).toBe(201);
    const vt = ((await delegated.json()) as { id: string }).id;
    const paid = await rest(agentKey, 'POST', '/v1/purchase', { recommendationId: rec.id, delegated_payment_token: vt });
    expect(paid).toMatchObject({ status: 200, body: { mode: 'autonomous', status: 'succeeded', transactionId: link.body.transactionId, payment: { id: link.body.paymentId, status: 'succeeded' } } });
    await expect.poll(async () => (await conversions(a.merchantId)).find((c) => c.paymentIntent?.id === link.body.paymentId)?.verification, { timeout: 30_000, interval: 250 })
      .toBe('verified');
    // The token is spent: a second autonomous purchase is refused with the vault's code, nothing charged twice.
    expect(await rest(agentKey, 'POST', '/v1/purchase', { recommendationId: rec.id, delegated_payment_token: vt })).toMatchObject({ status: 409 });

    const short = await recommend(a.offerIds[2]!, 5);
    await expect.poll(async () => (await rest(agentKey, 'POST', '/v1/purchase', { recommendationId: short.id })).status, { timeout: 20_000, interval: 500 }).toBe(410);
  });
});
