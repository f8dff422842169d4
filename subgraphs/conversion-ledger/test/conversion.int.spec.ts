// The conversion-ledger subgraph over HTTP against real PostgreSQL: migrations, the by-id query,
// the Conversion reference, tenancy for every kind of principal, and the gateway signature.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal, RunningServer, SubgraphApp } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph } from '../../../test/support/subgraph.js';
import { ConversionEntity } from '../src/conversion/conversion.entity.js';
import { ConversionPath, ConversionStatus } from '../src/conversion/conversion.enums.js';
import { createApp, loadConfig } from '../src/index.js';
import { signedCaller } from '../../../test/support/signed-call.js';

let secret: string;
const id = (prefix: string) => `${prefix}_${randomUUID()}`;

const merchantA = id('mer');
const merchantB = id('mer');
const agentA = id('agt');
const agentB = id('agt');
const verified = id('conv'); // merchant A, earned by agent A through a verified payment
const reported = id('conv'); // merchant B, merchant-reported, no agent
const validatesAt = new Date('2030-02-01T00:00:00.000Z');

const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
const service: Principal = { kind: 'SERVICE', service: 'payment-intent' };
const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `key_${merchantId}`, merchantId });
const asAgent = (agentId: string): Principal => ({ kind: 'AGENT', keyId: `key_${agentId}`, agentId });

const BY_ID = /* GraphQL */ `
  query Conversion($id: ID!) {
    conversion(id: $id) {
      id status conversionPath verification orderReference validationPeriodDays validatesAt version
      transactionValue { amountMinor currency amount }
      merchant { id }
      agent { id }
    }
  }
`;
const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Conversion { id status transactionValue { amount } agent { id } }
    }
  }
`;

let app: SubgraphApp;
let server: RunningServer;
let call: ReturnType<typeof signedCaller>;

beforeAll(async () => {
  ({ app, server, call, secret } = await startSubgraph({ createApp, loadConfig }));

  await app.dataSource.getRepository(ConversionEntity).save([
    {
      id: verified,
      merchantId: merchantA,
      agentId: agentA,
      status: ConversionStatus.PENDING,
      conversionPath: ConversionPath.VERIFIED_PAYMENT,
      verification: 'verified',
      currency: 'GBP',
      transactionValueMinor: 1000,
      orderReference: null,
      validationPeriodDays: 30,
      validatesAt,
    },
    {
      id: reported,
      merchantId: merchantB,
      agentId: null,
      status: ConversionStatus.VALIDATED,
      conversionPath: ConversionPath.MERCHANT_REPORTED,
      verification: 'pending_validation',
      currency: 'KWD',
      transactionValueMinor: 1500,
      orderReference: 'ORD-42',
      validationPeriodDays: 14,
      validatesAt,
    },
  ]);
});

afterAll(async () => {
  await server?.close();
  await app?.close();
});

describe('migrations', () => {
  it('create the conversion, idempotency and outbox tables in schema ledger, once', async () => {
    const tables: Array<{ table_name: string }> = await app.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'ledger' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['conversions', 'idempotency_keys', 'outbox', 'migrations']),
    );
    expect(await app.migrate()).toEqual([]);
  });
});

describe('schema', () => {
  it('owns Conversion and references Merchant and Agent without resolving them', () => {
    expect(app.sdl).toMatch(/type Conversion @key\(fields: "id"\)/);
    expect(app.sdl).toMatch(/type Merchant @key\(fields: "id", resolvable: false\)/);
    expect(app.sdl).toMatch(/type Agent @key\(fields: "id", resolvable: false\)/);
    expect(app.sdl).toContain('conversion(id: ID!): Conversion');
  });
});

describe('conversion(id)', () => {
  it('shows the owning merchant the whole conversion', async () => {
    const res = await call(asMerchant(merchantA), BY_ID, { id: verified });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data?.conversion).toEqual({
      id: verified,
      status: 'PENDING',
      conversionPath: 'VERIFIED_PAYMENT',
      verification: 'verified',
      orderReference: null,
      validationPeriodDays: 30,
      validatesAt: validatesAt.toISOString(),
      version: 1,
      transactionValue: { amountMinor: 1000, currency: 'GBP', amount: '10.00' },
      merchant: { id: merchantA },
      agent: { id: agentA },
    });
  });

  it('gives a conversion without an agent agent: null, and KWD three decimals', async () => {
    const res = await call(asMerchant(merchantB), BY_ID, { id: reported });
    expect(res.data?.conversion).toMatchObject({
      conversionPath: 'MERCHANT_REPORTED',
      verification: 'pending_validation',
      orderReference: 'ORD-42',
      transactionValue: { amountMinor: 1500, currency: 'KWD', amount: '1.500' },
      agent: null,
    });
  });

  it('gives another merchant null, not an error', async () => {
    const res = await call(asMerchant(merchantB), BY_ID, { id: verified });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ conversion: null });
  });

  it('shows admin and internal services every conversion', async () => {
    for (const principal of [admin, service]) {
      for (const conversionId of [verified, reported]) {
        expect((await call(principal, BY_ID, { id: conversionId })).data?.conversion?.id).toBe(conversionId);
      }
    }
  });

  it('shows an agent only the conversions it earned', async () => {
    expect((await call(asAgent(agentA), BY_ID, { id: verified })).data?.conversion?.id).toBe(verified);
    expect((await call(asAgent(agentB), BY_ID, { id: verified })).data?.conversion).toBeNull();
    expect((await call(asAgent(agentA), BY_ID, { id: reported })).data?.conversion).toBeNull();
  });

  it('shows the hosted page no conversion', async () => {
    const res = await call({ kind: 'CLIENT', checkoutSessionId: id('cs') }, BY_ID, { id: verified });
    expect(res.errors).toBeUndefined();
    expect(res.data?.conversion).toBeNull();
  });

  it('refuses an anonymous principal with UNAUTHENTICATED', async () => {
    const res = await call({ kind: 'ANONYMOUS' }, BY_ID, { id: verified });
    expect(res.data?.conversion ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('_entities (Conversion reference)', () => {
  const representations = [{ __typename: 'Conversion', id: verified }];

  it('resolves for the owner and the earning agent', async () => {
    for (const principal of [asMerchant(merchantA), asAgent(agentA)]) {
      const res = await call(principal, ENTITIES, { representations });
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual([
        { id: verified, status: 'PENDING', transactionValue: { amount: '10.00' }, agent: { id: agentA } },
      ]);
    }
  });

  it('is null for another tenant', async () => {
    for (const principal of [asMerchant(merchantB), asAgent(agentB)]) {
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
    const res = await call(null, BY_ID, { id: verified });
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
  });

  it('answers a call signed with another secret with 401', async () => {
    const forged = signedCaller(server.url, randomBytes(32).toString('hex'));
    expect((await forged(admin, BY_ID, { id: verified })).status).toBe(401);
  });
});
