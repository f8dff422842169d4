// The merchant subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, encryptionKeyFor, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  MERCHANT_PORT: z.coerce.number().int().min(0).max(65535).default(4001),
  /** 32 bytes, base64 or hex: encrypts PSP secret keys at rest (AES-256-GCM). */
  HANDOFF_ENCRYPTION_KEY: z.string().optional(),
  /** Pricing provider endpoints at private, loopback or link-local addresses (and plain http): default true only under development and test. */
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).optional(),
});

export interface MerchantConfig extends SubgraphRuntimeConfig {
  encryptionKey: Buffer;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: merchants' HTTP pricing providers may be http:// or private addresses. */
  allowPrivateUrls: boolean;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): MerchantConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.MERCHANT_PORT,
    internalSecret: internalSecretFor(parsed),
    encryptionKey: encryptionKeyFor(parsed.HANDOFF_ENCRYPTION_KEY, parsed.NODE_ENV),
    allowPrivateUrls: parsed.WEBHOOK_ALLOW_PRIVATE_URLS === undefined ? parsed.NODE_ENV !== 'production' : parsed.WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
    logger: createLogger('merchant', parsed.LOG_LEVEL),
  });
}
