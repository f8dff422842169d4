// The payment-intent subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  PAYMENT_INTENT_PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  /** How long the sandbox keeps a PROCESSING payment (test card 4000 0000 0000 0077) before it succeeds. */
  SANDBOX_PROCESSING_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** How long a merchant's PSP credentials (webhook secret) are remembered. */
  PSP_CREDENTIALS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Unprocessed webhook inbox rows older than this get their job re-added if Redis lost it. */
  WEBHOOK_SWEEP_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  WEBHOOK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  /** Stripe's API base, only to point at stripe-mock or a test double; Stripe's own when unset. */
  STRIPE_API_URL: z.string().url().optional(),
  /** Per attempt; Stripe calls run under an intent's row lock, so both stay small (see stripe-connector.ts). */
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  STRIPE_MAX_NETWORK_RETRIES: z.coerce.number().int().min(0).max(2).default(1),
});

export interface PaymentIntentConfig extends SubgraphRuntimeConfig {
  sandboxProcessingDelayMs: number;
  credentialsCacheMs: number;
  webhookSweepAfterMs: number;
  webhookSweepIntervalMs: number;
  stripe: { apiUrl?: string; timeoutMs: number; maxNetworkRetries: number };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): PaymentIntentConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.PAYMENT_INTENT_PORT,
    internalSecret: internalSecretFor(parsed),
    logger: createLogger('payment-intent', parsed.LOG_LEVEL),
    sandboxProcessingDelayMs: parsed.SANDBOX_PROCESSING_DELAY_MS,
    credentialsCacheMs: parsed.PSP_CREDENTIALS_CACHE_MS,
    webhookSweepAfterMs: parsed.WEBHOOK_SWEEP_AFTER_MS,
    webhookSweepIntervalMs: parsed.WEBHOOK_SWEEP_INTERVAL_MS,
    stripe: { apiUrl: parsed.STRIPE_API_URL, timeoutMs: parsed.STRIPE_TIMEOUT_MS, maxNetworkRetries: parsed.STRIPE_MAX_NETWORK_RETRIES },
  });
}
