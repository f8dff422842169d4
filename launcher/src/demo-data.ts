// Demo data for `npm start`, created through the public GraphQL API with the admin key and
// remembered in .data/demo.json so a restart reuses it (checked by id, recreated if missing).
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { graphqlOrThrow, graphqlRequest } from './graphql-client.js';
import { ensureDemoPricingConfig } from './demo-pricing-config.js';
import { ensureDemoPortalOwner, type DemoPortalOwner } from './demo-portal-owner.js';

export interface DemoData {
  smartyMerchantId: string;
  smartyOfferId: string;
  /** SMARTY's subscription offer (issue 22): a monthly plan (recurring MONTH, 7-day trial) a SUBSCRIPTION checkout session sells. */
  smartyPlanOfferId: string;
  secondMerchantId: string;
  secondOfferId: string;
  registeredAgentId: string;
  anonymousAgentId: string;
  keys: { merchant: string; secondMerchant: string; agent: string; anonymousAgent: string; admin: string };
  /** SMARTY's merchant portal owner (docs/portal-auth.md): its email and generated password. */
  portalOwner: DemoPortalOwner;
}

const MERCHANT_EXISTS = `query($id: ID!) { merchant(id: $id) { id paymentConnector { provider } } }`;
const OFFER_EXISTS = `query($id: ID!) { offer(id: $id) { id } }`;
const AGENT_EXISTS = `query($id: ID!) { agent(id: $id) { id } }`;
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!, $key: String) { createMerchant(input: $input, idempotencyKey: $key) { id } }`;
const CONNECT = `mutation($id: ID!, $input: ConnectPaymentProcessorInput!) { connectPaymentProcessor(merchantId: $id, input: $input) { provider status } }`;
const CREATE_OFFER = `mutation($input: CreateOfferInput!, $key: String) { createOffer(input: $input, idempotencyKey: $key) { id } }`;
const REGISTER_AGENT = `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const VIEWER = `query { viewer { role } }`;

export async function loadDemoData(graphqlUrl: string, adminKey: string, dataDir: string): Promise<DemoData> {
  const file = path.join(dataDir, 'demo.json');
  // The creations' idempotency keys name this data directory: two Handoffs sharing one database
  // (two test files of one run, say) with the same admin key must not be answered each other's
  // merchants. Stable for one directory, so an interrupted load resumes without duplicates.
  const scope = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const saved = await readFile(file, 'utf8').then(
    (s) => JSON.parse(s) as Partial<DemoData>,
    () => ({}) as Partial<DemoData>,
  );
  const admin = (query: string, variables: Record<string, unknown> = {}) =>
    graphqlOrThrow<Record<string, any>>(graphqlUrl, query, variables, { key: adminKey });
  const exists = async (query: string, id: string | undefined, field: string) =>
    id ? Boolean((await admin(query, { id }))[field]) : false;

  const ensureMerchant = async (id: string | undefined, input: Record<string, unknown>, key: string) => {
    if (await exists(MERCHANT_EXISTS, id, 'merchant')) return id!;
    return (await admin(CREATE_MERCHANT, { input, key })).createMerchant.id as string;
  };
  const ensureConnected = async (merchantId: string) => {
    const { merchant } = await admin(MERCHANT_EXISTS, { id: merchantId });
    if (!merchant.paymentConnector) await admin(CONNECT, { id: merchantId, input: { provider: 'TEST' } });
  };
  const ensureOffer = async (id: string | undefined, input: Record<string, unknown>, key: string) => {
    if (await exists(OFFER_EXISTS, id, 'offer')) return id!;
    return (await admin(CREATE_OFFER, { input, key })).createOffer.id as string;
  };
  const ensureAgent = async (id: string | undefined, input: Record<string, unknown>) => {
    if (await exists(AGENT_EXISTS, id, 'agent')) return id!;
    return (await admin(REGISTER_AGENT, { input })).registerAgent.id as string;
  };
  const ensureKey = async (key: string | undefined, input: Record<string, unknown>) => {
    if (key) {
      const r = await graphqlRequest<{ viewer: { role: string } }>(graphqlUrl, VIEWER, {}, { key });
      if (r.data?.viewer?.role === input.role) return key;
    }
    return (await admin(CREATE_KEY, { input })).createApiKey.key as string;
  };

  const smartyMerchantId = await ensureMerchant(
    saved.smartyMerchantId,
    {
      name: 'SMARTY',
      country: 'GB',
      defaultCurrency: 'GBP',
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } },
      validationPeriodDays: 30,
      conversionFlow: { type: 'instant_checkout' },
    },
    `demo-merchant-smarty-${scope}`,
  );
  await ensureConnected(smartyMerchantId);
  const smartyOfferId = await ensureOffer(
    saved.smartyOfferId,
    { merchantId: smartyMerchantId, name: '30GB Rolling Monthly', provider: 'SMARTY', price: { amountMinor: 1000, currency: 'GBP' } },
    `demo-offer-smarty-30gb-${scope}`,
  );
  const smartyPlanOfferId = await ensureOffer(
    saved.smartyPlanOfferId,
    {
      merchantId: smartyMerchantId, name: 'Unlimited Monthly Plan', provider: 'SMARTY', price: { amountMinor: 2000, currency: 'GBP' },
      recurring: { interval: 'MONTH', intervalCount: 1, trialDays: 7 },
    },
    `demo-offer-smarty-unlimited-plan-${scope}`,
  );
  await ensureDemoPricingConfig(graphqlUrl, adminKey, smartyMerchantId);
  const secondMerchantId = await ensureMerchant(
    saved.secondMerchantId,
    {
      name: 'Ikawaari Market',
      country: 'SN',
      defaultCurrency: 'XOF',
      commissionTerms: { type: 'PERCENTAGE', percentageBps: 1000 },
      validationPeriodDays: 14,
      conversionFlow: { type: 'install_activation' },
    },
    `demo-merchant-ikawaari-${scope}`,
  );
  await ensureConnected(secondMerchantId);
  const secondOfferId = await ensureOffer(
    saved.secondOfferId,
    { merchantId: secondMerchantId, name: 'Premium Plan', price: { amountMinor: 50000, currency: 'XOF' } },
    `demo-offer-ikawaari-premium-${scope}`,
  );
  const registeredAgentId = await ensureAgent(saved.registeredAgentId, { name: 'Shopping Assistant', builderName: 'Acme Agents Ltd' });
  const anonymousAgentId = await ensureAgent(saved.anonymousAgentId, { name: 'Anonymous Agent' });
  const keys = {
    admin: adminKey,
    merchant: await ensureKey(saved.keys?.merchant, { role: 'MERCHANT', merchantId: smartyMerchantId }),
    secondMerchant: await ensureKey(saved.keys?.secondMerchant, { role: 'MERCHANT', merchantId: secondMerchantId }),
    agent: await ensureKey(saved.keys?.agent, { role: 'AGENT', agentId: registeredAgentId }),
    anonymousAgent: await ensureKey(saved.keys?.anonymousAgent, { role: 'AGENT', agentId: anonymousAgentId }),
  };
  const portalOwner = await ensureDemoPortalOwner(graphqlUrl, adminKey, smartyMerchantId, saved.smartyMerchantId === smartyMerchantId ? saved.portalOwner : undefined);
  const demo: DemoData = { smartyMerchantId, smartyOfferId, smartyPlanOfferId, secondMerchantId, secondOfferId, registeredAgentId, anonymousAgentId, keys, portalOwner };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return demo;
}
