// The checkout-session subgraph over HTTP against real PostgreSQL: migrations, the by-id query,
// the entity reference, tenancy for every kind of principal, and the gateway signature.
import { randomBytes, randomUUID } from 'node:crypto';
import { clientSecretFor, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph } from '../../../test/support/subgraph.js';
import { CheckoutMode, CheckoutSessionStatus } from '../src/checkout-session/checkout-session.enums.js';
import { CheckoutSessionEntity } from '../src/checkout-session/checkout-session.entity.js';
import { createApp, loadConfig } from '../src/index.js';
import { signedCaller } from '../../../test/support/signed-call.js';

let secret: string;
const id = (prefix: string) => `${prefix}_${randomUUID()}`;

const merchantA = id('mer');
const merchantB = id('mer');
const agentA = id('agt');
const agentB = id('agt');
const agentSession = id('cs'); // merchant A, created by agent A's checkout
const merchantSession = id('cs'); // merchant B, created by the merchant
const staleSession = id('cs'); // merchant A, open but past expiresAt
const expiresAt = new Date(Date.now() + 3600_000);

const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
const service: Principal = { kind: 'SERVICE', service: 'payment-intent' };
const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `key_${merchantId}`, merchantId });
const asAgent = (agentId: string): Principal => ({ kind: 'AGENT', keyId: `key_${agentId}`, agentId });
const asClient = (checkoutSessionId: string): Principal => ({ kind: 'CLIENT', checkoutSessionId });

const BY_ID = /* GraphQL */ `
  query CheckoutSession($id: ID!) {
    checkoutSession(id: $id) {
      id status mode url successUrl cancelUrl expiresAt version
      merchant { id }
      totals {
        subtotal { amountMinor currency amount }
        discount { amountMinor currency amount }
        tax { amountMinor currency amount }
        shipping { amountMinor currency amount }
        total { amountMinor currency amount }
      }
    }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on CheckoutSession { id status merchant { id } totals { total { amount } } }
    }
  }
`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;

beforeAll(async () => {
  ({ app, server, call, secret } = await startSubgraph({ createApp, loadConfig }, { PUBLIC_BASE_URL: 'https://pay.example.com/' }));

  const base = {
    status: CheckoutSessionStatus.OPEN,
    mode: CheckoutMode.PAYMENT,
    currency: 'GBP',
    subtotalMinor: 1000,
    discountMinor: 0,
    taxMinor: 0,
    shippingMinor: 0,
    totalMinor: 1000,
    successUrl: null,
    cancelUrl: null,
    expiresAt,
  };
  await app.dataSource.getRepository(CheckoutSessionEntity).save([
    {
      ...base,
      id: agentSession,
      merchantId: merchantA,
      agentId: agentA,
      subtotalMinor: 2000,
      discountMinor: 250,
      taxMinor: 350,
      shippingMinor: 499,
      totalMinor: 2599,
      successUrl: 'https://shop.example.com/ok?session={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://shop.example.com/cancel',
    },
    { ...base, id: merchantSession, merchantId: merchantB, agentId: null, currency: 'XOF', subtotalMinor: 50000, totalMinor: 50000 },
    { ...base, id: staleSession, merchantId: merchantA, agentId: null, expiresAt: new Date(Date.now() - 1000) },
  ]);
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('migrations', () => {
  it('create the session, idempotency and outbox tables in schema checkout, once', async () => {
    const tables: Array<{ table_name: string }> = await app.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'checkout' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['checkout_sessions', 'idempotency_keys', 'outbox', 'migrations']),
    );
    expect(await app.migrate()).toEqual([]);
  });
});

describe('schema', () => {
  it('owns CheckoutSession and references Merchant without resolving it', () => {
    expect(app.sdl).toMatch(/type CheckoutSession @key\(fields: "id"\)/);
    expect(app.sdl).toMatch(/type Merchant @key\(fields: "id", resolvable: false\)/);
    expect(app.sdl).toMatch(/type Money @shareable/);
    expect(app.sdl).toContain('checkoutSession(id: ID!): CheckoutSession');
  });
});

describe('checkoutSession(id)', () => {
  it('shows the owning merchant the whole session', async () => {
    const res = await call(asMerchant(merchantA), BY_ID, { id: agentSession });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data?.checkoutSession).toEqual({
      id: agentSession,
      status: 'OPEN',
      mode: 'PAYMENT',
      url: `https://pay.example.com/checkout/${agentSession}?cs=${encodeURIComponent(clientSecretFor(agentSession, secret))}`,
      successUrl: 'https://shop.example.com/ok?session={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://shop.example.com/cancel',
      expiresAt: expiresAt.toISOString(),
      version: 1,
      merchant: { id: merchantA },
      totals: {
        subtotal: { amountMinor: 2000, currency: 'GBP', amount: '20.00' },
        discount: { amountMinor: 250, currency: 'GBP', amount: '2.50' },
        tax: { amountMinor: 350, currency: 'GBP', amount: '3.50' },
        shipping: { amountMinor: 499, currency: 'GBP', amount: '4.99' },
        total: { amountMinor: 2599, currency: 'GBP', amount: '25.99' },
      },
    });
  });

  it('formats amounts by the currency exponent (XOF has none)', async () => {
    const res = await call(asMerchant(merchantB), BY_ID, { id: merchantSession });
    expect(res.data?.checkoutSession.totals.total).toEqual({ amountMinor: 50000, currency: 'XOF', amount: '50000' });
  });

  it('gives another merchant null, not an error', async () => {
    const res = await call(asMerchant(merchantB), BY_ID, { id: agentSession });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ checkoutSession: null });
  });

  it('shows admin and internal services every session', async () => {
    for (const principal of [admin, service]) {
      for (const sessionId of [agentSession, merchantSession]) {
        const res = await call(principal, BY_ID, { id: sessionId });
        expect(res.data?.checkoutSession?.id).toBe(sessionId);
      }
    }
  });

  it('shows an agent only the sessions its checkouts created', async () => {
    expect((await call(asAgent(agentA), BY_ID, { id: agentSession })).data?.checkoutSession?.id).toBe(agentSession);
    expect((await call(asAgent(agentB), BY_ID, { id: agentSession })).data?.checkoutSession).toBeNull();
    expect((await call(asAgent(agentA), BY_ID, { id: merchantSession })).data?.checkoutSession).toBeNull();
  });

  it('shows the hosted page only its own session', async () => {
    expect((await call(asClient(agentSession), BY_ID, { id: agentSession })).data?.checkoutSession?.id).toBe(agentSession);
    expect((await call(asClient(agentSession), BY_ID, { id: merchantSession })).data?.checkoutSession).toBeNull();
  });

  it('is null for an unknown id', async () => {
    expect((await call(admin, BY_ID, { id: id('cs') })).data?.checkoutSession).toBeNull();
  });

  it('reads an open session past expiresAt as EXPIRED', async () => {
    const res = await call(asMerchant(merchantA), BY_ID, { id: staleSession });
    expect(res.data?.checkoutSession?.status).toBe('EXPIRED');
  });

  it('refuses an anonymous principal with UNAUTHENTICATED', async () => {
    const res = await call({ kind: 'ANONYMOUS' }, BY_ID, { id: agentSession });
    expect(res.data?.checkoutSession ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('_entities (CheckoutSession reference)', () => {
  const representations = [{ __typename: 'CheckoutSession', id: agentSession }];

  it('resolves for the owner', async () => {
    const res = await call(asMerchant(merchantA), ENTITIES, { representations });
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { id: agentSession, status: 'OPEN', merchant: { id: merchantA }, totals: { total: { amount: '25.99' } } },
    ]);
  });

  it('is null for another tenant', async () => {
    for (const principal of [asMerchant(merchantB), asAgent(agentB), asClient(merchantSession)]) {
      const res = await call(principal, ENTITIES, { representations });
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual([null]);
    }
  });

  it('refuses an anonymous principal with UNAUTHENTICATED', async () => {
    const res = await call({ kind: 'ANONYMOUS' }, ENTITIES, { representations });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('gateway signature', () => {
  it('answers an unsigned call with 401', async () => {
    const res = await call(null, BY_ID, { id: agentSession });
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
  });

  it('answers a call signed with another secret with 401', async () => {
    const forged = signedCaller(server.url, randomBytes(32).toString('hex'));
    const res = await forged(admin, BY_ID, { id: agentSession });
    expect(res.status).toBe(401);
  });
});
