// Checkout's rules through the gateway, beyond the happy path: agent session lists, idempotency
// under real concurrency, versions on every change, expiry bounds, Stripe's metadata limits end
// to end (through the real payment-intent subgraph and sandbox PSP), a payment for the wrong
// amount flagged instead of completing, tenancy through nested fields and entity references,
// and the REST edges' error shapes.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { signedCaller } from '../support/signed-call.js';
import {
  AgentSessionsDocument,
  CheckoutDocument,
  CheckoutSessionDocument,
  CreateCheckoutSessionDocument,
  ExpireCheckoutSessionDocument,
  RecommendDocument,
  RecommendationDocument,
  StartAgentSessionDocument,
  type CreateCheckoutSessionInput,
} from '../generated/graphql.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { status } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const REGISTER_AGENT = `mutation($name: String!) { registerAgent(input: { name: $name }) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { id metadata checkoutSession { id attribution { agentId } } } }`;
const REC_SESSION = `query($id: ID!) { recommendation(id: $id) { id session { id recommendations { id } } } }`;
const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on CheckoutSession { id } ... on AgentSession { id } ... on Recommendation { id } } }`;

const merchantInput = (name: string) => ({
  name,
  country: 'GB',
  defaultCurrency: 'GBP',
  commissionTerms: { type: 'PERCENTAGE', percentageBps: 1000 },
  conversionFlow: { type: 'instant_checkout' },
});
const line = (name: string, amountMinor = 1000, currency = 'GBP') => ({ name, unitAmount: { amountMinor, currency }, quantity: 1 });
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key_${i}`, `value ${i}`]));

describe('checkout rules through the gateway', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let agent: GqlClient;
  let otherAgent: GqlClient;
  let merchant: GqlClient;
  let otherMerchant: GqlClient;
  let merchantId: string;
  let offerId: string;
  let otherOfferId: string;

  const sessionAndRec = async (offer = offerId, client = agent) => {
    const sessionId = (await client.ok(StartAgentSessionDocument, {})).startAgentSession.id;
    const recommendationId = (await client.ok(RecommendDocument, { input: { sessionId, offerId: offer } })).recommend.id;
    return { sessionId, recommendationId };
  };
  const create = (input: CreateCheckoutSessionInput, client = merchant) => client.ok(CreateCheckoutSessionDocument, { input }).then((r) => r.createCheckoutSession);
  const read = async (id: string, client = merchant) => (await client.ok(CheckoutSessionDocument, { id })).checkoutSession!;
  const rest = async (method: string, path: string, key: string | undefined, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${handoff.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const db = (name: string) => handoff.subgraphs.find((s) => s.name === name)!.app.dataSource;

  beforeAll(async () => {
    handoff = await startTestHandoff();
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    merchantId = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Rules Ltd') })).createMerchant.id;
    const otherMerchantId = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Other Ltd') })).createMerchant.id;
    for (const id of [merchantId, otherMerchantId]) await admin.ok(CONNECT, { id });
    const offer = (m: string, name: string) => admin.ok(CREATE_OFFER, { input: { merchantId: m, name, price: { amountMinor: 1000, currency: 'GBP' } } });
    offerId = (await offer(merchantId, 'Plan')).createOffer.id;
    otherOfferId = (await offer(otherMerchantId, 'Other plan')).createOffer.id;
    const key = async (input: Record<string, string>) => admin.as((await admin.ok(CREATE_KEY, { input })).createApiKey.key);
    agent = await key({ role: 'AGENT', agentId: (await admin.ok(REGISTER_AGENT, { name: 'A' })).registerAgent.id });
    otherAgent = await key({ role: 'AGENT', agentId: (await admin.ok(REGISTER_AGENT, { name: 'B' })).registerAgent.id });
    merchant = await key({ role: 'MERCHANT', merchantId });
    otherMerchant = await key({ role: 'MERCHANT', merchantId: otherMerchantId });
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('lists agent sessions: an agent its own, admin all, by status; a merchant may not', async () => {
    const { sessionId } = await sessionAndRec();
    const theirs = (await otherAgent.ok(StartAgentSessionDocument, {})).startAgentSession.id;
    const mine = (await agent.ok(AgentSessionsDocument, { first: 100 })).agentSessions;
    expect(mine.edges.map((e) => e.node.id)).toContain(sessionId);
    expect(mine.edges.map((e) => e.node.id)).not.toContain(theirs);
    expect(mine.edges.find((e) => e.node.id === sessionId)!.node.recommendations).toHaveLength(1);
    expect((await agent.ok(AgentSessionsDocument, { status: 'CHECKOUT' })).agentSessions.edges.map((e) => e.node.id)).not.toContain(sessionId);
    const all = (await admin.ok(AgentSessionsDocument, { first: 100 })).agentSessions.edges.map((e) => e.node.id);
    expect(all).toEqual(expect.arrayContaining([sessionId, theirs]));
    expect(await merchant.errorCode(AgentSessionsDocument, {})).toBe('FORBIDDEN');
  });

  it('opens agent sessions for 30 minutes by default, ttlSeconds 5 to 86400; refuses checkout once the merchant is suspended', async () => {
    const before = Date.now();
    const started = (await agent.ok(StartAgentSessionDocument, {})).startAgentSession;
    expect(Math.abs(Date.parse(started.expiresAt) - before - 1800_000)).toBeLessThan(5_000);
    for (const ttlSeconds of [4, 86_401]) expect(await agent.errorCode(StartAgentSessionDocument, { input: { ttlSeconds } })).toBe('BAD_USER_INPUT');
    expect((await agent.ok(StartAgentSessionDocument, { input: { ttlSeconds: 86_400 } })).startAgentSession.status).toBe('ACTIVE');
    const suspendedId = (await admin.ok(CREATE_MERCHANT, { input: merchantInput('Soon Suspended Ltd') })).createMerchant.id;
    await admin.ok(CONNECT, { id: suspendedId });
    const offer = (await admin.ok(CREATE_OFFER, { input: { merchantId: suspendedId, name: 'Gone', price: { amountMinor: 500, currency: 'GBP' } } })).createOffer.id;
    const { sessionId, recommendationId } = await sessionAndRec(offer);
    await admin.ok(`mutation($id: ID!) { updateMerchant(id: $id, input: { status: SUSPENDED }) { id } }`, { id: suspendedId });
    expect(await agent.errorCode(CheckoutDocument, { input: { sessionId, recommendationId } })).toBe('MERCHANT_NOT_FOUND');
    expect(await rest('POST', '/v1/checkout', agent.key, { sessionId, recommendationId })).toMatchObject({ status: 404, body: { code: 'MERCHANT_NOT_FOUND' } });
  });

  it('20 concurrent identical checkouts with one key: one checkout session, one payment intent', async () => {
    const { sessionId, recommendationId } = await sessionAndRec();
    const idempotencyKey = `burst-${sessionId}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => agent.request(CheckoutDocument, { input: { sessionId, recommendationId }, idempotencyKey })),
    );
    expect(results.map((r) => r.errors)).toEqual(Array(20).fill(undefined));
    const transactionIds = new Set(results.map((r) => r.data!.checkout.transactionId));
    expect(transactionIds.size).toBe(1);
    expect(new Set(results.map((r) => r.data!.checkout.paymentId)).size).toBe(1);
    const [csId] = [...transactionIds];
    const sessions = await db('checkout-session').query(`SELECT id FROM checkout.checkout_sessions WHERE agent_session_id = $1`, [sessionId]);
    expect(sessions).toEqual([{ id: csId }]);
    const intents = await db('payment-intent').query(`SELECT id FROM payment.payment_intents WHERE checkout_session_id = $1`, [csId]);
    expect(intents).toEqual([{ id: results[0]!.data!.checkout.paymentId }]);
  });

  it('bumps the version on every change and refuses a stale expectedVersion', async () => {
    const cs = await create({ lineItems: [line('Versioned')] });
    expect(cs.version).toBe(2); // created (1), its payment intent recorded (2)
    const expired = (await merchant.ok(ExpireCheckoutSessionDocument, { id: cs.id, expectedVersion: cs.version })).expireCheckoutSession;
    expect(expired).toMatchObject({ status: 'EXPIRED', version: 3 });
    expect(await merchant.errorCode(ExpireCheckoutSessionDocument, { id: cs.id, expectedVersion: cs.version })).toBe('VERSION_CONFLICT');
    // Paying an agent checkout: recorded intent (2), committed to paying at confirmation (3, issue 18's payment
    // binding), complete (4); the agent session CHECKOUT (2) → CONVERTED (3).
    const { sessionId, recommendationId } = await sessionAndRec();
    const out = (await agent.ok(CheckoutDocument, { input: { sessionId, recommendationId } })).checkout;
    expect(out.checkoutSession.version).toBe(2);
    expect((await merchant.ok(CONFIRM, { id: out.paymentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await read(out.transactionId)).status, { timeout: 15_000 }).toBe('COMPLETE');
    expect((await read(out.transactionId)).version).toBe(4);
    expect((await agent.ok(AgentSessionsDocument, { status: 'CONVERTED' })).agentSessions.edges.find((e) => e.node.id === sessionId)?.node.version).toBe(3);
    expect(await agent.errorCode(ExpireCheckoutSessionDocument, { id: out.transactionId, expectedVersion: 3 })).toBe('VERSION_CONFLICT');
    expect(await agent.errorCode(ExpireCheckoutSessionDocument, { id: out.transactionId })).toBe('INVALID_STATE_TRANSITION');
  });

  it('takes expiresInSeconds from 30 minutes to 24 hours, default 24 hours', async () => {
    for (const expiresInSeconds of [1799, 86_401, 0, -1800]) {
      expect(await merchant.errorCode(CreateCheckoutSessionDocument, { input: { lineItems: [line('E')], expiresInSeconds } })).toBe('BAD_USER_INPUT');
    }
    for (const [expiresInSeconds, seconds] of [[1800, 1800], [86_400, 86_400], [null, 86_400]] as const) {
      const before = Date.now();
      const cs = await create({ lineItems: [line('E')], expiresInSeconds });
      const lead = Date.parse(cs.expiresAt) - before;
      expect(lead).toBeGreaterThan(seconds * 1000 - 5_000);
      expect(lead).toBeLessThanOrEqual(seconds * 1000 + 5_000);
    }
  });

  it("accepts Stripe's 50 metadata keys end to end, through the sandbox PSP; refuses 51 and oversized pairs", async () => {
    const cs = await create({ lineItems: [line('Meta')], metadata: keys(50) });
    expect(cs.status).toBe('OPEN');
    expect(cs.metadata).toEqual(keys(50));
    expect(cs.paymentIntentId).toBeTruthy();
    const intent = (await merchant.ok(INTENT, { id: cs.paymentIntentId })).paymentIntent;
    expect(Object.keys(intent.metadata)).toHaveLength(50);
    expect(intent.metadata).toEqual(keys(50));
    const roomy = await create({ lineItems: [line('Meta')], metadata: keys(49) });
    expect((await merchant.ok(INTENT, { id: roomy.paymentIntentId })).paymentIntent.metadata).toEqual({ ...keys(49), handoff_checkout_session_id: roomy.id });
    const viaRest = await rest('POST', '/api/v1/checkout/sessions', merchant.key, { line_items: [{ name: 'R', amount: 100, currency: 'GBP' }], metadata: keys(50) });
    expect(viaRest.status).toBe(200);
    expect(viaRest.body.payment_intent).toBeTruthy();
    for (const metadata of [keys(51), { ['k'.repeat(41)]: 'v' }, { k: 'v'.repeat(501) }, { aap_agent_id: 'forged' }]) {
      expect(await merchant.errorCode(CreateCheckoutSessionDocument, { input: { lineItems: [line('Meta')], metadata } })).toBe('BAD_USER_INPUT');
    }
  });

  it('flags a payment for another amount instead of completing the session; the right payment completes it', async () => {
    const cs = await create({ lineItems: [line('Flagged', 2500)] });
    const queue = new Queue('checkout-payment-events', { connection: { url: handoff.env.REDIS_URL }, prefix: handoff.env.QUEUE_PREFIX });
    try {
      const payload = { paymentIntent: { id: cs.paymentIntentId, status: 'SUCCEEDED', checkoutSessionId: cs.id, amountMinor: 1, currency: 'GBP' }, occurredAt: new Date().toISOString() };
      const job = { outboxId: '0', schema: 'payment', topic: 'payment_intent.succeeded', aggregateId: cs.paymentIntentId, payload, createdAt: new Date().toISOString() };
      await queue.add('payment_intent.succeeded', job, { jobId: `mismatch-${cs.id}` });
    } finally {
      await queue.close();
    }
    await expect.poll(async () => (await read(cs.id)).paymentMismatch, { timeout: 15_000 }).toMatchObject({
      paymentIntentId: cs.paymentIntentId,
      expected: { amountMinor: 2500, currency: 'GBP' },
      receivedAmountMinor: 1,
      receivedCurrency: 'GBP',
    });
    expect((await read(cs.id)).status).toBe('OPEN');
    expect((await otherMerchant.ok(CheckoutSessionDocument, { id: cs.id })).checkoutSession).toBeNull();
    expect((await merchant.ok(CONFIRM, { id: cs.paymentIntentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    await expect.poll(async () => (await read(cs.id)).status, { timeout: 15_000 }).toBe('COMPLETE');
  });

  describe('tenancy through nested fields and entity references', () => {
    it("never shows another tenant's session through a payment intent or a recommendation", async () => {
      const { sessionId, recommendationId } = await sessionAndRec();
      const otherRec = (await agent.ok(RecommendDocument, { input: { sessionId, offerId: otherOfferId } })).recommend.id;
      const out = (await agent.ok(CheckoutDocument, { input: { sessionId, recommendationId } })).checkout;
      const owned = (await merchant.ok(INTENT, { id: out.paymentId })).paymentIntent;
      expect(owned.checkoutSession).toMatchObject({ id: out.transactionId, attribution: { agentId: out.checkoutSession.attribution!.agentId } });
      for (const client of [otherMerchant, otherAgent]) expect((await client.ok(INTENT, { id: out.paymentId })).paymentIntent).toBeNull();
      // Each merchant reaches the shared agent session only through its own recommendation, and sees only its own in it.
      expect((await merchant.ok(REC_SESSION, { id: recommendationId })).recommendation.session).toEqual({ id: sessionId, recommendations: [{ id: recommendationId }] });
      expect((await otherMerchant.ok(REC_SESSION, { id: otherRec })).recommendation.session).toEqual({ id: sessionId, recommendations: [{ id: otherRec }] });
      expect((await otherMerchant.ok(REC_SESSION, { id: recommendationId })).recommendation).toBeNull();
      expect((await otherAgent.ok(RecommendationDocument, { id: recommendationId })).recommendation).toBeNull();
      expect((await otherAgent.ok(CheckoutSessionDocument, { id: out.transactionId })).checkoutSession).toBeNull();
    });

    it('resolves CheckoutSession, AgentSession and Recommendation references for their owners only', async () => {
      const { sessionId, recommendationId } = await sessionAndRec();
      const out = (await agent.ok(CheckoutDocument, { input: { sessionId, recommendationId } })).checkout;
      const sub = handoff.subgraphs.find((s) => s.name === 'checkout-session')!;
      const call = signedCaller(sub.url.replace(/\/graphql$/, ''), handoff.env.HANDOFF_INTERNAL_SECRET!);
      const representations = [
        { __typename: 'CheckoutSession', id: out.transactionId },
        { __typename: 'AgentSession', id: sessionId },
        { __typename: 'Recommendation', id: recommendationId },
      ];
      const agentId = out.checkoutSession.attribution!.agentId!;
      const owner = await call({ kind: 'AGENT', keyId: 'k', agentId }, ENTITIES, { representations });
      expect(owner.data?._entities).toEqual([{ id: out.transactionId }, { id: sessionId }, { id: recommendationId }]);
      const seller = await call({ kind: 'MERCHANT', keyId: 'k', merchantId }, ENTITIES, { representations });
      expect(seller.data?._entities).toEqual([{ id: out.transactionId }, { id: sessionId }, { id: recommendationId }]);
      const others = [
        { kind: 'AGENT' as const, keyId: 'k', agentId: 'agt_someone_else' },
        { kind: 'MERCHANT' as const, keyId: 'k', merchantId: 'mer_someone_else' },
        { kind: 'CLIENT' as const, checkoutSessionId: 'cs_someone_else' },
      ];
      for (const principal of others) {
        const res = await call(principal, ENTITIES, { representations });
        expect(res.errors).toBeUndefined();
        expect(res.data?._entities).toEqual([null, null, null]);
      }
    });
  });

  describe("the REST edges' error shapes", () => {
    it('answers malformed, oversized and mistyped bodies with { error, code }, never a 500', async () => {
      for (const path of ['/v1/checkout', '/api/v1/checkout/sessions']) {
        expect(await rest('POST', path, merchant.key, '{"line_items":')).toEqual({ status: 400, body: { error: 'The body must be valid JSON.', code: 'BAD_USER_INPUT' } });
        expect((await rest('POST', path, merchant.key, JSON.stringify({ pad: 'x'.repeat(70_000) }))).body).toEqual({ error: 'The body must be at most 64kb.', code: 'BAD_REQUEST' });
      }
      // Missing identifiers answer seed 000's own words; a mistyped one names its field (issue 16, item 9).
      expect(await rest('POST', '/v1/checkout', agent.key, {})).toEqual({
        status: 400,
        body: { error: 'sessionId and recommendationId are required', code: 'BAD_USER_INPUT' },
      });
      expect(await rest('POST', '/v1/checkout', agent.key, { sessionId: 5, recommendationId: 6 })).toEqual({
        status: 400,
        body: { error: 'sessionId: must be a string, not a number.', code: 'BAD_USER_INPUT', field: 'sessionId' },
      });
      for (const l of [{ name: 'A', amount: 'ten', currency: 'GBP' }, { name: 'A', amount: 100, currency: 'GBP', quantity: 'x' }, { amount: 100, currency: 'GBP' }]) {
        const res = await rest('POST', '/api/v1/checkout/sessions', merchant.key, { line_items: [l] });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'BAD_USER_INPUT', error: expect.any(String) });
      }
    });

    it('answers each refusal with its status and code', async () => {
      const { sessionId, recommendationId } = await sessionAndRec();
      expect(await rest('POST', '/v1/checkout', merchant.key, { sessionId, recommendationId })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect(await rest('POST', '/v1/checkout', 'hk_agt_not_a_key', { sessionId, recommendationId })).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      const foreignOffer = await rest('POST', '/api/v1/checkout/sessions', merchant.key, { line_items: [{ name: 'A', amount: 100, currency: 'GBP', offer_id: otherOfferId }] });
      expect(foreignOffer).toMatchObject({ status: 404, body: { code: 'OFFER_NOT_FOUND' } });
      expect(await rest('POST', '/api/v1/checkout/sessions', agent.key, { line_items: [{ name: 'A', amount: 100, currency: 'GBP' }] })).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      const created = await rest('POST', '/api/v1/checkout/sessions', merchant.key, {
        line_items: [{ name: 'Premium Plan', amount: 50000, currency: 'XOF', quantity: 1 }],
        mode: 'payment',
        success_url: 'https://yoursite.com/success?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://yoursite.com/cancel',
      });
      expect(created.body).toMatchObject({ success_url: 'https://yoursite.com/success?session_id={CHECKOUT_SESSION_ID}', cancel_url: 'https://yoursite.com/cancel' });
      for (const key of [otherMerchant.key, otherAgent.key]) {
        expect(await rest('GET', `/api/v1/checkout/sessions/${created.body.id}`, key)).toEqual({
          status: 404,
          body: { error: 'Checkout session not found.', code: 'CHECKOUT_SESSION_NOT_FOUND' },
        });
      }
    });
  });
});
