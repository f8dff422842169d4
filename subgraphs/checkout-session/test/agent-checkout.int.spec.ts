// The agent flow and the merchant flow over HTTP against real PostgreSQL and Redis, with the
// merchant and payment-intent subgraphs stood in for: validation order and codes, attribution,
// idempotency, the payment step's compensation, completion from payment events, expiry.
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { attributionPublicKeys, verifyAttributionCode, InternalCallError, type OutboxJobData, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { signedCaller } from '../../../test/support/signed-call.js';
import { createApp, loadConfig } from '../src/index.js';
import { createServices } from '../src/app.js';
import { FakeMerchants, FakePayments, pspRefused, FakeUnpricedMerchants } from './fakes.js';

const env = testEnv();
const secret = randomBytes(32).toString('hex');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeys = attributionPublicKeys({ kA: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') });
const suffix = randomBytes(4).toString('hex');
const agentA: Principal = { kind: 'AGENT', keyId: 'ka', agentId: `agt_a_${suffix}` };
const agentB: Principal = { kind: 'AGENT', keyId: 'kb', agentId: `agt_b_${suffix}` };
const merchant1 = `mer_1_${suffix}`;
const merchant2 = `mer_2_${suffix}`; // no connector
const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `k_${merchantId}`, merchantId });

const merchants = new FakeMerchants();
merchants.addMerchant(merchant1);
merchants.addMerchant(merchant2, { paymentConnector: null });
merchants.addOffer('off_gbp', merchant1, 1000, 'GBP');
merchants.addOffer('off_inactive', merchant1, 500, 'GBP', false);
merchants.addOffer('off_noconn', merchant2, 700, 'GBP');
const payments = new FakePayments();

const START = `mutation($input: StartAgentSessionInput) { startAgentSession(input: $input) { id status expiresAt agent { id } } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id offer { id } merchant { id } session { id } } }`;
const CHECKOUT = `mutation($input: CheckoutInput!, $key: String) {
  checkout(input: $input, idempotencyKey: $key) {
    transactionId paymentId checkoutUrl status backend mode amount { amountMinor currency amount }
    merchant { id } offer { id } session { id status }
    checkoutSession { id status version lineItems { name quantity unitAmount { amount } total { amount } offer { id } }
      attribution { aapCode recommendationId sessionId offerId merchantId agentId } }
  }
}`;
const CREATE = `mutation($input: CreateCheckoutSessionInput!, $key: String) {
  createCheckoutSession(input: $input, idempotencyKey: $key) { id status url paymentIntentId totals { total { amountMinor currency amount } } lineItems { name quantity } }
}`;
const EXPIRE = `mutation($id: ID!, $v: Int) { expireCheckoutSession(id: $id, expectedVersion: $v) { id status version } }`;
const SESSION = `query($id: ID!) { checkoutSession(id: $id) { id status version attribution { aapCode } metadata customerEmail } }`;
const AGENT_SESSION = `query($id: ID!) { agentSession(id: $id) { id status recommendations { id } } }`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;
let services: ReturnType<typeof createServices>;
const code = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions?.code;

async function startSession(principal = agentA, ttlSeconds?: number) {
  const res = await call(principal, START, { input: ttlSeconds ? { ttlSeconds } : null });
  expect(res.errors).toBeUndefined();
  return res.data!.startAgentSession.id as string;
}
async function recommend(sessionId: string, offerId = 'off_gbp', principal = agentA) {
  const res = await call(principal, RECOMMEND, { input: { sessionId, offerId } });
  expect(res.errors).toBeUndefined();
  return res.data!.recommend.id as string;
}

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: `${env.queuePrefix}-co`,
    NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: secret,
    LOG_LEVEL: 'silent',
    AAP_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    AAP_SIGNING_KEY_ID: 'kA',
  });
  app = await createApp(config, { merchants, payments, pricing: new FakeUnpricedMerchants() });
  await app.migrate();
  server = await app.listen(0);
  call = signedCaller(server.url, secret);
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing: new FakeUnpricedMerchants() });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('agent checkout', () => {
  it('goes from session to checkout URL with a verifiable attribution code', async () => {
    const sessionId = await startSession();
    const recId = await recommend(sessionId);
    const res = await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId } });
    expect(res.errors).toBeUndefined();
    const out = res.data!.checkout;
    expect(out).toMatchObject({
      status: 'awaiting_payment',
      backend: 'orchestrated',
      mode: 'checkout',
      amount: { amountMinor: 1000, currency: 'GBP', amount: '10.00' },
      merchant: { id: merchant1 },
      offer: { id: 'off_gbp' },
      session: { id: sessionId, status: 'CHECKOUT' },
    });
    expect(out.transactionId).toMatch(/^cs_/);
    expect(out.checkoutUrl).toContain(`/checkout/${out.transactionId}?cs=`);
    expect(out.checkoutSession.lineItems).toEqual([{ name: 'Offer off_gbp', quantity: 1, unitAmount: { amount: '10.00' }, total: { amount: '10.00' }, offer: { id: 'off_gbp' } }]);
    const attribution = out.checkoutSession.attribution;
    expect(attribution).toMatchObject({ recommendationId: recId, sessionId, offerId: 'off_gbp', merchantId: merchant1, agentId: agentA.kind === 'AGENT' && agentA.agentId });
    const verified = verifyAttributionCode(attribution.aapCode, { publicKeys, issuer: 'handoff.local' });
    expect(verified.ok && verified.claims).toMatchObject({ kid: 'kA', recommendationId: recId, sessionId, amountMinor: 1000, currency: 'GBP' });
    const sent = payments.created.find((c) => c.checkoutSessionId === out.transactionId)!;
    expect(sent).toMatchObject({ merchantId: merchant1, amountMinor: 1000, currency: 'GBP', captureMode: 'AUTOMATIC' });
    expect(sent.metadata).toMatchObject({
      aap_code: attribution.aapCode,
      aap_recommendation_id: recId,
      aap_session_id: sessionId,
      aap_offer_id: 'off_gbp',
      aap_merchant_id: merchant1,
      aap_agent_id: attribution.agentId,
    });
  });

  it('checks in seed 000 order, each with its code', async () => {
    const sessionId = await startSession();
    const recId = await recommend(sessionId);
    const check = async (input: Record<string, unknown>, principal = agentA) => code(await call(principal, CHECKOUT, { input }));
    expect(await check({ recommendationId: recId })).toBe('BAD_USER_INPUT');
    expect(await check({ sessionId })).toBe('BAD_USER_INPUT');
    expect(await check({ sessionId: 'ags_nope', recommendationId: recId })).toBe('SESSION_NOT_FOUND');
    expect(await check({ sessionId, recommendationId: recId }, agentB)).toBe('SESSION_NOT_FOUND');
    expect(await check({ sessionId, recommendationId: 'rec_nope' })).toBe('RECOMMENDATION_NOT_FOUND');
    const other = await startSession();
    const otherRec = await recommend(other);
    expect(await check({ sessionId, recommendationId: otherRec })).toBe('RECOMMENDATION_NOT_FOUND');
    const noConnRec = await recommend(sessionId, 'off_noconn');
    expect(await check({ sessionId, recommendationId: noConnRec })).toBe('MERCHANT_NO_PAYMENT_CONNECTOR');
    merchants.addOffer('off_soon_inactive', merchant1, 900, 'GBP');
    const laterInactive = await recommend(sessionId, 'off_soon_inactive');
    merchants.offers.get('off_soon_inactive')!.active = false;
    expect(await check({ sessionId, recommendationId: laterInactive })).toBe('OFFER_NOT_FOUND');
  });

  it('refuses to recommend an inactive or unknown offer', async () => {
    const sessionId = await startSession();
    expect(code(await call(agentA, RECOMMEND, { input: { sessionId, offerId: 'off_inactive' } }))).toBe('OFFER_NOT_FOUND');
    expect(code(await call(agentA, RECOMMEND, { input: { sessionId, offerId: 'off_none' } }))).toBe('OFFER_NOT_FOUND');
    expect(code(await call(agentB, RECOMMEND, { input: { sessionId, offerId: 'off_gbp' } }))).toBe('SESSION_NOT_FOUND');
  });

  it('answers SESSION_EXPIRED once the window has passed', async () => {
    const sessionId = await startSession(agentA, 5);
    const recId = await recommend(sessionId);
    await app.dataSource.query(`UPDATE checkout.agent_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);
    expect(code(await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId } }))).toBe('SESSION_EXPIRED');
    expect(code(await call(agentA, RECOMMEND, { input: { sessionId, offerId: 'off_gbp' } }))).toBe('SESSION_EXPIRED');
    expect((await call(agentA, AGENT_SESSION, { id: sessionId })).data!.agentSession.status).toBe('EXPIRED');
  });

  it('is idempotent with a key: one session, one intent; other input → IDEMPOTENCY_KEY_REUSED', async () => {
    const sessionId = await startSession();
    const recId = await recommend(sessionId);
    const key = `idem-${suffix}-1`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId }, key })),
    );
    const ids = new Set(results.map((r) => r.data?.checkout.transactionId));
    expect(ids.size).toBe(1);
    const payIds = new Set(results.map((r) => r.data?.checkout.paymentId));
    expect(payIds.size).toBe(1);
    const [csId] = [...ids];
    expect(payments.bySession.has(csId)).toBe(true);
    const count = await app.dataSource.query(`SELECT count(*)::int AS n FROM checkout.checkout_sessions WHERE agent_session_id = $1`, [sessionId]);
    expect(count[0].n).toBe(1);
    const other = await recommend(sessionId);
    expect(code(await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: other }, key }))).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('cancels the session when the PSP refuses, and resumes when payment-intent was unreachable', async () => {
    const sessionId = await startSession();
    const recId = await recommend(sessionId);
    payments.failNext = pspRefused();
    const refused = await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId } });
    expect(code(refused)).toBe('CHECKOUT_CREATE_FAILED');
    expect((await call(agentA, AGENT_SESSION, { id: sessionId })).data!.agentSession.status).toBe('ACTIVE');

    payments.failNext = new InternalCallError('down', true);
    const key = `idem-${suffix}-2`;
    const first = await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId }, key });
    expect(code(first)).toBe('CHECKOUT_CREATE_FAILED');
    const retry = await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId }, key });
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.checkout.session.status).toBe('CHECKOUT');
  });
});

describe('payment events and expiry', () => {
  it('completes the session and converts the agent session on payment_intent.succeeded, once', async () => {
    const sessionId = await startSession();
    const recId = await recommend(sessionId);
    const out = (await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: recId } })).data!.checkout;
    const job: OutboxJobData = {
      outboxId: '1',
      schema: 'payment',
      topic: 'payment_intent.succeeded',
      aggregateId: out.paymentId,
      payload: { paymentIntent: { id: out.paymentId, status: 'SUCCEEDED', checkoutSessionId: out.transactionId, amountMinor: 1000, currency: 'GBP' }, occurredAt: new Date().toISOString() },
      createdAt: new Date().toISOString(),
    };
    const queue = new Queue<OutboxJobData>('checkout-payment-events', { connection: { url: env.redisUrl }, prefix: `${env.queuePrefix}-co` });
    const workers = await app.startWorkers();
    try {
      await queue.add('payment_intent.succeeded', job, { jobId: `pi-ok-${suffix}` });
      await expect.poll(async () => (await call(agentA, SESSION, { id: out.transactionId })).data!.checkoutSession.status, { timeout: 10_000 }).toBe('COMPLETE');
      expect((await call(agentA, AGENT_SESSION, { id: sessionId })).data!.agentSession.status).toBe('CONVERTED');
      const version = (await call(agentA, SESSION, { id: out.transactionId })).data!.checkoutSession.version;
      expect(await services.lifecycle.completeFromPayment(job.payload as never)).toBe('unchanged');
      expect((await call(agentA, SESSION, { id: out.transactionId })).data!.checkoutSession.version).toBe(version);
      const events = await app.dataSource.query(`SELECT topic FROM checkout.outbox WHERE aggregate_id IN ($1, $2) ORDER BY id`, [out.transactionId, sessionId]);
      expect(events.map((e: { topic: string }) => e.topic)).toEqual(
        expect.arrayContaining(['checkout_session.open', 'agent_session.checkout', 'checkout_session.complete', 'agent_session.converted']),
      );
      const schedulers = await new Queue('checkout-session-expiry', { connection: { url: env.redisUrl }, prefix: `${env.queuePrefix}-co` }).getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toEqual(['expire-checkout-sessions']);
    } finally {
      await workers.close();
      await queue.close();
    }
  });

  it('expires due sessions, cancels their intents, and refuses stale versions', async () => {
    const created = await call(asMerchant(merchant1), CREATE, {
      input: { lineItems: [{ name: 'Premium Plan', unitAmount: { amountMinor: 50000, currency: 'XOF' }, quantity: 1 }], successUrl: 'https://shop.example/ok?cs={CHECKOUT_SESSION_ID}' },
    });
    expect(created.errors).toBeUndefined();
    const cs = created.data!.createCheckoutSession;
    expect(cs).toMatchObject({ status: 'OPEN', totals: { total: { amountMinor: 50000, currency: 'XOF', amount: '50000' } } });
    expect(cs.paymentIntentId).toMatch(/^pi_/);
    await app.dataSource.query(`UPDATE checkout.checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [cs.id]);
    expect((await call(asMerchant(merchant1), SESSION, { id: cs.id })).data!.checkoutSession.status).toBe('EXPIRED');
    const result = await services.lifecycle.expireDue();
    expect(result.checkoutSessions).toBeGreaterThanOrEqual(1);
    expect(payments.canceled).toContain(cs.id);
    expect(code(await call(asMerchant(merchant1), EXPIRE, { id: cs.id }))).toBe('INVALID_STATE_TRANSITION');

    const open = (await call(asMerchant(merchant1), CREATE, { input: { lineItems: [{ name: 'X', unitAmount: { amountMinor: 100, currency: 'GBP' }, quantity: 2 }] } })).data!.createCheckoutSession;
    const current = (await call(asMerchant(merchant1), SESSION, { id: open.id })).data!.checkoutSession.version;
    expect(code(await call(asMerchant(merchant1), EXPIRE, { id: open.id, v: current + 5 }))).toBe('VERSION_CONFLICT');
    expect(code(await call(asMerchant(merchant2), EXPIRE, { id: open.id }))).toBe('CHECKOUT_SESSION_NOT_FOUND');
    const expired = (await call(asMerchant(merchant1), EXPIRE, { id: open.id, v: current })).data!.expireCheckoutSession;
    expect(expired).toMatchObject({ status: 'EXPIRED', version: current + 1 });
  });

  it('refuses a merchant without a connector and hides other merchants\' sessions', async () => {
    expect(code(await call(asMerchant(merchant2), CREATE, { input: { lineItems: [{ name: 'X', unitAmount: { amountMinor: 100, currency: 'GBP' }, quantity: 1 }] } }))).toBe(
      'MERCHANT_NO_PAYMENT_CONNECTOR',
    );
    const cs = (await call(asMerchant(merchant1), CREATE, { input: { lineItems: [{ name: 'Y', unitAmount: { amountMinor: 100, currency: 'GBP' }, quantity: 1 }], metadata: { order: '42' }, customerEmail: 'a@b.co' } })).data!.createCheckoutSession;
    expect((await call(asMerchant(merchant2), SESSION, { id: cs.id })).data!.checkoutSession).toBeNull();
    expect((await call(agentA, SESSION, { id: cs.id })).data!.checkoutSession).toBeNull();
    const asClient = (await call({ kind: 'CLIENT', checkoutSessionId: cs.id }, SESSION, { id: cs.id })).data!.checkoutSession;
    expect(asClient).toMatchObject({ id: cs.id, metadata: null, customerEmail: null, attribution: null });
    expect((await call(asMerchant(merchant1), SESSION, { id: cs.id })).data!.checkoutSession).toMatchObject({ metadata: { order: '42' }, customerEmail: 'a@b.co' });
  });
});

describe('payment mismatch, versions, agent session lists', () => {
  const MISMATCH = `query($id: ID!) { checkoutSession(id: $id) { id status version paymentMismatch { paymentIntentId expected { amountMinor currency } receivedAmountMinor receivedCurrency detectedAt } } }`;
  const AGENT_SESSIONS = `query($status: AgentSessionStatus, $first: Int, $after: String) {
    agentSessions(status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status agent { id } } } }
  }`;
  const succeeded = (paymentId: string, checkoutSessionId: string, amountMinor: number | undefined, currency: string | undefined) => ({
    paymentIntent: { id: paymentId, status: 'SUCCEEDED', checkoutSessionId, amountMinor, currency },
    occurredAt: new Date().toISOString(),
  });

  it('does not complete a session paid for another amount or currency: records and flags it, once', async () => {
    const sessionId = await startSession();
    const out = (await call(agentA, CHECKOUT, { input: { sessionId, recommendationId: await recommend(sessionId) } })).data!.checkout;
    const before = (await call(agentA, MISMATCH, { id: out.transactionId })).data!.checkoutSession;
    expect(before.paymentMismatch).toBeNull();
    for (const [amount, currency] of [[999, 'GBP'], [1000, 'EUR'], [undefined, undefined]] as const) {
      expect(await services.lifecycle.completeFromPayment(succeeded(`${out.paymentId}-${amount}-${currency}`, out.transactionId, amount, currency))).toBe('flagged');
    }
    const flagged = (await call(agentA, MISMATCH, { id: out.transactionId })).data!.checkoutSession;
    expect(flagged.status).toBe('OPEN');
    expect(flagged.version).toBe(before.version + 3);
    expect(flagged.paymentMismatch).toMatchObject({ expected: { amountMinor: 1000, currency: 'GBP' }, receivedAmountMinor: null, receivedCurrency: null });
    // A redelivery of the last flag changes nothing; the hosted page never sees the flag.
    expect(await services.lifecycle.completeFromPayment(succeeded(`${out.paymentId}-undefined-undefined`, out.transactionId, undefined, undefined))).toBe('unchanged');
    expect((await call(agentA, MISMATCH, { id: out.transactionId })).data!.checkoutSession.version).toBe(flagged.version);
    expect((await call({ kind: 'CLIENT', checkoutSessionId: out.transactionId }, MISMATCH, { id: out.transactionId })).data!.checkoutSession.paymentMismatch).toBeNull();
    expect((await call(agentA, AGENT_SESSION, { id: sessionId })).data!.agentSession.status).toBe('CHECKOUT');
    const topics = await app.dataSource.query(`SELECT topic FROM checkout.outbox WHERE aggregate_id = $1 ORDER BY id`, [out.transactionId]);
    expect(topics.filter((t: { topic: string }) => t.topic === 'checkout_session.payment_mismatch')).toHaveLength(3);
    // The right amount (currency in any case) completes it.
    expect(await services.lifecycle.completeFromPayment(succeeded(out.paymentId, out.transactionId, 1000, 'gbp'))).toBe('completed');
    expect((await call(agentA, MISMATCH, { id: out.transactionId })).data!.checkoutSession.status).toBe('COMPLETE');
  });

  it('refuses a change made from a stale copy with VERSION_CONFLICT, for both kinds of session', async () => {
    const { saveCheckoutSessionVersioned } = await import('../src/checkout-session/checkout-session.transition.js');
    const { transitionAgentSession } = await import('../src/agent-session/agent-session.transition.js');
    const { CheckoutSessionEntity } = await import('../src/checkout-session/checkout-session.entity.js');
    const { AgentSessionEntity } = await import('../src/agent-session/agent-session.entity.js');
    const cs = (await call(asMerchant(merchant1), CREATE, { input: { lineItems: [{ name: 'V', unitAmount: { amountMinor: 100, currency: 'GBP' }, quantity: 1 }] } })).data!.createCheckoutSession;
    const stale = await app.dataSource.manager.findOneByOrFail(CheckoutSessionEntity, { id: cs.id });
    await services.lifecycle.expire(asMerchant(merchant1), cs.id);
    const err = await saveCheckoutSessionVersioned(app.dataSource.manager, stale, { paymentIntentsCanceledAt: new Date() }).catch((e) => e);
    expect(err.extensions?.code ?? err.code).toBe('VERSION_CONFLICT');
    const sessionId = await startSession();
    const staleAgent = await app.dataSource.manager.findOneByOrFail(AgentSessionEntity, { id: sessionId });
    await app.dataSource.query(`UPDATE checkout.agent_sessions SET version = version + 1 WHERE id = $1`, [sessionId]);
    const agentErr = await transitionAgentSession(app.dataSource.manager, staleAgent, 'CHECKOUT' as never).catch((e) => e);
    expect(agentErr.extensions?.code ?? agentErr.code).toBe('VERSION_CONFLICT');
  });

  it('lists agent sessions: an agent its own, admin all, by status, in pages; merchants may not', async () => {
    const mine = [await startSession(agentB), await startSession(agentB)];
    const expiring = await startSession(agentB, 5);
    await app.dataSource.query(`UPDATE checkout.agent_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring]);
    const page = (await call(agentB, AGENT_SESSIONS, { first: 2 })).data!.agentSessions;
    expect(page.totalCount).toBe(3);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges.map((e: any) => e.node.id)).toEqual(mine);
    const rest = (await call(agentB, AGENT_SESSIONS, { first: 2, after: page.pageInfo.endCursor })).data!.agentSessions;
    expect(rest.edges.map((e: any) => e.node.id)).toEqual([expiring]);
    expect((await call(agentB, AGENT_SESSIONS, { status: 'EXPIRED' })).data!.agentSessions.edges.map((e: any) => e.node.id)).toEqual([expiring]);
    expect((await call(agentB, AGENT_SESSIONS, { status: 'ACTIVE' })).data!.agentSessions.edges.map((e: any) => e.node.id)).toEqual(mine);
    const agentAIds = (await call(agentA, AGENT_SESSIONS, { first: 100 })).data!.agentSessions.edges.map((e: any) => e.node.id);
    expect(agentAIds.some((id: string) => [...mine, expiring].includes(id))).toBe(false);
    const all = (await call({ kind: 'ADMIN', keyId: 'k_admin' }, AGENT_SESSIONS, { first: 100 })).data!.agentSessions;
    expect(all.totalCount).toBeGreaterThan(3);
    expect(code(await call(asMerchant(merchant1), AGENT_SESSIONS, {}))).toBe('FORBIDDEN');
  });
});
