// The merchant subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, encryptionKeyFor, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  MERCHANT_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  /** 32 bytes, base64 or hex: encrypts PSP secret keys at rest (AES-256-GCM). */
  HANDOFF_ENCRYPTION_KEY: z.string().optional(),
  /** Pricing provider and webhook endpoints at private, loopback or link-local addresses (and plain http): default true only under development and test. */
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).optional(),
  /** Outbound webhooks: the retry schedule's unit (the first wait; tests use a few ms), an attempt's timeout, concurrent attempts per worker, how often overdue attempts are looked for. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(5000),
  WEBHOOK_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
});

export interface WebhookDeliveryConfig {
  retryBaseMs: number;
  timeoutMs: number;
  concurrency: number;
  sweepIntervalMs: number;
}

export interface MerchantConfig extends SubgraphRuntimeConfig {
  encryptionKey: Buffer;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: merchants' HTTP pricing providers and webhook endpoints may be http:// or private addresses. */
  allowPrivateUrls: boolean;
  webhooks: WebhookDeliveryConfig;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): MerchantConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.MERCHANT_PORT,
    internalSecret: internalSecretFor(parsed),
    encryptionKey: encryptionKeyFor(parsed.HANDOFF_ENCRYPTION_KEY, parsed.NODE_ENV),
    allowPrivateUrls: allowPrivateUrls(parsed.WEBHOOK_ALLOW_PRIVATE_URLS, parsed.NODE_ENV),
    webhooks: Object.freeze({
      retryBaseMs: parsed.WEBHOOK_RETRY_BASE_MS,
      timeoutMs: parsed.WEBHOOK_DELIVERY_TIMEOUT_MS,
      concurrency: parsed.WEBHOOK_DELIVERY_CONCURRENCY,
      sweepIntervalMs: parsed.OUTBOUND_WEBHOOK_SWEEP_INTERVAL_MS,
    }),
    logger: createLogger('merchant', parsed.LOG_LEVEL),
  });
}

/** WEBHOOK_ALLOW_PRIVATE_URLS when set; otherwise true only under NODE_ENV development or test (API.md). */
export function allowPrivateUrls(setting: 'true' | 'false' | undefined, nodeEnv: string): boolean {
  return setting === undefined ? nodeEnv === 'development' || nodeEnv === 'test' : setting === 'true';
}
