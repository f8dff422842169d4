// One payable checkout per recommendation, over HTTP against real PostgreSQL and Redis: a second
// checkout (no idempotency key) returns the open one, concurrent ones too; a paid one refuses
// with RECOMMENDATION_ALREADY_CHECKED_OUT; an expired one makes way for a new one; the database
// itself refuses a second OPEN session; the code names the checkout session it was issued for.
// The 20-at-once case grows the app's pool from one connection to ten; on a shared PostgreSQL near
// max_connections (or a pool queue past its 5 s wait) a caller is told SERVICE_UNAVAILABLE, retry
// shortly: nothing was written for it. That caller retries as told (waiting on PostgreSQL, not on
// a clock); every answer, first or retried, must still be the one session, intent and code.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { attributionPublicKeys, verifyAttributionCode, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { signedCaller } from '../../../test/support/signed-call.js';
import { createServices } from '../src/app.js';
import { createApp, loadConfig } from '../src/index.js';
import { FakeMerchants, FakePayments, FakeUnpricedMerchants } from './fakes.js';

const env = testEnv();
const secret = randomBytes(32).toString('hex');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeys = attributionPublicKeys({ kR: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') });
const suffix = randomBytes(4).toString('hex');
const agent: Principal = { kind: 'AGENT', keyId: 'kr', agentId: `agt_r_${suffix}` };
const merchantId = `mer_r_${suffix}`;
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
merchants.addOffer(`off_r_${suffix}`, merchantId, 1000, 'GBP');
const payments = new FakePayments();

const START = `mutation { startAgentSession { id } }`;
const RECOMMEND = `mutation($input: RecommendInput!) { recommend(input: $input) { id } }`;
const CHECKOUT = `mutation($input: CheckoutInput!, $key: String) { checkout(input: $input, idempotencyKey: $key) {
  transactionId paymentId checkoutUrl checkoutSession { id status attribution { aapCode } } } }`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;
let services: ReturnType<typeof createServices>;
const code = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0]?.extensions?.code;

async function recommendation(): Promise<{ sessionId: string; recommendationId: string }> {
  const sessionId = (await call(agent, START)).data!.startAgentSession.id as string;
  const rec = await call(agent, RECOMMEND, { input: { sessionId, offerId: `off_r_${suffix}` } });
  expect(rec.errors).toBeUndefined();
  return { sessionId, recommendationId: rec.data!.recommend.id as string };
}
const checkout = (input: { sessionId: string; recommendationId: string }, key?: string) => call(agent, CHECKOUT, { input, key });
/**
 * A checkout retried while it answers SERVICE_UNAVAILABLE (the database refused a connection), for
 * up to 20 s (then that answer is the result, and the assertion prints it); every answer kept.
 */
async function checkoutAnswered(input: { sessionId: string; recommendationId: string }, key: string | undefined, seen: unknown[]) {
  const deadline = Date.now() + 20_000;
  for (let attempt = 0; ; attempt++) {
    const res = await checkout(input, key);
    seen.push(res);
    if (code(res) !== 'SERVICE_UNAVAILABLE' || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, 25 * 2 ** attempt)));
  }
}
const sessionsOf = async (recommendationId: string) =>
  (await app.dataSource.query(`SELECT id, status FROM checkout.checkout_sessions WHERE recommendation_id = $1 ORDER BY created_at`, [recommendationId])) as Array<{ id: string; status: string }>;

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-cr`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: secret, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AAP_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), AAP_SIGNING_KEY_ID: 'kR',
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

describe('one payable checkout per recommendation', () => {
  it('returns the open checkout again, without a key and 20 at once: one session, one intent, one code', async () => {
    const input = await recommendation();
    const seen: unknown[] = [];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => checkoutAnswered(input, i % 2 ? `k-${suffix}-${i}` : undefined, seen)));
    // Every answer, a refused connection's included, printed when one is anything else.
    expect(results.map((r) => r.errors), JSON.stringify(seen)).toEqual(Array(20).fill(undefined));
    const outs = results.map((r) => r.data!.checkout);
    expect(new Set(outs.map((o) => o.transactionId)).size).toBe(1);
    expect(new Set(outs.map((o) => o.paymentId)).size).toBe(1);
    expect(new Set(outs.map((o) => o.checkoutSession.attribution.aapCode)).size).toBe(1);
    expect(await sessionsOf(input.recommendationId)).toEqual([{ id: outs[0]!.transactionId, status: 'OPEN' }]);
    const again = (await checkout(input)).data!.checkout;
    expect(again).toEqual(outs[0]);
  });

  it('signs the checkout session into the code', async () => {
    const input = await recommendation();
    const out = (await checkout(input)).data!.checkout;
    const verified = verifyAttributionCode(out.checkoutSession.attribution.aapCode, { publicKeys });
    expect(verified).toMatchObject({ ok: true, claims: { checkoutSessionId: out.transactionId, recommendationId: input.recommendationId } });
  });

  it('refuses with RECOMMENDATION_ALREADY_CHECKED_OUT once the checkout is paid', async () => {
    const input = await recommendation();
    const out = (await checkout(input)).data!.checkout;
    const paid = { paymentIntent: { id: out.paymentId, status: 'SUCCEEDED', checkoutSessionId: out.transactionId, amountMinor: 1000, currency: 'GBP' } };
    expect(await services.lifecycle.completeFromPayment(paid)).toBe('completed');
    const refused = await checkout(input);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'RECOMMENDATION_ALREADY_CHECKED_OUT' } });
    expect(refused.errors?.[0]?.message).toMatch(/already checked out/);
    expect(code(await checkout(input, `k-${suffix}-paid`))).toBe('RECOMMENDATION_ALREADY_CHECKED_OUT');
    expect(await sessionsOf(input.recommendationId)).toEqual([{ id: out.transactionId, status: 'COMPLETE' }]);
  });

  it('mints a new checkout once the open one has expired, and expires the old one', async () => {
    const input = await recommendation();
    const first = (await checkout(input)).data!.checkout;
    await app.dataSource.query(`UPDATE checkout.checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [first.transactionId]);
    const second = (await checkout(input)).data!.checkout;
    expect(second.transactionId).not.toBe(first.transactionId);
    expect(second.paymentId).not.toBe(first.paymentId);
    expect(second.checkoutSession.attribution.aapCode).not.toBe(first.checkoutSession.attribution.aapCode);
    expect(await sessionsOf(input.recommendationId)).toEqual([
      { id: first.transactionId, status: 'EXPIRED' },
      { id: second.transactionId, status: 'OPEN' },
    ]);
    expect((await checkout(input)).data!.checkout.transactionId).toBe(second.transactionId);
  });

  it('is enforced by the database: a second OPEN session for one recommendation is refused', async () => {
    const input = await recommendation();
    const out = (await checkout(input)).data!.checkout;
    const copy = app.dataSource.query(
      `INSERT INTO checkout.checkout_sessions (id, merchant_id, agent_id, status, mode, currency, subtotal_minor, discount_minor, tax_minor,
         shipping_minor, total_minor, expires_at, version, metadata, agent_session_id, recommendation_id, offer_id, aap_code, created_at, updated_at)
       SELECT $2, merchant_id, agent_id, 'OPEN', mode, currency, subtotal_minor, discount_minor, tax_minor, shipping_minor, total_minor,
         expires_at, 1, metadata, agent_session_id, recommendation_id, offer_id, aap_code, now(), now()
         FROM checkout.checkout_sessions WHERE id = $1`,
      [out.transactionId, `cs_copy_${suffix}`],
    );
    await expect(copy).rejects.toThrow(/checkout_sessions_open_recommendation_uq/);
  });
});
