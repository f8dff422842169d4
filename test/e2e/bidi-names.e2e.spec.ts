// Bidirectional control characters in names (issue 16, item 8): an RLO (U+202E) and its kin make
// a name render reversed or reordered on the hosted page and in portals. Every entry point that
// takes a name or other display text (GraphQL and the REST edges) refuses them with
// BAD_USER_INPUT naming the field, and writes nothing. Its own database, so the row counts are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { BIDI_CONTROL_CHARACTERS } from '@handoff/shared';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { diffCounts, privateDatabase, RowCounter } from './sweep/db.js';
import { makeTenant, type Tenant } from './sweep/tenants.js';

const RLO = '\u202e';
/** "SIM card" that renders as "drac MIS" after the override. */
const REVERSED = `${RLO}drac MIS`;

const MONEY = { amountMinor: 1000, currency: 'GBP' };
const M = {
  createMerchant: `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`,
  updateMerchant: `mutation($id: ID!, $input: UpdateMerchantInput!) { updateMerchant(id: $id, input: $input) { id } }`,
  createOffer: `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
  updateOffer: `mutation($id: ID!, $input: UpdateOfferInput!) { updateOffer(id: $id, input: $input) { id } }`,
  registerAgent: `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`,
  registerBuilder: `mutation($id: ID!, $name: String!) { registerBuilder(agentId: $id, builderName: $name) { id } }`,
  createApiKey: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
  createCheckoutSession: `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id } }`,
  startAgentSession: `mutation($q: String) { startAgentSession(input: { query: $q }) { id } }`,
  reportConversion: `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`,
  resolveFlagged: `mutation($id: ID!, $reason: String!) { resolveFlaggedConversion(id: $id, approve: false, reason: $reason) { id } }`,
  refund: `mutation($id: ID!, $reason: String) { refundPaymentIntent(id: $id, reason: $reason) { id } }`,
  confirm: `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`,
  agentBuilder: `query($id: ID!) { agent(id: $id) { builder { id } } }`,
};

interface GraphQLCase {
  name: string;
  field: string;
  as: () => GqlClient;
  query: string;
  variables: () => Record<string, unknown>;
}

describe('bidi control characters in names and display text', () => {
  let db: Awaited<ReturnType<typeof privateDatabase>>;
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let tenant: Tenant;
  let anonymousAgentId: string;
  let counter: RowCounter;

  async function settled(): Promise<void> {
    let last = await counter.snapshot();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await counter.snapshot();
      if (!diffCounts(last, now).length) return;
      last = now;
    }
  }

  beforeAll(async () => {
    db = await privateDatabase();
    handoff = await startTestHandoff({ databaseUrl: db.url });
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    tenant = await makeTenant(admin, 'Bidi', false);
    // A paid intent to refund, and an agent without a builder to give one.
    await tenant.merchant.ok(M.confirm, { id: tenant.ids.PaymentIntent![0] });
    anonymousAgentId = (await admin.ok(M.registerAgent, { input: { name: 'Anonymous agent' } })).registerAgent.id;
    counter = await RowCounter.open(handoff.env.DATABASE_URL!);
    await settled();
  }, 90_000);

  afterAll(async () => {
    await counter?.close();
    await handoff?.stop();
    await db?.drop();
  });

  const merchantInput = (name: string) => ({
    name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
  });
  const lineItems = (name: string) => [
    { name: 'Plan', unitAmount: MONEY, quantity: 1 },
    { name, unitAmount: { amountMinor: 250, currency: 'GBP' }, quantity: 2 },
  ];

  const graphqlCases = (): GraphQLCase[] => [
    { name: 'createMerchant', field: 'name', as: () => admin, query: M.createMerchant, variables: () => ({ input: merchantInput(REVERSED) }) },
    { name: 'updateMerchant', field: 'name', as: () => admin, query: M.updateMerchant, variables: () => ({ id: tenant.merchantId, input: { name: REVERSED } }) },
    { name: 'createOffer name', field: 'name', as: () => tenant.merchant, query: M.createOffer, variables: () => ({ input: { merchantId: tenant.merchantId, name: REVERSED, price: MONEY } }) },
    { name: 'createOffer provider', field: 'provider', as: () => tenant.merchant, query: M.createOffer, variables: () => ({ input: { merchantId: tenant.merchantId, name: 'Plan', provider: `O2 ${RLO}`, price: MONEY } }) },
    { name: 'updateOffer', field: 'name', as: () => tenant.merchant, query: M.updateOffer, variables: () => ({ id: tenant.ids.Offer![0], input: { name: REVERSED } }) },
    { name: 'registerAgent name', field: 'name', as: () => admin, query: M.registerAgent, variables: () => ({ input: { name: REVERSED } }) },
    { name: 'registerAgent builderName', field: 'builderName', as: () => admin, query: M.registerAgent, variables: () => ({ input: { name: 'Agent', builderName: `Acme\u2067 Labs` } }) },
    { name: 'registerBuilder', field: 'builderName', as: () => admin, query: M.registerBuilder, variables: () => ({ id: anonymousAgentId, name: `Acme\u200f Labs` }) },
    { name: 'createApiKey', field: 'name', as: () => admin, query: M.createApiKey, variables: () => ({ input: { role: 'MERCHANT', merchantId: tenant.merchantId, name: `ci ${RLO}key` } }) },
    { name: 'createCheckoutSession', field: 'lineItems[1].name', as: () => tenant.merchant, query: M.createCheckoutSession, variables: () => ({ input: { lineItems: lineItems(REVERSED) } }) },
    { name: 'startAgentSession', field: 'query', as: () => tenant.agent, query: M.startAgentSession, variables: () => ({ q: `cheap ${RLO}sim` }) },
    {
      name: 'reportConversion', field: 'orderReference', as: () => tenant.merchant, query: M.reportConversion,
      variables: () => ({ input: { sessionId: tenant.ids.AgentSession![1], orderReference: `ORD-${RLO}1`, transactionValue: { amountMinor: 2500, currency: 'GBP' } } }),
    },
    { name: 'resolveFlaggedConversion', field: 'reason', as: () => admin, query: M.resolveFlagged, variables: () => ({ id: tenant.ids.Conversion![0], reason: `ok\u061c` }) },
    { name: 'refundPaymentIntent', field: 'reason', as: () => tenant.merchant, query: M.refund, variables: () => ({ id: tenant.ids.PaymentIntent![0], reason: `customer \u202awish` }) },
  ];

  it('GraphQL: every mutation that takes a name or display text refuses a bidi control, naming the field, writing nothing', async () => {
    const problems: string[] = [];
    for (const c of graphqlCases()) {
      const before = await counter.snapshot();
      const r = await c.as().request(c.query, c.variables());
      const error = r.errors?.[0];
      if (r.data && Object.values(r.data).some((v) => v !== null)) problems.push(`${c.name}: accepted`);
      else if (error?.extensions?.code !== 'BAD_USER_INPUT') problems.push(`${c.name}: ${error?.extensions?.code} ${error?.message}`);
      else if (error.extensions.field !== c.field || !error.message.startsWith(`${c.field}: must not contain bidirectional control characters`)) {
        problems.push(`${c.name}: names ${String(error.extensions.field)}: ${error.message}`);
      }
      await settled();
      const written = diffCounts(before, await counter.snapshot());
      if (written.length) problems.push(`${c.name}: wrote ${written.join(', ')}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('every bidi control (overrides, embeddings, isolates, LRM/RLM/ALM) is refused in a line-item name', async () => {
    const before = await counter.snapshot();
    for (const c of BIDI_CONTROL_CHARACTERS) {
      const r = await tenant.merchant.request(M.createCheckoutSession, { input: { lineItems: lineItems(`SIM ${c}card`) } });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lineItems[1].name' });
    }
    await settled();
    expect(diffCounts(before, await counter.snapshot())).toEqual([]);
  });

  it('REST: seed 002 line_items[].name and seed 001 orderReference are refused with 400, the field named, nothing written', async () => {
    const base = handoff.gatewayUrl;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.merchant.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { error: string; code: string } };
    };
    const before = await counter.snapshot();
    const session = await post('/api/v1/checkout/sessions', {
      line_items: [{ name: 'Plan', amount: 1000, currency: 'GBP', quantity: 1 }, { name: REVERSED, amount: 250, currency: 'GBP', quantity: 2 }],
    });
    expect(session.status).toBe(400);
    expect(session.body.code).toBe('BAD_USER_INPUT');
    expect(session.body.error).toMatch(/^line_items\[1\]\.name: must not contain bidirectional control characters/);
    const conversion = await post('/v1/conversions', { sessionId: tenant.ids.AgentSession![1], orderReference: `ORD-${RLO}2`, transactionValue: 25 });
    expect(conversion.status).toBe(400);
    expect(conversion.body.code).toBe('BAD_USER_INPUT');
    expect(conversion.body.error).toMatch(/^orderReference: must not contain bidirectional control characters/);
    await settled();
    expect(diffCounts(before, await counter.snapshot())).toEqual([]);
  });

  it('still accepts right-to-left names that carry no control character', async () => {
    const name = 'שלום סים';
    const id = (await tenant.merchant.ok(M.createCheckoutSession, { input: { lineItems: lineItems(name) } })).createCheckoutSession.id;
    const read = await tenant.merchant.ok(`query($id: ID!) { checkoutSession(id: $id) { lineItems { name } } }`, { id });
    expect(read.checkoutSession.lineItems[1].name).toBe(name);
  });
});
