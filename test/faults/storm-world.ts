// What the webhook storm is about: a merchant on the sandbox PSP, an agent with a registered
// builder, and payment intents made through the real flow (agent session → recommendation →
// agent checkout, through the gateway), each with the AAP metadata checkout signed.
import { GqlClient } from '../support/client.js';

export interface StormIntent {
  id: string;
  checkoutSessionId: string;
  providerPaymentId: string;
  amountMinor: number;
  currency: string;
  metadata: Record<string, string>;
}

export interface StormWorld {
  admin: GqlClient;
  merchant: { id: string; key: string; webhookSecret: string };
  agent: { id: string; key: string };
  offerId: string;
  intents: StormIntent[];
}

const CHECKOUT = `mutation($s: ID!, $r: ID!, $k: String) {
  checkout(input: { sessionId: $s, recommendationId: $r }, idempotencyKey: $k) {
    checkoutSession { id paymentIntent { id providerPaymentId metadata amount { amountMinor currency } } }
  }
}`;

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** Retries a setup call a few times: setup runs before any fault, but the machine may be busy. */
async function ok<R = any>(client: GqlClient, doc: string, vars?: Record<string, unknown>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.ok<R>(doc, vars);
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

export async function setUpStormWorld(graphqlUrl: string, adminKey: string, intentCount: number, log: (line: string) => void = () => undefined): Promise<StormWorld> {
  const admin = new GqlClient(graphqlUrl, adminKey);
  const merchantId = (
    await ok(admin, `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name: 'Storm Shop', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  const webhookSecret = (await ok(admin, `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { webhookSecret } }`, { m: merchantId }))
    .connectPaymentProcessor.webhookSecret as string;
  const merchantKey = (await ok(admin, `mutation($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantId })).createApiKey.key as string;
  const offerId = (
    await ok(admin, `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
      input: { merchantId, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
    })
  ).createOffer.id as string;
  const agentId = (await ok(admin, `mutation { registerAgent(input: { name: "Storm Agent", builderName: "Storm Builders" }) { id } }`)).registerAgent.id as string;
  const agentKey = (await ok(admin, `mutation($a: ID!) { createApiKey(input: { role: AGENT, agentId: $a }) { key } }`, { a: agentId })).createApiKey.key as string;
  const agent = admin.as(agentKey);

  // Checkouts of one agent session queue on its row lock: a session per few checkouts, each
  // checkout its own recommendation.
  const PER_SESSION = 4;
  const sessions: Array<Promise<string>> = [];
  const sessionFor = (i: number) =>
    (sessions[Math.floor(i / PER_SESSION)] ??= ok(agent, `mutation { startAgentSession(input: { query: "a SIM plan" }) { id } }`).then((r) => r.startAgentSession.id as string));
  const intents: StormIntent[] = new Array(intentCount);
  const started = Date.now();
  await pool([...Array(intentCount).keys()], 12, async (i) => {
    const s = await sessionFor(i);
    const rec = (await ok(agent, `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s, o: offerId })).recommend.id;
    const cs = (await ok(agent, CHECKOUT, { s, r: rec, k: `storm-${i}` })).checkout.checkoutSession;
    const pi = cs.paymentIntent;
    intents[i] = { id: pi.id, checkoutSessionId: cs.id, providerPaymentId: pi.providerPaymentId, amountMinor: pi.amount.amountMinor, currency: pi.amount.currency, metadata: pi.metadata };
    if ((i + 1) % 500 === 0) log(`  ${i + 1}/${intentCount} intents (${Math.round((Date.now() - started) / 1000)} s)`);
  });
  return { admin, merchant: { id: merchantId, key: merchantKey, webhookSecret }, agent: { id: agentId, key: agentKey }, offerId, intents };
}
