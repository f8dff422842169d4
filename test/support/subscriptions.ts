// graphql-ws helpers for end-to-end tests: the real client (createClient over `ws`) collecting a
// subscription's events, and a raw socket for protocol violations the real client never makes.
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { composeSupergraph, type RunningHandoff } from '@handoff/launcher';
import { createGateway, loadGatewayConfig, type HandoffGateway, type RunningServer } from '@handoff/gateway';
import { GqlClient } from './client.js';
import { startTestHandoff } from './handoff.js';

export const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntent { id status } } }`;


export const wsUrlOf = (graphqlUrl: string) => graphqlUrl.replace(/^http/, 'ws');

export interface Collected<T = any> {
  results: Array<FormattedExecutionResult<T, { cursor?: string }>>;
  /** The error the subscription ended with (an array of GraphQL errors, or a CloseEvent). */
  error: unknown;
  done: boolean;
  /** Resolves once `n` results have arrived (or rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<Array<FormattedExecutionResult<T, { cursor?: string }>>>;
  /** Resolves once the subscription has ended (error or complete). */
  ended(timeoutMs?: number): Promise<unknown>;
  stop(): void;
}

export function wsClient(graphqlUrl: string, key: string | undefined, extra: { onClosed?: (code: number) => void } = {}): Client {
  return createClient({
    url: wsUrlOf(graphqlUrl),
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => extra.onClosed?.((e as { code: number }).code) },
  });
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function collect<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const c: Collected<T> = {
    results: [],
    error: undefined,
    done: false,
    waitFor: async (n, timeoutMs = 15_000) => {
      await until(() => c.results.length >= n || c.done, timeoutMs, `${n} events (have ${c.results.length})`);
      if (c.results.length < n) throw new Error(`Subscription ended after ${c.results.length} events: ${JSON.stringify(c.error)}`);
      return c.results;
    },
    ended: async (timeoutMs = 15_000) => {
      await until(() => c.done, timeoutMs, 'the subscription to end');
      return c.error;
    },
    stop: () => undefined,
  };
  c.stop = client.subscribe<T, { cursor?: string }>(
    { query, variables },
    {
      next: (r) => void c.results.push(r),
      error: (e) => {
        c.error = e;
        c.done = true;
      },
      complete: () => {
        c.done = true;
      },
    },
  );
  return c;
}

/** A bare graphql-transport-ws socket; `closed` resolves with the server's close code. */
export function rawSocket(graphqlUrl: string): { ws: WebSocket; opened: Promise<void>; closed: Promise<{ code: number; reason: string }>; messages: any[] } {
  const ws = new WebSocket(wsUrlOf(graphqlUrl), 'graphql-transport-ws');
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return { ws, opened, closed, messages };
}

// A world for subscription tests: two merchants with sandbox PSPs and keys, an agent with a session.
export interface World {
  handoff: RunningHandoff;
  admin: GqlClient;
  merchantA: { id: string; key: string; http: GqlClient };
  merchantB: { id: string; key: string; http: GqlClient };
  agent: { key: string; sessionId: string; offerId: string; http: GqlClient };
}

export async function setUpWorld(extraEnv: Record<string, string> = {}): Promise<World> {
  const handoff = await startTestHandoff({ extraEnv: { SANDBOX_PROCESSING_DELAY_MS: '200', ...extraEnv } });
  const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
  const merchant = async (name: string) => {
    const { createMerchant } = await admin.ok(`mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
      input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' } },
    });
    const key = (await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { role: 'MERCHANT', merchantId: createMerchant.id } })).createApiKey.key as string;
    await admin.ok(`mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`, { m: createMerchant.id });
    return { id: createMerchant.id as string, key, http: admin.as(key) };
  };
  const merchantA = await merchant('SMARTY');
  const merchantB = await merchant('Ikawaari');
  const agent = (await admin.ok(`mutation { registerAgent(input: { name: "Shopper", builderName: "Acme Agents" }) { id } }`)).registerAgent;
  const agentKey = (await admin.ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { role: 'AGENT', agentId: agent.id } })).createApiKey.key;
  const agentSessionId = (await admin.as(agentKey).ok(`mutation { startAgentSession(input: { query: "a sim plan" }) { id } }`)).startAgentSession.id;
  const offerId = (
    await admin.ok(`mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`, {
      input: { merchantId: merchantA.id, name: '30GB Rolling Monthly', price: { amountMinor: 1000, currency: 'GBP' } },
    })
  ).createOffer.id;
  // Merchant A reports conversions on this session: it must have recommended one of A's offers.
  await admin.as(agentKey).ok(`mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s: agentSessionId, o: offerId });
  return { handoff, admin, merchantA, merchantB, agent: { key: agentKey, sessionId: agentSessionId, offerId, http: admin.as(agentKey) } };
}

/** Another gateway replica over the same subgraphs, database and Redis. */
export async function startReplica(handoff: RunningHandoff, extraEnv: Record<string, string> = {}): Promise<{ gateway: HandoffGateway; server: RunningServer; graphqlUrl: string }> {
  const { supergraphSdl } = composeSupergraph(handoff.subgraphs.map((s) => ({ name: s.name, url: s.url, sdl: s.app.sdl })));
  const gateway = await createGateway({
    config: loadGatewayConfig({ ...handoff.env, ...extraEnv }),
    supergraphSdl,
    subgraphUrls: Object.fromEntries(handoff.subgraphs.map((s) => [s.name, s.url])),
  });
  const server = await gateway.listen(0);
  return { gateway, server, graphqlUrl: `${server.url}/graphql` };
}

export async function createSession(m: World['merchantA'], name = '30GB Rolling Monthly') {
  const { createCheckoutSession } = await m.http.ok(CREATE_SESSION, {
    input: { lineItems: [{ name, unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 }] },
  });
  return { sessionId: createCheckoutSession.id as string, intentId: createCheckoutSession.paymentIntent.id as string };
}
