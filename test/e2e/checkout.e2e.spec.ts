// Checkout through the gateway, as clients use it: an agent with only its key goes from
// startAgentSession to a checkout URL (GraphQL and seed 000's REST edge), every failure of seed
// 000's table comes back with its code and status, merchants create sessions (GraphQL and seed
// 002's REST edge), and nobody reads another tenant's sessions.
import { attributionPublicKeys, verifyAttributionCode } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { AgentSessionDocument, CheckoutDocument, RecommendDocument, StartAgentSessionDocument } from '../generated/graphql.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id name } }`;
const CONNECT = `mutation($id: ID!, $input: ConnectPaymentProcessorInput!) { connectPaymentProcessor(merchantId: $id, input: $input) { provider status } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const UPDATE_OFFER = `mutation($id: ID!, $input: UpdateOfferInput!) { updateOffer(id: $id, input: $input) { id active } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const START = `mutation($input: StartAgentSessionInput) { startAgentSession(input: $input) { id status expiresAt agent { id } } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id offer { id name } merchant { id name } session { id } } }`;
const CHECKOUT = `mutation($input: CheckoutInput!, $key: String) {
  checkout(input: $input, idempotencyKey: $key) {
    transactionId paymentId checkoutUrl status backend mode amount { amountMinor currency amount }
    merchant { id name } offer { id name provider } session { id status }
    checkoutSession { id status url attribution { aapCode recommendationId sessionId offerId merchantId agentId } }
  }
}`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!, $key: String) {
  createCheckoutSession(input: $input, idempotencyKey: $key) {
    id status url paymentIntentId version totals { total { amountMinor currency amount } } lineItems { name quantity total { amount } }
  }
}`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status merchant { id } } }`;
const SESSIONS = `query($status: CheckoutSessionStatus) { checkoutSessions(status: $status, first: 100) { totalCount edges { node { id status } } } }`;
const AGENT_SESSION = `query($id: ID!) { agentSession(id: $id) { id status recommendations { id } } }`;
const RECOMMENDATION = `query($id: ID!) { recommendation(id: $id) { id } }`;
const EXPIRE = `mutation($id: ID!, $v: Int) { expireCheckoutSession(id: $id, expectedVersion: $v) { id status version } }`;

const merchantInput = (name: string, defaultCurrency = 'GBP') => ({
  name,
  country: 'GB',
  defaultCurrency,
  commissionTerms: { type: 'PERCENTAGE', percentageBps: 1000 },
  conversionFlow: { type: 'instant_checkout' },
});
const line = (name: string, amountMinor: number, currency: string, quantity = 1) => ({ name, unitAmount: { amountMinor, currency }, quantity });

describe('checkout through the gateway', () => {
  let handoff: RunningHandoff;
  let anon: GqlClient;
  let admin: GqlClient;
  let agent: GqlClient;
  let otherAgent: GqlClient;
  let smartyKey: string;
  let merchant: GqlClient;
  let otherMerchant: GqlClient;
  let smarty: { id: string; name: string };
  let offerId: string;
  let noConnOfferId: string;
  let stripeOfferId: string;
  let retiringOfferId: string;
  let shortSession: { id: string; expiresAt: string };
  let shortRec: string;

  const rest = async (method: string, path: string, key: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${handoff.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const session = async (client = agent) => (await client.ok(START, { input: null })).startAgentSession.id as string;
  const recommend = async (sessionId: string, offer = offerId, client = agent) =>
    (await client.ok(RECOMMEND, { input: { sessionId, offerId: offer } })).recommend.id as string;

  beforeAll(async () => {
    handoff = await startTestHandoff();
    anon = new GqlClient(handoff.graphqlUrl);
    admin = anon.as(handoff.adminKey);
    smarty = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('SMARTY') })).createMerchant;
    await admin.ok(CONNECT, { id: smarty.id, input: { provider: 'TEST' } });
    const bare = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('No PSP Ltd') })).createMerchant;
    const striped = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Unreachable Stripe Ltd') })).createMerchant;
    await admin.ok(CONNECT, { id: striped.id, input: { provider: 'STRIPE', secretKey: 'sk_test_handoffE2eNotARealKey000000' } });
    const newOffer = (merchantId: string, name: string) =>
      admin.ok(CREATE_OFFER, { input: { merchantId, name, provider: 'SMARTY', price: { amountMinor: 1000, currency: 'GBP' } } }).then((r) => r.createOffer.id as string);
    offerId = await newOffer(smarty.id, '30GB Rolling Monthly');
    retiringOfferId = await newOffer(smarty.id, 'Retiring plan');
    noConnOfferId = await newOffer(bare.id, 'Unpayable plan');
    stripeOfferId = await newOffer(striped.id, 'Stripe plan');
    const agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Shopper', builderName: 'Acme Agents' } })).registerAgent.id;
    const otherAgentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Other' } })).registerAgent.id;
    agent = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    otherAgent = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId: otherAgentId } })).createApiKey.key);
    smartyKey = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: smarty.id } })).createApiKey.key;
    merchant = anon.as(smartyKey);
    otherMerchant = anon.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: bare.id } })).createApiKey.key);
    // Expires while the other tests run.
    shortSession = (await agent.ok(START, { input: { ttlSeconds: 5 } })).startAgentSession;
    shortRec = await recommend(shortSession.id);
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('takes an agent with only its key from startAgentSession to a checkout URL with a signed attribution', async () => {
    const started = (await agent.ok(StartAgentSessionDocument, { input: { query: 'cheap 30GB SIM' } })).startAgentSession;
    expect(started).toMatchObject({ status: 'ACTIVE', query: 'cheap 30GB SIM', version: 1, recommendations: [] });
    const rec = (await agent.ok(RecommendDocument, { input: { sessionId: started.id, offerId } })).recommend;
    expect(rec).toMatchObject({ offer: { id: offerId, name: '30GB Rolling Monthly' }, merchant: { id: smarty.id, name: 'SMARTY' }, session: { id: started.id } });
    const out = (await agent.ok(CheckoutDocument, { input: { sessionId: started.id, recommendationId: rec.id, userDetails: {} } })).checkout;
    expect(out).toMatchObject({
      status: 'awaiting_payment',
      backend: 'orchestrated',
      mode: 'checkout',
      amount: { amountMinor: 1000, currency: 'GBP', amount: '10.00' },
      merchant: { id: smarty.id, name: 'SMARTY' },
      offer: { id: offerId, name: '30GB Rolling Monthly', provider: 'SMARTY' },
      session: { id: started.id, status: 'CHECKOUT' },
    });
    expect(out.paymentId).toBeTruthy();
    expect(out.checkoutUrl).toBe(out.checkoutSession.url);
    expect(out.checkoutUrl.startsWith(`${handoff.env.PUBLIC_BASE_URL}/checkout/${out.transactionId}?cs=`)).toBe(true);
    expect(out.checkoutSession).toMatchObject({ status: 'OPEN', mode: 'PAYMENT', paymentIntentId: out.paymentId, paymentMismatch: null, metadata: {} });
    expect(out.checkoutSession.lineItems).toEqual([
      { name: '30GB Rolling Monthly', quantity: 1, unitAmount: out.amount, total: out.amount, offer: { id: offerId } },
    ]);
    const a = out.checkoutSession.attribution!;
    expect(a).toMatchObject({ recommendationId: rec.id, sessionId: started.id, offerId, merchantId: smarty.id });
    const keys = attributionPublicKeys(JSON.parse(handoff.env.AAP_PUBLIC_KEYS!));
    const verified = verifyAttributionCode(a.aapCode, { publicKeys: keys });
    expect(verified.ok && verified.claims).toMatchObject({ recommendationId: rec.id, agentId: a.agentId, amountMinor: 1000, currency: 'GBP' });
    const after = (await agent.ok(AgentSessionDocument, { id: started.id })).agentSession;
    expect(after).toMatchObject({ status: 'CHECKOUT', version: 2, recommendations: [{ id: rec.id }] });
  });

  describe("seed 000's failure table, through POST /v1/checkout", () => {
    it('400 when identifiers are missing', async () => {
      for (const body of [{}, { sessionId: 'x' }, { recommendationId: 'y' }]) {
        const res = await rest('POST', '/v1/checkout', agent.key, body);
        expect(res).toEqual({ status: 400, body: { error: 'sessionId and recommendationId are required', code: 'BAD_USER_INPUT' } });
      }
      expect(await agent.errorCode(CHECKOUT, { input: { recommendationId: 'rec_x' } })).toBe('BAD_USER_INPUT');
    });

    it('404 for an unknown session, or another agent\'s', async () => {
      const sid = await session();
      const rid = await recommend(sid);
      expect(await rest('POST', '/v1/checkout', agent.key, { sessionId: 'ags_unknown', recommendationId: rid })).toEqual({
        status: 404,
        body: { error: 'Session not found', code: 'SESSION_NOT_FOUND' },
      });
      expect((await rest('POST', '/v1/checkout', otherAgent.key, { sessionId: sid, recommendationId: rid })).status).toBe(404);
      expect(await otherAgent.errorCode(CHECKOUT, { input: { sessionId: sid, recommendationId: rid } })).toBe('SESSION_NOT_FOUND');
    });

    it('404 for an unknown recommendation, or one from another session', async () => {
      const sid = await session();
      const otherRec = await recommend(await session());
      for (const recommendationId of ['rec_unknown', otherRec]) {
        expect(await rest('POST', '/v1/checkout', agent.key, { sessionId: sid, recommendationId })).toEqual({
          status: 404,
          body: { error: 'Recommendation not found', code: 'RECOMMENDATION_NOT_FOUND' },
        });
      }
    });

    it('410 once the recommendation window has passed', async () => {
      const wait = Date.parse(shortSession.expiresAt) - Date.now() + 200;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      expect(await rest('POST', '/v1/checkout', agent.key, { sessionId: shortSession.id, recommendationId: shortRec })).toEqual({
        status: 410,
        body: { error: 'Session expired', code: 'SESSION_EXPIRED' },
      });
      expect(await agent.errorCode(RECOMMEND, { input: { sessionId: shortSession.id, offerId } })).toBe('SESSION_EXPIRED');
      expect((await agent.ok(AGENT_SESSION, { id: shortSession.id })).agentSession.status).toBe('EXPIRED');
    });

    it('503 when the merchant has no connected payment processor', async () => {
      const sid = await session();
      const rid = await recommend(sid, noConnOfferId);
      expect(await rest('POST', '/v1/checkout', agent.key, { sessionId: sid, recommendationId: rid })).toEqual({
        status: 503,
        body: { error: 'Merchant has no connected payment processor', code: 'MERCHANT_NO_PAYMENT_CONNECTOR' },
      });
    });

    it('502 when the payment processor cannot create the payment', async () => {
      const sid = await session();
      const rid = await recommend(sid, stripeOfferId);
      expect(await rest('POST', '/v1/checkout', agent.key, { sessionId: sid, recommendationId: rid })).toEqual({
        status: 502,
        body: { error: 'Could not create checkout', code: 'CHECKOUT_CREATE_FAILED' },
      });
      expect((await agent.ok(AGENT_SESSION, { id: sid })).agentSession.status).toBe('ACTIVE');
    });

    it('answers 200 in seed 000\'s shape, with amount in major units', async () => {
      const sid = await session();
      const rid = await recommend(sid);
      const res = await rest('POST', '/v1/checkout', agent.key, { sessionId: sid, recommendationId: rid, userDetails: {} });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'awaiting_payment',
        backend: 'orchestrated',
        mode: 'checkout',
        amount: 10,
        currency: 'GBP',
        merchant: { id: smarty.id, name: 'SMARTY' },
        offer: { id: offerId, name: '30GB Rolling Monthly', provider: 'SMARTY' },
        session: { id: sid, status: 'checkout' },
      });
      expect(Object.keys(res.body).sort()).toEqual(
        ['amount', 'backend', 'checkoutUrl', 'currency', 'merchant', 'mode', 'offer', 'paymentId', 'session', 'status', 'transactionId'],
      );
      expect((await rest('POST', '/v1/checkout', undefined, { sessionId: sid, recommendationId: rid })).status).toBe(401);
    });
  });

  it('refuses a recommendation of an inactive offer, and a checkout of an offer retired since', async () => {
    const sid = await session();
    const rid = await recommend(sid, retiringOfferId);
    await admin.ok(UPDATE_OFFER, { id: retiringOfferId, input: { active: false } });
    expect(await agent.errorCode(RECOMMEND, { input: { sessionId: sid, offerId: retiringOfferId } })).toBe('OFFER_NOT_FOUND');
    expect(await agent.errorCode(CHECKOUT, { input: { sessionId: sid, recommendationId: rid } })).toBe('OFFER_NOT_FOUND');
  });

  it('is idempotent with a key: the same result and one payment; other input → IDEMPOTENCY_KEY_REUSED', async () => {
    const sid = await session();
    const rid = await recommend(sid);
    const key = `checkout-${sid}`;
    const results = await Promise.all(Array.from({ length: 4 }, () => agent.ok(CHECKOUT, { input: { sessionId: sid, recommendationId: rid }, key })));
    expect(new Set(results.map((r) => r.checkout.transactionId)).size).toBe(1);
    expect(new Set(results.map((r) => r.checkout.paymentId)).size).toBe(1);
    const viaHeader = await rest('POST', '/v1/checkout', agent.key, { sessionId: sid, recommendationId: rid }, { 'idempotency-key': key });
    expect(viaHeader.body.transactionId).toBe(results[0].checkout.transactionId);
    const mine = (await agent.ok(SESSIONS, {})).checkoutSessions.edges.filter((e: any) => e.node.id === results[0].checkout.transactionId);
    expect(mine).toHaveLength(1);
    const other = await recommend(sid);
    expect(await agent.errorCode(CHECKOUT, { input: { sessionId: sid, recommendationId: other }, key })).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  describe('merchant checkout sessions', () => {
    it('create one per currency exponent: XOF and JPY without decimals, KWD with three', async () => {
      for (const [currency, minor, amount] of [['XOF', 50000, '50000'], ['JPY', 1200, '1200'], ['KWD', 1500, '1.500']] as const) {
        const cs = (await merchant.ok(CREATE_SESSION, { input: { lineItems: [line('Plan', minor, currency)] } })).createCheckoutSession;
        expect(cs).toMatchObject({ status: 'OPEN', totals: { total: { amountMinor: minor, currency, amount } } });
        expect(cs.paymentIntentId).toBeTruthy();
        expect(cs.url.startsWith(`${handoff.env.PUBLIC_BASE_URL}/checkout/${cs.id}?cs=`)).toBe(true);
      }
    });

    it('totals several lines and accepts unicode names', async () => {
      const cs = (
        await merchant.ok(CREATE_SESSION, { input: { lineItems: [line('Café ☕ 東京 🚀', 250, 'GBP', 3), line('Ωmega', 1, 'GBP', 999)] } })
      ).createCheckoutSession;
      expect(cs.totals.total).toEqual({ amountMinor: 1749, currency: 'GBP', amount: '17.49' });
      expect(cs.lineItems[0]).toEqual({ name: 'Café ☕ 東京 🚀', quantity: 3, total: { amount: '7.50' } });
    });

    it.each([
      ['mixed currencies', { lineItems: [line('A', 100, 'GBP'), line('B', 100, 'EUR')] }],
      ['quantity 0', { lineItems: [line('A', 100, 'GBP', 0)] }],
      ['quantity 1000', { lineItems: [line('A', 100, 'GBP', 1000)] }],
      ['a huge name', { lineItems: [line('x'.repeat(10_000), 100, 'GBP')] }],
      ['no line items', { lineItems: [] }],
      ['a zero amount', { lineItems: [line('A', 0, 'GBP')] }],
      ['an amount too large for the currency', { lineItems: [line('A', 10 ** 10, 'GBP')] }],
      ['an unknown currency', { lineItems: [line('A', 100, 'ZZZ')] }],
      ['an http success URL', { lineItems: [line('A', 100, 'GBP')], successUrl: 'http://shop.example/ok' }],
      ['expiry under 30 minutes', { lineItems: [line('A', 100, 'GBP')], expiresInSeconds: 60 }],
      ['expiry over 24 hours', { lineItems: [line('A', 100, 'GBP')], expiresInSeconds: 86_401 }],
      ['51 metadata keys', { lineItems: [line('A', 100, 'GBP')], metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }],
      ['a reserved aap_ metadata key', { lineItems: [line('A', 100, 'GBP')], metadata: { aap_code: 'forged' } }],
    ])('refuses %s with BAD_USER_INPUT', async (_name, input) => {
      expect(await merchant.errorCode(CREATE_SESSION, { input })).toBe('BAD_USER_INPUT');
    });

    it('allows http success URLs on localhost and {CHECKOUT_SESSION_ID}', async () => {
      const cs = (
        await merchant.ok(CREATE_SESSION, {
          input: { lineItems: [line('A', 100, 'GBP')], successUrl: 'http://localhost:3000/ok?id={CHECKOUT_SESSION_ID}', expiresInSeconds: 1800 },
        })
      ).createCheckoutSession;
      expect(cs.status).toBe('OPEN');
    });

    it('expires a session with the expected version, once', async () => {
      const cs = (await merchant.ok(CREATE_SESSION, { input: { lineItems: [line('A', 100, 'GBP')] } })).createCheckoutSession;
      expect(await merchant.errorCode(EXPIRE, { id: cs.id, v: cs.version + 1 })).toBe('VERSION_CONFLICT');
      const expired = (await merchant.ok(EXPIRE, { id: cs.id, v: cs.version })).expireCheckoutSession;
      expect(expired).toMatchObject({ status: 'EXPIRED', version: cs.version + 1 });
      expect(await merchant.errorCode(EXPIRE, { id: cs.id })).toBe('INVALID_STATE_TRANSITION');
      const expiredList = (await merchant.ok(SESSIONS, { status: 'EXPIRED' })).checkoutSessions.edges.map((e: any) => e.node.id);
      expect(expiredList).toContain(cs.id);
    });

    it('keeps tenants apart by id, by list, and for agents', async () => {
      const cs = (await merchant.ok(CREATE_SESSION, { input: { lineItems: [line('Private', 100, 'GBP')] } })).createCheckoutSession;
      expect((await merchant.ok(SESSION, { id: cs.id })).checkoutSession.id).toBe(cs.id);
      expect((await otherMerchant.ok(SESSION, { id: cs.id })).checkoutSession).toBeNull();
      expect((await agent.ok(SESSION, { id: cs.id })).checkoutSession).toBeNull();
      expect((await otherMerchant.ok(SESSIONS, {})).checkoutSessions.totalCount).toBe(0);
      expect((await otherMerchant.request(EXPIRE, { id: cs.id })).errors?.[0]?.extensions?.code).toBe('CHECKOUT_SESSION_NOT_FOUND');
      const agentSessions = (await agent.ok(SESSIONS, {})).checkoutSessions.edges.map((e: any) => e.node.id);
      expect(agentSessions).not.toContain(cs.id);
      expect((await admin.ok(SESSION, { id: cs.id })).checkoutSession.id).toBe(cs.id);
      // Agent sessions and recommendations: their own agent only.
      const sid = await session();
      const rid = await recommend(sid);
      expect((await otherAgent.ok(AGENT_SESSION, { id: sid })).agentSession).toBeNull();
      expect((await otherAgent.ok(RECOMMENDATION, { id: rid })).recommendation).toBeNull();
      expect((await otherMerchant.ok(RECOMMENDATION, { id: rid })).recommendation).toBeNull();
      expect((await merchant.ok(RECOMMENDATION, { id: rid })).recommendation.id).toBe(rid);
      expect(await merchant.errorCode(START, { input: null })).toBe('FORBIDDEN');
      expect(await agent.errorCode(CREATE_SESSION, { input: { lineItems: [line('A', 100, 'GBP')] } })).toBe('FORBIDDEN');
    });
  });

  describe("seed 002's REST edges", () => {
    it('POST /api/v1/checkout/sessions with the example request, then GET it', async () => {
      const created = await rest('POST', '/api/v1/checkout/sessions', smartyKey, {
        line_items: [{ name: 'Premium Plan', amount: 50000, currency: 'XOF', quantity: 1 }],
        mode: 'payment',
        success_url: 'https://yoursite.com/success?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://yoursite.com/cancel',
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ status: 'open', mode: 'payment', currency: 'XOF', amount_total: 50000 });
      expect(created.body.id).toMatch(/^cs_/);
      expect(created.body.payment_intent).toBeTruthy();
      expect(created.body.url.startsWith(`${handoff.env.PUBLIC_BASE_URL}/checkout/${created.body.id}?cs=`)).toBe(true);
      expect(created.body.expires_at).toBeGreaterThan(Date.now() / 1000 + 86_000);
      const got = await rest('GET', `/api/v1/checkout/sessions/${created.body.id}`, smartyKey);
      expect(got).toEqual({ status: 200, body: created.body });
      expect((await rest('GET', `/api/v1/checkout/sessions/${created.body.id}`, otherMerchant.key)).status).toBe(404);
      expect((await rest('GET', '/api/v1/checkout/sessions/cs_unknown', smartyKey)).status).toBe(404);
    });

    it('answers 400 for bad input and 401 without a key', async () => {
      const bad = await rest('POST', '/api/v1/checkout/sessions', smartyKey, { line_items: [{ name: 'A', amount: 100, currency: 'GBP', quantity: 0 }], mode: 'payment' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('BAD_USER_INPUT');
      expect((await rest('POST', '/api/v1/checkout/sessions', smartyKey, { line_items: [], mode: 'nope' })).status).toBe(400);
      expect((await rest('POST', '/api/v1/checkout/sessions', undefined, { line_items: [] })).status).toBe(401);
      expect((await rest('POST', '/api/v1/checkout/sessions', otherMerchant.key, { line_items: [{ name: 'A', amount: 100, currency: 'GBP' }] })).status).toBe(503);
    });
  });
});
