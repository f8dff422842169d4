// The conversion ledger through the gateway, as clients use it: seed 001's merchant report and
// milestones over GraphQL and REST (its example requests and numbers), BI queries, settlement
// and tenancy. Agent sessions come from the checkout-session subgraph's `startAgentSession`: when
// starting one fails, the tests that need one fail (they are never skipped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';

const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const START_SESSION = `mutation { startAgentSession(input: { query: "30GB SIM" }) { id } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`;
const RECOMMEND = `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`;
const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id agent { id } } }`;
const ENTRY_COUNT = `{ ledgerEntries(first: 1) { totalCount } }`;
const BALANCES = `{ ledgerBalances { account balance { amountMinor } } }`;
const CONVERSIONS = `query($filter: ConversionFilter) { conversions(filter: $filter, first: 5) { totalCount edges { node { id status verification
  merchant { id name } commission { amount { amount } networkFee { amount } builderPayout { amount } } } } } }`;
const SUMMARY = `query($groupBy: SummaryGroup!) { commissionSummary(groupBy: $groupBy) { key count commission { amount } builderPayout { amount } } }`;
const BATCHES = `{ settlementBatches(first: 20) { edges { node { payee total { amount currency } conversions(first: 20) { edges { node { id } } } } } } }`;
const RUN = `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id payee total { amount currency } } }`;

describe('conversion ledger through the gateway', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let anon: GqlClient;
  let merchantId: string;
  let otherMerchantId: string;
  let offerId: string;
  let merchantKey: string;
  let otherMerchantKey: string;
  let agentKey: string;

  const rest = (path: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${handoff.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  beforeAll(async () => {
    handoff = await startTestHandoff();
    anon = new GqlClient(handoff.graphqlUrl);
    admin = anon.as(handoff.adminKey);
    merchantId = (await admin.ok(CREATE_MERCHANT, {
      input: {
        name: 'SMARTY', country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
        commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
        conversionFlow: { type: 'install_activation', payableAfter: 'service_activated' },
      },
    })).createMerchant.id;
    const other = (await admin.ok(CREATE_MERCHANT, {
      input: { name: 'Other', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
    })).createMerchant.id;
    otherMerchantId = other;
    offerId = (await admin.ok(CREATE_OFFER, { input: { merchantId, name: '30GB SIM', price: { amountMinor: 1000, currency: 'GBP' } } })).createOffer.id;
    merchantKey = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key;
    otherMerchantKey = (await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId: other } })).createApiKey.key;
    const agentId = (await admin.ok(REGISTER_AGENT, { input: { name: 'Shopper', builderName: `Acme ${Date.now()}` } })).registerAgent.id;
    agentKey = (await admin.ok(CREATE_KEY, { input: { role: 'AGENT', agentId } })).createApiKey.key;
  });

  afterAll(async () => {
    await handoff?.stop();
  });

  it('serves the ledger schema through the gateway: empty lists, summaries and a balanced ledger', async () => {
    const me = anon.as(merchantKey);
    expect((await me.ok(CONVERSIONS, {})).conversions).toMatchObject({ totalCount: expect.any(Number) });
    expect((await admin.ok(`{ ledgerCheck { balanced } }`)).ledgerCheck.balanced).toBe(true);
    expect(await me.errorCode(`{ ledgerCheck { balanced } }`)).toBe('FORBIDDEN');
    expect(await anon.errorCode(CONVERSIONS, {})).toBe('UNAUTHENTICATED');
    expect(await me.errorCode(RUN, {})).toBe('FORBIDDEN');
    expect(await me.errorCode(`query($id: ID!) { conversion(id: $id) { id } }`, { id: 'nope' }).catch(() => 'none')).toBe('none');
  });

  it('answers the REST edges with the statuses of their failures', async () => {
    const example = { sessionId: '01KN6KV0TWMH8VS6TDS3S7V2EJ', orderReference: 'ORD-100045', transactionValue: 10 };
    expect((await rest('/v1/conversions', undefined, example)).status).toBe(401);
    expect((await rest('/v1/conversions', agentKey, example)).status).toBe(403);
    expect((await rest('/v1/conversions', merchantKey, { orderReference: 'x' })).status).toBe(400);
    expect((await rest('/v1/conversions', merchantKey, { ...example, transactionValue: -1 })).status).toBe(400);
    expect((await rest('/v1/conversions/nope/milestones', merchantKey, { step: 'order_placed', status: 'completed' })).status).toBe(404);
    expect((await rest('/v1/conversions', merchantKey, example)).status).toBe(404); // unknown session
  });

  it("seed 001: a merchant report (REST, the seed's example) and its milestones, settled and summarised", async () => {
    const sessionId = (await anon.as(agentKey).ok(START_SESSION)).startAgentSession.id;
    await anon.as(agentKey).ok(RECOMMEND, { s: sessionId, o: offerId });
    const reported = await rest('/v1/conversions', merchantKey, { sessionId, orderReference: 'ORD-100045', transactionValue: 10 });
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({
      sessionId, orderReference: 'ORD-100045', transactionValue: 10,
      commission: { amount: 8, networkFee: 1.6, builderPayout: 6.4, type: 'cpa' },
      status: 'pending', validationPeriodDays: 0,
    });
    const again = await rest('/v1/conversions', merchantKey, { sessionId, orderReference: 'ORD-100045', transactionValue: 10 });
    expect(again.body.conversionId).toBe(reported.body.conversionId);
    const id = reported.body.conversionId;

    const bad = await rest(`/v1/conversions/${id}/milestones`, merchantKey, { step: 'teleported', status: 'completed' });
    expect(bad).toMatchObject({ status: 422, body: { code: 'INVALID_MILESTONE' } });
    const early = await rest(`/v1/conversions/${id}/milestones`, merchantKey, { step: 'service_activated', status: 'completed' });
    expect(early).toMatchObject({ status: 422, body: { reason: 'milestone:out_of_order' } });
    for (const step of ['order_placed', 'install_scheduled', 'install_completed']) {
      expect((await rest(`/v1/conversions/${id}/milestones`, merchantKey, { step, status: 'completed' })).status).toBe(201);
    }
    const activated = await rest(`/v1/conversions/${id}/milestones`, merchantKey, {
      step: 'service_activated', status: 'completed', metadata: { activatedAt: '2026-04-15T10:30:00Z', serviceReference: 'BB-88391' },
    });
    expect(activated).toMatchObject({ status: 201, body: { step: 'service_activated', metadata: { serviceReference: 'BB-88391' } } });
    expect((await rest(`/v1/conversions/${id}/milestones`, otherMerchantKey, { step: 'order_placed', status: 'completed' })).status).toBe(404);

    await admin.ok(RUN, { asOf: '2050-01-01T00:00:00.000Z' });
    // Read as each payee sees them (another file's run may have settled this conversion first).
    const batchesOf = async (key: string) => (await anon.as(key).ok(BATCHES)).settlementBatches.edges.map((e: any) => e.node)
      .filter((b: any) => b.conversions.edges.some((c: any) => c.node.id === id));
    expect((await batchesOf(merchantKey)).map((b: any) => [b.payee, b.total])).toEqual([[`merchant:${merchantId}`, { amount: '8.00', currency: 'GBP' }]]);
    expect((await batchesOf(agentKey)).map((b: any) => b.total)).toEqual([{ amount: '6.40', currency: 'GBP' }]);

    const mine = (await anon.as(merchantKey).ok(CONVERSIONS, {})).conversions;
    expect(mine.edges.map((e: any) => e.node)).toEqual([expect.objectContaining({
      id, status: 'PAYABLE', merchant: { id: merchantId, name: 'SMARTY' },
      commission: { amount: { amount: '8.00' }, networkFee: { amount: '1.60' }, builderPayout: { amount: '6.40' } },
    })]);
    expect((await anon.as(otherMerchantKey).ok(CONVERSIONS, {})).conversions.totalCount).toBe(0);
    expect((await anon.as(agentKey).ok(CONVERSIONS, {})).conversions.totalCount).toBe(1);
    const summary = (await anon.as(merchantKey).ok(SUMMARY, { groupBy: 'STATUS' })).commissionSummary;
    expect(summary).toEqual([{ key: 'PAYABLE', count: 1, commission: { amount: '8.00' }, builderPayout: { amount: '6.40' } }]);
    expect((await admin.ok(`{ ledgerCheck { balanced } }`)).ledgerCheck.balanced).toBe(true);
  });

  it("a merchant reporting on a session that never recommended its offers gets SESSION_NOT_FOUND (GraphQL and REST), nothing written", async () => {
    const agent = anon.as(agentKey);
    const other = anon.as(otherMerchantKey);
    const sessionId = (await agent.ok(START_SESSION)).startAgentSession.id;
    await agent.ok(RECOMMEND, { s: sessionId, o: offerId }); // merchant A's offer only
    const entriesBefore = (await admin.ok(ENTRY_COUNT)).ledgerEntries.totalCount;
    const input = { sessionId, orderReference: 'ORD-FOREIGN-1', transactionValue: { amountMinor: 5000, currency: 'GBP' } };

    const unknown = await other.request(REPORT, { input: { ...input, sessionId: '01KN6KV0TWMH8VS6TDS3S7V2EJ' } });
    const foreign = await other.request(REPORT, { input });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('SESSION_NOT_FOUND');
    // Indistinguishable from a session that does not exist.
    expect(foreign.errors?.[0]?.message.replace(sessionId, '<id>')).toBe(unknown.errors?.[0]?.message.replace('01KN6KV0TWMH8VS6TDS3S7V2EJ', '<id>'));
    expect(foreign.data?.reportConversion ?? null).toBeNull();
    const viaRest = await rest('/v1/conversions', otherMerchantKey, { sessionId, orderReference: 'ORD-FOREIGN-2', transactionValue: 50 });
    expect(viaRest).toMatchObject({ status: 404, body: { code: 'SESSION_NOT_FOUND' } });

    expect((await admin.ok(CONVERSIONS, { filter: { merchantId: otherMerchantId } })).conversions.totalCount).toBe(0);
    expect((await other.ok(BALANCES)).ledgerBalances.filter((b: any) => b.balance.amountMinor !== 0)).toEqual([]);
    expect((await admin.ok(ENTRY_COUNT)).ledgerEntries.totalCount).toBe(entriesBefore);

    // The merchant whose offer the session recommended still reports on it.
    const mine = await anon.as(merchantKey).ok(REPORT, { input: { ...input, orderReference: 'ORD-OWN-1' } });
    expect(mine.reportConversion.id).toEqual(expect.any(String));
    const own = await rest('/v1/conversions', merchantKey, { sessionId, orderReference: 'ORD-OWN-2', transactionValue: 50 });
    expect(own).toMatchObject({ status: 201, body: { sessionId, orderReference: 'ORD-OWN-2' } });
    expect((await admin.ok(ENTRY_COUNT)).ledgerEntries.totalCount).toBeGreaterThan(entriesBefore);
  });
});
