// The payment-intent subgraph over HTTP against real PostgreSQL: migrations, the by-id query,
// the PaymentIntent reference, the CheckoutSession.paymentIntent extension, tenancy for every
// kind of principal, and the gateway signature.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph } from '../../../test/support/subgraph.js';
import { createApp, loadConfig } from '../src/index.js';
import { PaymentIntentEntity } from '../src/payment-intent/payment-intent.entity.js';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from '../src/payment-intent/payment-intent.enums.js';
import { signedCaller } from '../../../test/support/signed-call.js';

let secret: string;
const id = (prefix: string) => `${prefix}_${randomUUID()}`;

const merchantA = id('mer');
const merchantB = id('mer');
const sessionA = id('cs');
const sessionB = id('cs');
const intentA = id('pi'); // merchant A, pays session A, succeeded, partly refunded
const intentA2 = id('pi'); // merchant A, an earlier, canceled intent paying no session (one intent per session)
const intentB = id('pi'); // merchant B, no checkout session, awaiting capture
const agentA = id('agt'); // created the agent checkout that session A is
const metadata = { aap_code: 'aap://handoff/v1/payload.signature', aap_session_id: 'ses_1', aap_agent_id: agentA };

const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
const service: Principal = { kind: 'SERVICE', service: 'conversion-ledger' };
const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `key_${merchantId}`, merchantId });
const asAgent = (agentId: string): Principal => ({ kind: 'AGENT', keyId: `key_${agentId}`, agentId });
const asClient = (checkoutSessionId: string): Principal => ({ kind: 'CLIENT', checkoutSessionId });

const BY_ID = /* GraphQL */ `
  query PaymentIntent($id: ID!) {
    paymentIntent(id: $id) {
      id status captureMode provider providerPaymentId metadata version
      amount { amountMinor currency amount }
      amountCaptured { amountMinor currency amount }
      amountRefunded { amountMinor currency amount }
      merchant { id }
      checkoutSession { id }
    }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on PaymentIntent { id status amount { amount } }
      ... on CheckoutSession { id paymentIntent { id status } }
    }
  }
`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;

beforeAll(async () => {
  ({ app, server, call, secret } = await startSubgraph({ createApp, loadConfig }));

  const repo = app.dataSource.getRepository(PaymentIntentEntity);
  const base = {
    currency: 'GBP',
    amountCapturedMinor: 0,
    amountRefundedMinor: 0,
    captureMode: CaptureMode.AUTOMATIC,
    provider: PaymentProvider.TEST,
    providerPaymentId: null,
    metadata: {},
  };
  await repo.save({
    ...base,
    id: intentA2,
    createdAt: new Date(Date.now() - 60_000), // the earlier attempt
    merchantId: merchantA,
    checkoutSessionId: null,
    status: PaymentIntentStatus.CANCELED,
    amountMinor: 2599,
  });
  await repo.save({
    ...base,
    id: intentA,
    merchantId: merchantA,
    checkoutSessionId: sessionA,
    status: PaymentIntentStatus.SUCCEEDED,
    amountMinor: 2599,
    amountCapturedMinor: 2599,
    amountRefundedMinor: 500,
    providerPaymentId: 'pi_test_123',
    metadata,
  });
  await repo.save({
    ...base,
    id: intentB,
    merchantId: merchantB,
    checkoutSessionId: null,
    status: PaymentIntentStatus.REQUIRES_CAPTURE,
    currency: 'JPY',
    amountMinor: 1500,
    captureMode: CaptureMode.MANUAL,
    provider: PaymentProvider.STRIPE,
  });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('migrations', () => {
  it('create the intent, idempotency and outbox tables in schema payment, once', async () => {
    const tables: Array<{ table_name: string }> = await app.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'payment' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['payment_intents', 'idempotency_keys', 'outbox', 'migrations']),
    );
    expect(await app.migrate()).toEqual([]);
  });

  it('refuses a refund above what was captured', async () => {
    await expect(
      app.dataSource.query(`UPDATE payment.payment_intents SET amount_refunded_minor = 2600 WHERE id = $1`, [intentA]),
    ).rejects.toThrow(/payment_intents_refunded_range/);
  });
});

describe('schema', () => {
  it('owns PaymentIntent, extends CheckoutSession and references Merchant', () => {
    expect(app.sdl).toMatch(/type PaymentIntent @key\(fields: "id"\)/);
    const checkoutSession = /type CheckoutSession @key\(fields: "id"\) \{([^}]*)\}/.exec(app.sdl)?.[1] ?? '';
    expect(checkoutSession).toMatch(/^\s*id: ID!\s*$/m);
    expect(checkoutSession).toMatch(/^\s*paymentIntent: PaymentIntent\s*$/m);
    expect(checkoutSession).toMatch(/^\s*billingSubscription: BillingSubscription\s*$/m);
    expect(app.sdl).toMatch(/type Merchant @key\(fields: "id", resolvable: false\)/);
    expect(app.sdl).toMatch(/enum PaymentProvider \{\s*TEST\s*STRIPE\s*\}/);
    expect(app.sdl).toContain('paymentIntent(id: ID!): PaymentIntent');
  });
});

describe('paymentIntent(id)', () => {
  it('shows the owning merchant the whole intent', async () => {
    const res = await call(asMerchant(merchantA), BY_ID, { id: intentA });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data?.paymentIntent).toEqual({
      id: intentA,
      status: 'SUCCEEDED',
      captureMode: 'AUTOMATIC',
      provider: 'TEST',
      providerPaymentId: 'pi_test_123',
      metadata,
      version: 1,
      amount: { amountMinor: 2599, currency: 'GBP', amount: '25.99' },
      amountCaptured: { amountMinor: 2599, currency: 'GBP', amount: '25.99' },
      amountRefunded: { amountMinor: 500, currency: 'GBP', amount: '5.00' },
      merchant: { id: merchantA },
      checkoutSession: { id: sessionA },
    });
  });

  it('gives an intent without a checkout session checkoutSession: null', async () => {
    const res = await call(asMerchant(merchantB), BY_ID, { id: intentB });
    expect(res.data?.paymentIntent).toMatchObject({
      status: 'REQUIRES_CAPTURE',
      captureMode: 'MANUAL',
      provider: 'STRIPE',
      metadata: {},
      amount: { amountMinor: 1500, currency: 'JPY', amount: '1500' },
      checkoutSession: null,
    });
  });

  it('gives another merchant null, not an error', async () => {
    const res = await call(asMerchant(merchantB), BY_ID, { id: intentA });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ paymentIntent: null });
  });

  it('shows admin and internal services every intent', async () => {
    for (const principal of [admin, service]) {
      for (const intentId of [intentA, intentB]) {
        expect((await call(principal, BY_ID, { id: intentId })).data?.paymentIntent?.id).toBe(intentId);
      }
    }
  });

  it('shows the hosted page only its own session’s intents', async () => {
    expect((await call(asClient(sessionA), BY_ID, { id: intentA })).data?.paymentIntent?.id).toBe(intentA);
    expect((await call(asClient(sessionB), BY_ID, { id: intentA })).data?.paymentIntent).toBeNull();
    expect((await call(asClient(sessionA), BY_ID, { id: intentB })).data?.paymentIntent).toBeNull();
  });

  it('shows an agent the intent of a checkout it created, and no other', async () => {
    const own = await call(asAgent(agentA), BY_ID, { id: intentA });
    expect(own.errors).toBeUndefined();
    expect(own.data?.paymentIntent).toMatchObject({ id: intentA, status: 'SUCCEEDED', checkoutSession: { id: sessionA } });
    for (const [agentId, intentId] of [[id('agt'), intentA], [agentA, intentB], [agentA, intentA2]] as const) {
      const res = await call(asAgent(agentId), BY_ID, { id: intentId });
      expect(res.errors).toBeUndefined();
      expect(res.data?.paymentIntent).toBeNull();
    }
  });

  it('lets an agent change nothing, even on its own checkout’s intent', async () => {
    const res = await call(asAgent(agentA), `mutation($id: ID!) { cancelPaymentIntent(id: $id) { id } }`, { id: intentA });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses an anonymous principal with UNAUTHENTICATED', async () => {
    const res = await call({ kind: 'ANONYMOUS' }, BY_ID, { id: intentA });
    expect(res.data?.paymentIntent ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('_entities', () => {
  const intentRef = [{ __typename: 'PaymentIntent', id: intentA }];
  const sessionRef = [{ __typename: 'CheckoutSession', id: sessionA }];

  it('resolves a PaymentIntent for the owner and null for another tenant', async () => {
    const own = await call(asMerchant(merchantA), ENTITIES, { representations: intentRef });
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities).toEqual([{ id: intentA, status: 'SUCCEEDED', amount: { amount: '25.99' } }]);
    for (const principal of [asMerchant(merchantB), asClient(sessionB), asAgent(id('agt'))]) {
      const other = await call(principal, ENTITIES, { representations: intentRef });
      expect(other.errors).toBeUndefined();
      expect(other.data?._entities).toEqual([null]);
    }
  });

  it('adds the latest visible paymentIntent to a CheckoutSession', async () => {
    for (const principal of [asMerchant(merchantA), asClient(sessionA), asAgent(agentA), admin]) {
      const res = await call(principal, ENTITIES, { representations: sessionRef });
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual([{ id: sessionA, paymentIntent: { id: intentA, status: 'SUCCEEDED' } }]);
    }
  });

  it('gives another tenant CheckoutSession.paymentIntent null', async () => {
    for (const principal of [asMerchant(merchantB), asClient(sessionB), asAgent(id('agt'))]) {
      const res = await call(principal, ENTITIES, { representations: sessionRef });
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual([{ id: sessionA, paymentIntent: null }]);
    }
  });

  it('gives a session without an intent paymentIntent null', async () => {
    const res = await call(admin, ENTITIES, { representations: [{ __typename: 'CheckoutSession', id: sessionB }] });
    expect(res.data?._entities).toEqual([{ id: sessionB, paymentIntent: null }]);
  });

  it('refuses an anonymous principal with UNAUTHENTICATED', async () => {
    const res = await call({ kind: 'ANONYMOUS' }, ENTITIES, { representations: intentRef });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('gateway signature', () => {
  it('answers an unsigned call with 401', async () => {
    const res = await call(null, BY_ID, { id: intentA });
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
  });

  it('answers a call signed with another secret with 401', async () => {
    const forged = signedCaller(server.url, randomBytes(32).toString('hex'));
    expect((await forged(admin, BY_ID, { id: intentA })).status).toBe(401);
  });
});
