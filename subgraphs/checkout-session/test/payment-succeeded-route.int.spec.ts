// payment-intent's synchronous word that a checkout session's intent succeeded
// (POST /internal/checkout-payments/succeeded, checkout-session/payment-succeeded.route.ts) against
// real PostgreSQL, through the subgraph's own HTTP server with signed calls: it and the
// `payment_intent.succeeded` event racing for one session complete it once (one checkout.completed,
// one timeline entry), whatever order they land in; a payment of another amount is flagged once;
// an unsigned call, or one signed by another service, changes nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import { encodePrincipal, PRINCIPAL_HEADER, REQUEST_ID_HEADER, signRequest, SIGNATURE_HEADER, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { createServices } from '../src/app.js';
import { processPaymentEvent, type PaymentIntentEventJob } from '../src/checkout-session/payment-events.job.js';
import { CheckoutSessionEntity } from '../src/checkout-session/checkout-session.entity.js';
import { createApp, loadConfig } from '../src/index.js';
import { FakeMerchants, FakePayments, FakeUnpricedMerchants } from './fakes.js';

const env = testEnv();
const suffix = randomBytes(4).toString('hex');
const merchantId = `mer_pss_${suffix}`;
const merchant = { kind: 'MERCHANT', keyId: `key_${suffix}`, merchantId } as Principal & { kind: 'MERCHANT' };
const merchants = new FakeMerchants();
merchants.addMerchant(merchantId);
const payments = new FakePayments();
const secret = randomBytes(32).toString('hex');
const LINES = [{ name: 'Kettle', unitAmount: { amountMinor: 3000, currency: 'GBP' }, quantity: 2 }];

let app: SubgraphApp;
let server: RunningServer;
let services: ReturnType<typeof createServices>;

/** A signed POST as payment-intent's port sends it (or as `service` would). */
async function tell(body: unknown, service = 'payment-intent', signWith = secret): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const principalB64 = encodePrincipal({ kind: 'SERVICE', service });
  const requestId = randomUUID();
  const res = await fetch(new URL('/internal/checkout-payments/succeeded', server.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: requestId,
      [PRINCIPAL_HEADER]: principalB64,
      [SIGNATURE_HEADER]: signRequest({ secret: signWith, principalB64, requestId, body: raw }),
    },
    body: raw,
  });
  return { status: res.status, body: await res.json() };
}

const event = (cs: CheckoutSessionEntity, amountMinor: number, n: number): PaymentIntentEventJob => ({
  outboxId: String(n),
  schema: 'payment',
  topic: 'payment_intent.succeeded',
  aggregateId: cs.paymentIntentId!,
  createdAt: new Date().toISOString(),
  payload: { paymentIntent: { id: cs.paymentIntentId!, status: 'SUCCEEDED', checkoutSessionId: cs.id, amountMinor, currency: 'GBP' }, occurredAt: new Date().toISOString() } as never,
});
const webhookTypes = async (id: string) =>
  ((await app.dataSource.query(`SELECT payload->>'type' AS type FROM checkout.outbox WHERE topic LIKE 'webhook_event.%' AND payload->>'checkoutId' = $1 ORDER BY id`, [id])) as Array<{ type: string }>).map((r) => r.type);
const entries = async (id: string, kind: string) =>
  (await app.dataSource.query(`SELECT actor_kind, actor_id FROM checkout.timeline_entries WHERE checkout_session_id = $1 AND kind = $2`, [id, kind])) as Array<{ actor_kind: string; actor_id: string }>;
const session = (id: string) => app.dataSource.manager.findOneByOrFail(CheckoutSessionEntity, { id });

beforeAll(async () => {
  const config = loadConfig({
    DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: `${env.queuePrefix}-pss`, NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: secret, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const pricing = new FakeUnpricedMerchants();
  app = await createApp(config, { merchants, payments, pricing });
  await app.migrate();
  server = await app.listen(0);
  services = createServices({ dataSource: app.dataSource, config, outbox: { notify: () => undefined }, merchants, payments, pricing });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('POST /internal/checkout-payments/succeeded', () => {
  it('5 calls and 5 deliveries of the event, all at once: the session completes once, one checkout.completed, one timeline entry', async () => {
    const cs = await services.checkoutSessions.create(merchant, { lineItems: LINES }, undefined);
    expect(cs.paymentIntentId).toBeTruthy();
    const body = { checkoutSessionId: cs.id, paymentIntentId: cs.paymentIntentId, amountMinor: 6000, currency: 'GBP' };
    const outcomes = await Promise.all([
      ...Array.from({ length: 5 }, () => tell(body).then((r) => (expect(r.status, JSON.stringify(r.body)).toBe(200), r.body.outcome as string))),
      ...Array.from({ length: 5 }, (_, i) => processPaymentEvent(services.lifecycle, event(cs, 6000, i + 1))),
    ]);
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(9);
    expect((await session(cs.id)).status).toBe('COMPLETE');
    expect((await webhookTypes(cs.id)).filter((t) => t === 'checkout.completed')).toHaveLength(1);
    expect(await entries(cs.id, 'checkout.completed')).toHaveLength(1);
  });

  it('the call first, then the event: the session is completed by payment-intent and the event changes nothing', async () => {
    const cs = await services.checkoutSessions.create(merchant, { lineItems: LINES }, undefined);
    const r = await tell({ checkoutSessionId: cs.id, paymentIntentId: cs.paymentIntentId, amountMinor: 6000, currency: 'GBP' });
    expect(r).toEqual({ status: 200, body: { outcome: 'completed' } });
    expect(await entries(cs.id, 'checkout.completed')).toEqual([{ actor_kind: 'service', actor_id: 'payment-intent' }]);
    expect(await processPaymentEvent(services.lifecycle, event(cs, 6000, 1))).toBe('unchanged');
    expect(await webhookTypes(cs.id)).toEqual(['checkout.created', 'checkout.completed']);
  });

  it('a payment of another amount is flagged once, not completed, whichever of the call and the event comes', async () => {
    const cs = await services.checkoutSessions.create(merchant, { lineItems: LINES }, undefined);
    const r = await tell({ checkoutSessionId: cs.id, paymentIntentId: cs.paymentIntentId, amountMinor: 5999, currency: 'GBP' });
    expect(r).toEqual({ status: 200, body: { outcome: 'flagged' } });
    expect(await processPaymentEvent(services.lifecycle, event(cs, 5999, 1))).toBe('unchanged');
    const after = await session(cs.id);
    expect(after.status).toBe('OPEN');
    expect(after.paymentMismatch).toMatchObject({ paymentIntentId: cs.paymentIntentId, expectedAmountMinor: 6000, receivedAmountMinor: 5999 });
    expect((await webhookTypes(cs.id)).filter((t) => t === 'checkout.failed')).toHaveLength(1);
  });

  it('unsigned, signed with another secret, or by another service: refused, nothing written; a bad body is 400', async () => {
    const cs = await services.checkoutSessions.create(merchant, { lineItems: LINES }, undefined);
    const body = { checkoutSessionId: cs.id, paymentIntentId: cs.paymentIntentId, amountMinor: 6000, currency: 'GBP' };
    const unsigned = await fetch(new URL('/internal/checkout-payments/succeeded', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(unsigned.status).toBe(401);
    expect((await tell(body, 'payment-intent', randomBytes(32).toString('hex'))).status).toBe(401);
    expect((await tell(body, 'gateway')).status).toBe(403);
    expect(await tell({ ...body, amountMinor: '6000' })).toMatchObject({ status: 400, body: { code: 'BAD_USER_INPUT', field: 'amountMinor' } });
    expect((await session(cs.id)).status).toBe('OPEN');
    expect(await webhookTypes(cs.id)).toEqual(['checkout.created']);
  });
});
