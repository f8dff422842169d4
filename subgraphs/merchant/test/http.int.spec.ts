// The merchant subgraph over HTTP, signed exactly as the gateway signs: auth, role rules,
// tenant isolation, secrets, the internal key lookup, idempotency and references.
import { hashApiKey, type Principal, type RunningServer } from '@handoff/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  agentPrincipal,
  anonymous,
  codeOf,
  merchantPrincipal,
  service,
  startTestApp,
  subgraphClient,
  unique,
  type TestApp,
} from './support.js';

let t: TestApp;
let server: RunningServer;
let gql: ReturnType<typeof subgraphClient>;

beforeAll(async () => {
  t = await startTestApp();
  server = await t.app.listen(0);
  gql = subgraphClient(server, t.secret);
});

afterAll(async () => {
  await server?.close();
  await t?.close();
});

const MERCHANT_FIELDS = `
  id name country defaultCurrency status validationPeriodDays
  commissionTerms { type cpa { amountMinor currency amount } percentageBps }
  conversionFlow { type steps payableAfter }
  paymentConnector { provider status connectedAt webhookSecret }`;

const CREATE_MERCHANT = `mutation ($input: CreateMerchantInput!, $key: String) {
  createMerchant(input: $input, idempotencyKey: $key) { ${MERCHANT_FIELDS} }
}`;
const CREATE_OFFER = `mutation ($input: CreateOfferInput!) {
  createOffer(input: $input) { id name provider active price { amountMinor currency amount } merchant { id name } }
}`;

const merchantInput = (name = unique('SMARTY')) => ({
  name,
  country: 'GB',
  defaultCurrency: 'GBP',
  commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
});

async function createMerchant(input = merchantInput()) {
  const r = await gql(admin, CREATE_MERCHANT, { input });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.createMerchant as { id: string; name: string };
}

async function createOffer(p: Principal, merchantId: string, extra: Record<string, unknown> = {}) {
  const r = await gql(p, CREATE_OFFER, { input: { merchantId, name: unique('Offer'), price: { amountMinor: 1000, currency: 'GBP' }, ...extra } });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.createOffer as { id: string };
}

describe('signatures', () => {
  const query = '{ viewer { role } }';

  it('accepts a signed request', async () => {
    const r = await gql(admin, query);
    expect(r.status).toBe(200);
    expect(r.body.data.viewer).toEqual({ role: 'ADMIN' });
  });

  it('answers 401 to unsigned, forged, stale and replayed-for-another-body calls', async () => {
    expect((await gql(admin, query, {}, { sign: false })).status).toBe(401);
    expect((await gql(admin, query, {}, { sign: { secret: 'x'.repeat(40) } })).status).toBe(401);
    expect((await gql(admin, query, {}, { sign: { now: Date.now() - 120_000 } })).status).toBe(401);
    expect((await gql(admin, query, {}, { sign: { body: JSON.stringify({ query: '{ __typename }' }) } })).status).toBe(401);
    const r = await gql(admin, query, {}, { sign: false });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an anonymous principal with UNAUTHENTICATED', async () => {
    const r = await gql(anonymous, '{ merchants { totalCount } }');
    expect(codeOf(r)).toBe('UNAUTHENTICATED');
  });
});

describe('merchants over HTTP', () => {
  it('creates and reads a merchant with money and a flow', async () => {
    const r = await gql(admin, CREATE_MERCHANT, {
      input: { ...merchantInput(), conversionFlow: { type: 'quote_application' }, validationPeriodDays: 45 },
    });
    expect(r.body.errors).toBeUndefined();
    const m = r.body.data.createMerchant;
    expect(m).toMatchObject({
      country: 'GB',
      defaultCurrency: 'GBP',
      status: 'ACTIVE',
      validationPeriodDays: 45,
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP', amount: '8.00' }, percentageBps: null },
      conversionFlow: {
        type: 'quote_application',
        steps: ['quote_requested', 'application_submitted', 'application_approved', 'payment_received'],
        payableAfter: 'payment_received',
      },
      paymentConnector: null,
    });
    const read = await gql(admin, `query ($id: ID!) { merchant(id: $id) { id name } }`, { id: m.id });
    expect(read.body.data.merchant).toEqual({ id: m.id, name: m.name });
  });

  it('answers bad input with BAD_USER_INPUT naming the field, and only admins create merchants', async () => {
    const name = unique('Bad');
    const r = await gql(admin, CREATE_MERCHANT, { input: { ...merchantInput(name), country: 'XX' } });
    expect(r.status).toBe(200);
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.message).toMatch(/^country: /);
    expect(r.body.data).toBeNull();
    const m = await createMerchant();
    expect(codeOf(await gql(merchantPrincipal(m.id), CREATE_MERCHANT, { input: merchantInput() }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(agentPrincipal('a'), CREATE_MERCHANT, { input: merchantInput() }))).toBe('FORBIDDEN');
    const [row] = await t.app.dataSource.query('SELECT count(*)::int AS n FROM merchant.merchants WHERE name = $1', [name]);
    expect(row.n).toBe(0);
  });

  it('a merchant key sees only its own merchant, by id and by list', async () => {
    const a = await createMerchant();
    const b = await createMerchant();
    const asA = merchantPrincipal(a.id);
    const other = await gql(asA, `query ($id: ID!) { merchant(id: $id) { id } }`, { id: b.id });
    expect(other.body.errors).toBeUndefined();
    expect(other.body.data.merchant).toBeNull();
    const own = await gql(asA, `query ($id: ID!) { merchant(id: $id) { id } }`, { id: a.id });
    expect(own.body.data.merchant).toEqual({ id: a.id });
    const list = await gql(asA, `{ merchants(first: 100) { totalCount edges { node { id } } } }`);
    expect(list.body.data.merchants).toEqual({ totalCount: 1, edges: [{ node: { id: a.id } }] });
    const viewer = await gql(asA, `{ viewer { role apiKeyId merchant { id } agent { id } } }`);
    expect(viewer.body.data.viewer).toEqual({ role: 'MERCHANT', apiKeyId: `key_${a.id}`, merchant: { id: a.id }, agent: null });
    // … and cannot write to another merchant
    const upd = await gql(asA, `mutation ($id: ID!) { updateMerchant(id: $id, input: { name: "x" }) { id } }`, { id: b.id });
    expect(codeOf(upd)).toBe('FORBIDDEN');
    const offer = await gql(asA, CREATE_OFFER, { input: { merchantId: b.id, name: 'x', price: { amountMinor: 1, currency: 'GBP' } } });
    expect(codeOf(offer)).toBe('FORBIDDEN');
  });

  it('uses the Idempotency-Key header when no argument is given; 20 concurrent calls make one merchant', async () => {
    const input = merchantInput();
    const key = unique('http-idem').replace(' ', '-');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => gql(admin, CREATE_MERCHANT, { input }, { headers: { 'idempotency-key': key } })),
    );
    const ids = new Set(results.map((r) => r.body.data?.createMerchant?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeTruthy();
    const reused = await gql(admin, CREATE_MERCHANT, { input: { ...input, country: 'FR' }, key });
    expect(codeOf(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('offers and agents over HTTP', () => {
  it('an agent reads only active offers and cannot create one', async () => {
    const m = await createMerchant();
    const active = await createOffer(merchantPrincipal(m.id), m.id);
    const inactive = await createOffer(admin, m.id, { active: false });
    const agent = agentPrincipal('agent-http');
    const r = await gql(agent, `query ($m: ID!) { offers(merchantId: $m) { totalCount edges { node { id active merchant { id } } } } }`, {
      m: m.id,
    });
    expect(r.body.data.offers).toEqual({ totalCount: 1, edges: [{ node: { id: active.id, active: true, merchant: { id: m.id } } }] });
    const hidden = await gql(agent, `query ($id: ID!) { offer(id: $id) { id } }`, { id: inactive.id });
    expect(hidden.body.data.offer).toBeNull();
    const create = await gql(agent, CREATE_OFFER, { input: { merchantId: m.id, name: 'x', price: { amountMinor: 1, currency: 'GBP' } } });
    expect(codeOf(create)).toBe('FORBIDDEN');
    // merchant.offers for the merchant itself lists both
    const own = await gql(merchantPrincipal(m.id), `query ($id: ID!) { merchant(id: $id) { offers { totalCount } } }`, { id: m.id });
    expect(own.body.data.merchant.offers.totalCount).toBe(2);
  });

  it('creates an offer with money, provider defaulting to the merchant name', async () => {
    const m = await createMerchant();
    const r = await gql(merchantPrincipal(m.id), CREATE_OFFER, {
      input: { merchantId: m.id, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
    });
    expect(r.body.data.createOffer).toMatchObject({
      provider: m.name,
      active: true,
      price: { amountMinor: 1000, currency: 'GBP', amount: '10.00' },
      merchant: { id: m.id, name: m.name },
    });
    const bad = await gql(admin, CREATE_OFFER, { input: { merchantId: m.id, name: 'x', price: { amountMinor: 1000, currency: 'USD' } } });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.body.errors?.[0]?.message).toMatch(/^price\.currency: /);
  });

  it('registers agents with and without builders', async () => {
    const builderName = unique('Builder');
    const r = await gql(admin, `mutation ($input: RegisterAgentInput!) { registerAgent(input: $input) { id name builder { id name registered } } }`, {
      input: { name: 'Rako', builderName },
    });
    expect(r.body.data.registerAgent).toMatchObject({ name: 'Rako', builder: { name: builderName, registered: true } });
    const anon = await gql(admin, `mutation { registerAgent(input: { name: "Anon" }) { id builder { id } } }`);
    expect(anon.body.data.registerAgent.builder).toBeNull();
    const attached = await gql(admin, `mutation ($id: ID!, $b: String!) { registerBuilder(agentId: $id, builderName: $b) { id builder { name } } }`, {
      id: anon.body.data.registerAgent.id,
      b: builderName,
    });
    expect(attached.body.data.registerBuilder.builder).toEqual({ name: builderName });
    const self = await gql(agentPrincipal(r.body.data.registerAgent.id), `{ viewer { role agent { id builder { name } } } }`);
    expect(self.body.data.viewer).toEqual({ role: 'AGENT', agent: { id: r.body.data.registerAgent.id, builder: { name: builderName } } });
    expect(codeOf(await gql(agentPrincipal('x'), `mutation { registerAgent(input: { name: "No" }) { id } }`))).toBe('FORBIDDEN');
  });
});

describe('payment connectors over HTTP', () => {
  const CONNECT = `mutation ($m: ID!, $input: ConnectPaymentProcessorInput!) {
    connectPaymentProcessor(merchantId: $m, input: $input) { provider status connectedAt webhookSecret hasWebhookSecret }
  }`;

  it('returns the TEST webhook secret once; later reads show null; agents never see the connector', async () => {
    const m = await createMerchant();
    const r = await gql(merchantPrincipal(m.id), CONNECT, { m: m.id, input: { provider: 'TEST' } });
    expect(r.body.data.connectPaymentProcessor).toMatchObject({ provider: 'TEST', status: 'connected', hasWebhookSecret: true });
    const secret = r.body.data.connectPaymentProcessor.webhookSecret as string;
    expect(secret).toMatch(/^whsec_/);
    const [row] = await t.app.dataSource.query('SELECT webhook_secret_ciphertext FROM merchant.payment_connectors WHERE merchant_id = $1', [m.id]);
    expect(row.webhook_secret_ciphertext).not.toContain(secret);

    const q = `query ($id: ID!) { merchant(id: $id) { paymentConnector { provider webhookSecret } } }`;
    expect((await gql(merchantPrincipal(m.id), q, { id: m.id })).body.data.merchant.paymentConnector).toEqual({ provider: 'TEST', webhookSecret: null });
    expect((await gql(admin, q, { id: m.id })).body.data.merchant.paymentConnector).toEqual({ provider: 'TEST', webhookSecret: null });
    expect((await gql(agentPrincipal('a'), q, { id: m.id })).body.data.merchant.paymentConnector).toBeNull();
  });

  it('stores a STRIPE key encrypted, never returns it, and refuses a malformed one', async () => {
    const m = await createMerchant();
    const secretKey = `sk_live_${'Zz09'.repeat(6)}`;
    const r = await gql(admin, CONNECT, { m: m.id, input: { provider: 'STRIPE', secretKey } });
    expect(r.body.data.connectPaymentProcessor).toMatchObject({ provider: 'STRIPE', webhookSecret: null, hasWebhookSecret: false });
    expect(JSON.stringify(r.body)).not.toContain(secretKey);
    const [row] = await t.app.dataSource.query('SELECT secret_key_ciphertext FROM merchant.payment_connectors WHERE merchant_id = $1', [m.id]);
    expect(row.secret_key_ciphertext).not.toContain(secretKey);
    const bad = await gql(admin, CONNECT, { m: m.id, input: { provider: 'STRIPE', secretKey: 'nope' } });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.body.errors?.[0]?.message).toMatch(/^input\.secretKey: /);
    // the internal credentials query: services only
    const creds = `query ($m: ID!) { paymentConnectorCredentials(merchantId: $m) { provider secretKey } }`;
    expect((await gql(service, creds, { m: m.id })).body.data.paymentConnectorCredentials).toEqual({ provider: 'STRIPE', secretKey });
    expect(codeOf(await gql(admin, creds, { m: m.id }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(merchantPrincipal(m.id), creds, { m: m.id }))).toBe('FORBIDDEN');
  });
});

describe('api keys and the internal principal lookup', () => {
  const LOOKUP = `query ($h: String!) { apiKeyPrincipal(keyHash: $h) { keyId role merchantId agentId } }`;

  it('create → apiKeyPrincipal resolves it for SERVICE only; revoke → null', async () => {
    const m = await createMerchant();
    const created = await gql(
      admin,
      `mutation ($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m, name: "portal" }) { key apiKey { id role prefix name merchantId agentId revokedAt } } }`,
      { m: m.id },
    );
    const { key, apiKey } = created.body.data.createApiKey;
    expect(apiKey).toMatchObject({ role: 'MERCHANT', prefix: key.slice(0, 12), name: 'portal', merchantId: m.id, agentId: null, revokedAt: null });
    const h = hashApiKey(key);
    expect((await gql(service, LOOKUP, { h })).body.data.apiKeyPrincipal).toEqual({ keyId: apiKey.id, role: 'MERCHANT', merchantId: m.id, agentId: null });
    for (const p of [admin, merchantPrincipal(m.id), agentPrincipal('a')]) expect(codeOf(await gql(p, LOOKUP, { h }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(anonymous, LOOKUP, { h }))).toBe('UNAUTHENTICATED');

    const keys = await gql(merchantPrincipal(m.id), `{ apiKeys { totalCount edges { node { id } } } }`);
    expect(keys.body.data.apiKeys).toEqual({ totalCount: 1, edges: [{ node: { id: apiKey.id } }] });
    const revoked = await gql(merchantPrincipal(m.id), `mutation ($id: ID!) { revokeApiKey(id: $id) }`, { id: apiKey.id });
    expect(revoked.body.data.revokeApiKey).toBe(true);
    expect((await gql(service, LOOKUP, { h })).body.data.apiKeyPrincipal).toBeNull();
    expect((await gql(service, LOOKUP, { h: 'f'.repeat(64) })).body.data.apiKeyPrincipal).toBeNull();
  });

  it('only admins create keys, with an owner that exists', async () => {
    expect(codeOf(await gql(merchantPrincipal('m'), `mutation { createApiKey(input: { role: ADMIN }) { key } }`))).toBe('FORBIDDEN');
    expect(codeOf(await gql(admin, `mutation { createApiKey(input: { role: AGENT, agentId: "missing" }) { key } }`))).toBe('AGENT_NOT_FOUND');
    expect(codeOf(await gql(admin, `mutation { createApiKey(input: { role: MERCHANT }) { key } }`))).toBe('BAD_USER_INPUT');
  });
});

describe('reference resolvers', () => {
  const ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) {
    ... on Merchant { id name paymentConnector { provider } }
    ... on Offer { id active }
    ... on Agent { id name }
  } }`;

  it('apply the principal: a merchant resolves only itself; agents read referred merchants without the connector', async () => {
    const a = await createMerchant();
    const b = await createMerchant();
    await gql(admin, `mutation ($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: a.id });
    const offer = await createOffer(admin, b.id, { active: false });
    const reps = [
      { __typename: 'Merchant', id: a.id },
      { __typename: 'Merchant', id: b.id },
      { __typename: 'Offer', id: offer.id },
      { __typename: 'Merchant', id: 'missing' },
    ];
    const asA = await gql(merchantPrincipal(a.id), ENTITIES, { r: reps });
    expect(asA.body.errors).toBeUndefined();
    expect(asA.body.data._entities).toEqual([{ id: a.id, name: a.name, paymentConnector: { provider: 'TEST' } }, null, null, null]);

    const asAgent = await gql(agentPrincipal('a'), ENTITIES, { r: reps });
    expect(asAgent.body.data._entities).toEqual([
      { id: a.id, name: a.name, paymentConnector: null },
      { id: b.id, name: b.name, paymentConnector: null },
      { id: offer.id, active: false },
      null,
    ]);
  });
});

describe('offer(id) in one query', () => {
  const CHECKOUT_OFFER = `query ($id: ID!) {
    offer(id: $id) { id name provider active price { amountMinor currency } merchant { id name status paymentConnector { provider status } } }
  }`;

  /** Runs `fn`, counting the statements sent to the merchant tables meanwhile (the relay's own are not). */
  async function countingQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
    const logger = t.app.dataSource.logger;
    const original = logger.logQuery.bind(logger);
    const queries: string[] = [];
    logger.logQuery = (query, parameters, runner) => {
      if (/"(offers|merchants|payment_connectors)"/.test(query)) queries.push(query);
      return original(query, parameters, runner);
    };
    try {
      return { result: await fn(), queries };
    } finally {
      logger.logQuery = original;
    }
  }

  it('reads the offer, its merchant and its connector in one statement, for every caller, with the same results', async () => {
    const m = await createMerchant();
    const other = await createMerchant();
    await gql(admin, `mutation ($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: m.id });
    const active = await createOffer(admin, m.id);
    const inactive = await createOffer(admin, m.id, { active: false });
    const full = (offerId: string, isActive: boolean, connector: boolean) => ({
      id: offerId,
      active: isActive,
      merchant: { id: m.id, name: m.name, status: 'ACTIVE', paymentConnector: connector ? { provider: 'TEST', status: 'connected' } : null },
    });
    const cases: Array<[Principal, string, unknown]> = [
      [service, active.id, full(active.id, true, true)],
      [service, inactive.id, full(inactive.id, false, true)],
      [admin, active.id, full(active.id, true, true)],
      [merchantPrincipal(m.id), inactive.id, full(inactive.id, false, true)],
      [merchantPrincipal(other.id), active.id, null],
      [agentPrincipal('a'), active.id, full(active.id, true, false)],
      [agentPrincipal('a'), inactive.id, null],
      [service, 'missing', null],
    ];
    for (const [principal, id, expected] of cases) {
      const { result, queries } = await countingQueries(() => gql(principal, CHECKOUT_OFFER, { id }));
      expect(result.body.errors, `${principal.kind} ${id}`).toBeUndefined();
      if (expected === null) expect(result.body.data.offer, `${principal.kind} ${id}`).toBeNull();
      else expect(result.body.data.offer, `${principal.kind} ${id}`).toEqual(expect.objectContaining(expected as object));
      expect(queries, `${principal.kind} ${id}`).toHaveLength(1);
    }
    // Suspended: an agent no longer sees its offers; the service, the admin and the merchant do.
    await gql(admin, `mutation ($id: ID!) { updateMerchant(id: $id, input: { status: SUSPENDED }) { status } }`, { id: m.id });
    expect((await gql(agentPrincipal('a'), CHECKOUT_OFFER, { id: active.id })).body.data.offer).toBeNull();
    const suspended = await countingQueries(() => gql(service, CHECKOUT_OFFER, { id: active.id }));
    expect(suspended.result.body.data.offer.merchant).toMatchObject({ id: m.id, status: 'SUSPENDED', paymentConnector: { provider: 'TEST' } });
    expect(suspended.queries).toHaveLength(1);
    const own = await gql(merchantPrincipal(m.id), CHECKOUT_OFFER, { id: active.id });
    expect(own.body.data.offer.merchant.status).toBe('SUSPENDED');
    // Anonymous callers are refused before any query.
    const anon = await countingQueries(() => gql(anonymous, CHECKOUT_OFFER, { id: active.id }));
    expect(codeOf(anon.result)).toBe('UNAUTHENTICATED');
    expect(anon.queries).toHaveLength(0);
  });
});
