// A small Handoff for the payment-intent integration tests: the real merchant and
// payment-intent subgraphs (each with its own schema in this run's database), the
// payment-intent workers, the sandbox PSP beside them (its own schema, API and workers, reached
// over HTTP), and the gateway's webhook route mounted on an express app whose `callInternal`
// signs exactly as the gateway's does. PUBLIC_BASE_URL points at that app, so the sandbox's real
// HTTP webhooks come back through the real route.
import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import {
  createLogger,
  encodePrincipal,
  listen,
  PRINCIPAL_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  signRequest,
  type Principal,
  type RunningServer,
  type SubgraphApp,
} from '@handoff/shared';
import { createApp as createMerchantApp, loadConfig as loadMerchantConfig } from '@handoff/merchant';
import { createSandbox, loadSandboxConfig, type SandboxApp } from '@handoff/psp-sandbox';
import { webhookIngress } from '../../../gateway/src/webhooks/webhook-route.js';
import type { GatewayRouteDeps } from '../../../gateway/src/routes.js';
import { testEnv } from '../../../test/support/env.js';
import { scratchDatabase } from '../../../test/support/scratch-database.js';
import { signedCaller } from '../../../test/support/signed-call.js';
import { createApp, loadConfig } from '../src/index.js';
import { signatureHeader } from '../src/webhooks/signature.js';

export const admin: Principal = { kind: 'ADMIN', keyId: 'key_admin' };
export const service: Principal = { kind: 'SERVICE', service: 'checkout-session' };
export const asMerchant = (merchantId: string): Principal => ({ kind: 'MERCHANT', keyId: `key_${merchantId}`, merchantId });
export const asClient = (checkoutSessionId: string): Principal => ({ kind: 'CLIENT', checkoutSessionId });

export interface PaymentsHarness {
  secret: string;
  merchant: SubgraphApp;
  payments: SubgraphApp;
  paymentsUrl: string;
  /** The sandbox PSP (its tables are in schema `sandbox`), its URL and operator key. */
  sandbox: SandboxApp;
  sandboxUrl: string;
  sandboxAdminKey: string;
  merchantUrl: string;
  queuePrefix: string;
  gatewayUrl: string;
  call: ReturnType<typeof signedCaller>;
  callMerchant: ReturnType<typeof signedCaller>;
  /** A new merchant with a TEST connector; returns its id and webhook secret. */
  testMerchant(name?: string): Promise<{ id: string; webhookSecret: string }>;
  /** POSTs to the webhook route as a PSP would. */
  postWebhook(merchantId: string, body: string, headers?: Record<string, string>, provider?: string): Promise<{ status: number; json: any; retryAfter?: string }>;
  signedWebhook(merchantId: string, secret: string, event: Record<string, unknown>, t?: number): Promise<{ status: number; json: any; retryAfter?: string }>;
  close(): Promise<void>;
}

export async function startPaymentsHarness(extraEnv: Record<string, string> = {}): Promise<PaymentsHarness> {
  const env = testEnv();
  const secret = randomBytes(32).toString('hex');
  const queuePrefix = `${env.queuePrefix}-pi-${randomBytes(3).toString('hex')}`;
  const closers: Array<() => Promise<void>> = [];
  const base = {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: queuePrefix,
    NODE_ENV: 'test',
    HANDOFF_INTERNAL_SECRET: secret,
    HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };

  const merchant = await createMerchantApp(loadMerchantConfig(base));
  closers.push(() => merchant.close());
  await merchant.migrate();
  const merchantServer = await merchant.listen(0);
  closers.push(() => merchantServer.close());

  // The sandbox PSP, an external system on its own port with a database of its own (no other
  // file's sandbox relays its outbox), its processing delay short for the tests.
  const sandboxDb = await scratchDatabase('sbx');
  closers.push(() => sandboxDb.drop());
  const sandboxAdminKey = randomBytes(32).toString('base64url');
  const sandbox = createSandbox(
    loadSandboxConfig({ ...base, DATABASE_URL: sandboxDb.url, PSP_SANDBOX_ADMIN_KEY: sandboxAdminKey, SANDBOX_PROCESSING_DELAY_MS: '300', ...extraEnv }),
  );
  closers.push(() => sandbox.close());
  await sandbox.migrate();
  const sandboxServer = await sandbox.listen(0);
  closers.push(() => sandboxServer.close());
  const sandboxWorkers = await sandbox.startWorkers();
  closers.push(() => sandboxWorkers.close());

  // The gateway's webhook edge, with callInternal as the gateway implements it.
  let paymentsBase = '';
  const edge = express();
  const deps: GatewayRouteDeps = {
    config: {} as GatewayRouteDeps['config'],
    logger: createLogger('test-gateway', 'silent'),
    subgraphUrls: {} as GatewayRouteDeps['subgraphUrls'],
    execute: async () => ({ errors: [{ message: 'not in this harness' }] }),
    authenticate: async () => ({ ok: false, reason: 'not in this harness' }),
    callInternal: async (_subgraph, path, body, headers = {}) => {
      const requestId = `edge-${randomUUID()}`;
      const principalB64 = encodePrincipal({ kind: 'SERVICE', service: 'gateway' });
      const res = await fetch(`${paymentsBase}${path}`, {
        method: 'POST',
        headers: {
          ...headers,
          [REQUEST_ID_HEADER]: requestId,
          [PRINCIPAL_HEADER]: principalB64,
          [SIGNATURE_HEADER]: signRequest({ secret, principalB64, requestId, body }),
        },
        body,
      });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) };
    },
  };
  const ingress = webhookIngress();
  ingress.mount(edge, deps);
  const edgeServer: RunningServer = await listen(ingress.listener(deps, edge), 0, '127.0.0.1');
  closers.push(() => edgeServer.close());

  const payments = await createApp(
    loadConfig({
      ...base,
      MERCHANT_URL: `${merchantServer.url}/graphql`,
      PUBLIC_BASE_URL: edgeServer.url,
      PSP_SANDBOX_URL: sandboxServer.url,
      PSP_SANDBOX_ADMIN_KEY: sandboxAdminKey,
      PSP_CREDENTIALS_CACHE_MS: '0',
      ...extraEnv,
    }),
  );
  closers.push(() => payments.close());
  await payments.migrate();
  const paymentsServer = await payments.listen(0);
  paymentsBase = paymentsServer.url;
  closers.push(() => paymentsServer.close());
  const workers = await payments.startWorkers();
  closers.push(() => workers.close());

  const call = signedCaller(paymentsServer.url, secret);
  const callMerchant = signedCaller(merchantServer.url, secret);

  const postWebhook: PaymentsHarness['postWebhook'] = async (merchantId, body, headers = {}, provider = 'test') => {
    const res = await fetch(`${edgeServer.url}/webhooks/${provider}/${merchantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    const retryAfter = res.headers.get('retry-after');
    return retryAfter === null ? { status: res.status, json } : { status: res.status, json, retryAfter };
  };

  return {
    secret,
    merchant,
    payments,
    paymentsUrl: paymentsServer.url,
    sandbox,
    sandboxUrl: sandboxServer.url,
    sandboxAdminKey,
    merchantUrl: `${merchantServer.url}/graphql`,
    queuePrefix,
    gatewayUrl: edgeServer.url,
    call,
    callMerchant,
    async testMerchant(name = 'Shop') {
      const created = await callMerchant(admin, `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`, {
        input: { name, country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 100, currency: 'GBP' } } },
      });
      const id = created.data!.createMerchant.id as string;
      const connected = await callMerchant(
        admin,
        `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { webhookSecret } }`,
        { id },
      );
      return { id, webhookSecret: connected.data!.connectPaymentProcessor.webhookSecret as string };
    },
    postWebhook,
    signedWebhook(merchantId, whsec, event, t) {
      const body = JSON.stringify(event);
      return postWebhook(merchantId, body, { 'handoff-signature': signatureHeader(whsec, body, t) });
    },
    async close() {
      for (const c of closers.reverse()) await c().catch(() => undefined);
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;
