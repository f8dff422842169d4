// Test helpers for the merchant subgraph's integration specs: an app on this run's database,
// its services, and a client that signs requests exactly as the gateway does.
import { randomBytes, randomUUID } from 'node:crypto';
import { encodePrincipal, signRequest, type Principal, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { testEnv } from '../../../test/support/env.js';
import { createApp, loadConfig, type MerchantConfig } from '../src/index.js';
import { CommissionType } from '../src/merchant/merchant.enums.js';
import { createServices, type MerchantServices } from '../src/services.js';

export interface TestApp {
  app: SubgraphApp;
  config: MerchantConfig;
  services: MerchantServices;
  secret: string;
  close(): Promise<void>;
}

export async function startTestApp(): Promise<TestApp> {
  const { databaseUrl, queuePrefix, redisUrl } = testEnv();
  const secret = randomBytes(32).toString('base64url');
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: secret,
    LOG_LEVEL: 'silent',
    // 20 concurrent idempotent calls each hold a connection while they wait on the key's lock.
    DB_POOL_SIZE: '30',
  });
  const app = await createApp(config);
  await app.migrate();
  const services = createServices({ dataSource: app.dataSource, encryptionKey: config.encryptionKey });
  return { app, config, services, secret, close: () => app.close() };
}

export const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin_test' };
export const service: Principal = { kind: 'SERVICE', service: 'gateway' };
export const anonymous: Principal = { kind: 'ANONYMOUS' };
export const merchantPrincipal = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `key_${merchantId}`, merchantId });
export const agentPrincipal = (agentId: string): Principal => ({ kind: 'AGENT', keyId: `key_${agentId}`, agentId });

export const unique = (label: string) => `${label} ${randomBytes(4).toString('hex')}`;

export const gbpCpaMerchant = (name = unique('Merchant')) => ({
  name,
  country: 'GB',
  defaultCurrency: 'GBP',
  commissionTerms: { type: CommissionType.CPA, cpa: { amountMinor: 800, currency: 'GBP' } },
});

export interface GraphQLResponse<T = any> {
  status: number;
  body: { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown>; path?: unknown[] }> };
}

/** A client for a listening subgraph that signs like the gateway; `sign` lets a test tamper. */
export function subgraphClient(server: RunningServer, secret: string) {
  return async function gql<T = any>(
    principal: Principal,
    query: string,
    variables: Record<string, unknown> = {},
    opts: { headers?: Record<string, string>; sign?: { secret?: string; now?: number; body?: string } | false } = {},
  ): Promise<GraphQLResponse<T>> {
    const body = JSON.stringify({ query, variables });
    const requestId = randomUUID();
    const principalB64 = encodePrincipal(principal);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId, ...opts.headers };
    if (opts.sign !== false) {
      headers['x-handoff-principal'] = principalB64;
      headers['x-handoff-signature'] = signRequest({
        secret: opts.sign?.secret ?? secret,
        principalB64,
        requestId,
        body: opts.sign?.body ?? body,
        now: opts.sign?.now,
      });
    }
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as GraphQLResponse<T>['body'] };
  };
}

/** The error code of a failed GraphQL call (the first error's). */
export const codeOf = (r: GraphQLResponse) => r.body.errors?.[0]?.extensions?.code;
