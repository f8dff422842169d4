// The payment-intent subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, encryptionKeyFor, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  PAYMENT_INTENT_PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  /** The sandbox PSP (TEST connectors), an external system reached over HTTP: where its API answers. */
  PSP_SANDBOX_URL: z.string().url().default('http://127.0.0.1:4010'),
  /** The sandbox's operator key (sets merchants' accounts up, its dashboard); TEST payments fail without it. */
  PSP_SANDBOX_ADMIN_KEY: z.string().min(32, 'PSP_SANDBOX_ADMIN_KEY must be at least 32 characters').optional(),
  /** Per sandbox call (one attempt); calls run under an intent's row lock (see psp/sandbox/sandbox-client.ts). */
  PSP_SANDBOX_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  /** How long a merchant's PSP credentials (webhook secret) are remembered. */
  PSP_CREDENTIALS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  /** Unprocessed webhook inbox rows older than this get their job re-added if Redis lost it. */
  WEBHOOK_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
  WEBHOOK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  /** Webhooks verified and stored at once by one server process; beyond, 503 + Retry-After at once. */
  WEBHOOK_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(64),
  /** The Retry-After (seconds) of that 503. */
  WEBHOOK_SHED_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(1),
  /** Pool connections the webhook inbox writes may use at once (batched); the rest stay for GraphQL. */
  WEBHOOK_INBOX_CONNECTIONS: z.coerce.number().int().min(1).max(200).default(4),
  /** How often the renewal scan runs (renewal.job.ts; it also links STRIPE subscriptions to Stripe Billing). Shorter only in tests. */
  RENEWAL_SCAN_EVERY_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  /** Stripe's API base, only to point at stripe-mock or a test double; Stripe's own when unset. */
  STRIPE_API_URL: z.string().url().optional(),
  /** Per attempt; Stripe calls run under an intent's row lock, so both stay small (see stripe-connector.ts). */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(2).default(1),
  /** Encrypts the secrets kept here (a merchant's fraud-provider webhook secret); the same key as the merchant subgraph's. */
  HANDOFF_ENCRYPTION_KEY: z.string().optional(),
});

export interface PaymentIntentConfig extends SubgraphRuntimeConfig {
  sandbox: { url: string; adminKey: string | undefined; timeoutMs: number };
  credentialsCacheMs: number;
  webhookSweepAfterMs: number;
  webhookSweepIntervalMs: number;
  webhookIngest: { maxInFlight: number; shedRetryAfterSeconds: number; inboxConnections: number };
  stripe: { apiUrl?: string; timeoutMs: number; maxNetworkRetries: number };
  renewalScanEveryMs: number;
  /** AES-256-GCM key of the secrets kept at rest (shared/src/identity/secret-box.ts). */
  encryptionKey: Buffer;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): PaymentIntentConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.PAYMENT_INTENT_PORT,
    internalSecret: internalSecretFor(parsed),
    logger: createLogger('payment-intent', parsed.LOG_LEVEL),
    sandbox: { url: parsed.PSP_SANDBOX_URL, adminKey: parsed.PSP_SANDBOX_ADMIN_KEY, timeoutMs: parsed.PSP_SANDBOX_TIMEOUT_MS },
    credentialsCacheMs: parsed.PSP_CREDENTIALS_CACHE_MS,
    webhookSweepAfterMs: parsed.WEBHOOK_SWEEP_AFTER_MS,
    webhookSweepIntervalMs: parsed.WEBHOOK_SWEEP_INTERVAL_MS,
    renewalScanEveryMs: parsed.RENEWAL_SCAN_EVERY_MS,
    webhookIngest: {
      maxInFlight: parsed.WEBHOOK_MAX_IN_FLIGHT,
      shedRetryAfterSeconds: parsed.WEBHOOK_SHED_RETRY_AFTER_S,
      // Never the whole pool.
      inboxConnections: Math.max(1, Math.min(parsed.WEBHOOK_INBOX_CONNECTIONS, parsed.DB_POOL_SIZE - 1)),
    },
    stripe: { apiUrl: parsed.STRIPE_API_URL, timeoutMs: parsed.STRIPE_TIMEOUT_MS, maxNetworkRetries: parsed.STRIPE_MAX_NETWORK_RETRIES },
    encryptionKey: encryptionKeyFor(parsed.HANDOFF_ENCRYPTION_KEY, parsed.NODE_ENV),
  });
}
