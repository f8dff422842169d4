// A commerce world through the gateway, as an admin and an agent would make it: a merchant on
// the sandbox PSP (with its webhook secret and an API key), an offer, an agent with a
// registered builder and its key; and agent checkout (session → recommendation → checkout),
// whose payment intent carries the AAP metadata checkout signed. Used by the fault storm
// (test/faults) and bench:system.
import { post } from './http-client.js';
import type { PspIntent } from './psp-webhooks.js';

export class GraphQLCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly codes: string[],
  ) {
    super(message);
  }
}

/** POSTs one operation; resolves `data`, throws GraphQLCallError on errors or no data. */
export async function gql<R = any>(url: string, key: string | undefined, query: string, variables: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<R> {
  const res = await post(url, { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, JSON.stringify({ query, variables }), timeoutMs);
  const text = res.text;
  let body: { data?: R | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  try {
    body = JSON.parse(text);
  } catch {
    throw new GraphQLCallError(`non-JSON response ${res.status}: ${text.slice(0, 200)}`, res.status, []);
  }
  if (body.errors?.length || !body.data) {
    throw new GraphQLCallError(`GraphQL error (${res.status}): ${JSON.stringify(body.errors ?? body).slice(0, 500)}`, res.status, (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE'));
  }
  return body.data;
}

/** Retries a setup call a few times: setup runs before any measurement, but the machine may be busy. */
export async function gqlRetried<R = any>(url: string, key: string | undefined, query: string, variables?: Record<string, unknown>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await gql<R>(url, key, query, variables);
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

export interface CommerceWorld {
  merchant: { id: string; key: string; webhookSecret: string };
  agent: { id: string; key: string };
  offerId: string;
}

export async function setUpCommerceWorld(graphqlUrl: string, adminKey: string, name = 'Storm'): Promise<CommerceWorld> {
  const ok = <R = any>(query: string, variables?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, adminKey, query, variables);
  const merchantId = (
    await ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name: `${name} Shop`, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
    })
  ).createMerchant.id as string;
  const webhookSecret = (await ok(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { webhookSecret } }`, { m: merchantId }))
    .connectPaymentProcessor.webhookSecret as string;
  const merchantKey = (await ok(`mutation($m: ID!) { createApiKey(input: { role: MERCHANT, merchantId: $m }) { key } }`, { m: merchantId })).createApiKey.key as string;
  const offerId = (
    await ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
      input: { merchantId, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
    })
  ).createOffer.id as string;
  const agentId = (await ok(`mutation($n: String!, $b: String!) { registerAgent(input: { name: $n, builderName: $b }) { id } }`, { n: `${name} Agent`, b: `${name} Builders` }))
    .registerAgent.id as string;
  const agentKey = (await ok(`mutation($a: ID!) { createApiKey(input: { role: AGENT, agentId: $a }) { key } }`, { a: agentId })).createApiKey.key as string;
  return { merchant: { id: merchantId, key: merchantKey, webhookSecret }, agent: { id: agentId, key: agentKey }, offerId };
}

export const START_SESSION = `mutation { startAgentSession(input: { query: "a SIM plan" }) { id } }`;
export const RECOMMEND = `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`;
export const CHECKOUT = `mutation($s: ID!, $r: ID!, $k: String) {
  checkout(input: { sessionId: $s, recommendationId: $r }, idempotencyKey: $k) {
    checkoutSession { id paymentIntent { id providerPaymentId metadata amount { amountMinor currency } } }
  }
}`;

export interface CheckedOutIntent extends PspIntent {
  id: string;
  checkoutSessionId: string;
}

type Call = <R = any>(query: string, variables?: Record<string, unknown>) => Promise<R>;

/** startAgentSession (unless a session is given), recommend, checkout with `idempotencyKey`. */
export async function agentCheckout(call: Call, offerId: string, idempotencyKey: string, sessionId?: string): Promise<CheckedOutIntent> {
  const s = sessionId ?? (await call(START_SESSION)).startAgentSession.id;
  const rec = (await call(RECOMMEND, { s, o: offerId })).recommend.id;
  const cs = (await call(CHECKOUT, { s, r: rec, k: idempotencyKey })).checkout.checkoutSession;
  const pi = cs.paymentIntent;
  return { id: pi.id, checkoutSessionId: cs.id, providerPaymentId: pi.providerPaymentId, amountMinor: pi.amount.amountMinor, currency: pi.amount.currency, metadata: pi.metadata };
}
