// The checkout-session subgraph's configuration: the only file here that reads the environment.
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import {
  attributionPublicKeys,
  attributionSigner,
  baseConfigSchema,
  ConfigError,
  createLogger,
  internalSecretFor,
  parseEnv,
  readReplicaConfigSchema,
  readReplicaSettings,
  type AttributionSigner,
  type SubgraphRuntimeConfig,
} from '@handoff/shared';

const schema = baseConfigSchema.extend({
  // DATABASE_READ_URL and its limits: KPIs and exports on a streaming replica (docs/architecture.md, "Read replica").
  ...readReplicaConfigSchema.shape,
  CHECKOUT_SESSION_PORT: z.coerce.number().int().min(0).max(65535).default(4002),
  /** Where buyers reach Handoff (the gateway); hosted checkout pages live under it. */
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'PUBLIC_BASE_URL must be an http(s) URL')
    .default('http://localhost:4000'),
  /** The host name inside `aap://<issuer>/v1/…` codes. */
  AAP_ISSUER: z.string().regex(/^[a-z0-9.-]{1,100}$/, 'AAP_ISSUER must be a lowercase host name').default('handoff.local'),
  /** base64 PKCS#8 DER (or PEM) Ed25519 private key: this service's alone. Required in production. */
  AAP_SIGNING_KEY: z.string().optional(),
  AAP_SIGNING_KEY_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  /** `{ kid: base64 SPKI DER }`: the public keys an attached attribution token verifies with (as the ledger's); the signing key's own is always one. */
  AAP_PUBLIC_KEYS: z.string().default('{}'),
  /** How often the expiry job scheduler runs. */
  CHECKOUT_EXPIRY_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** May merchants' HTTP pricing providers be plain-http or private addresses (default: only in development and test). */
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).optional(),
});

export interface CheckoutSessionConfig extends SubgraphRuntimeConfig {
  /** PUBLIC_BASE_URL without a trailing slash. */
  publicBaseUrl: string;
  /** Signs attribution (AAP) codes. */
  attribution: AttributionSigner;
  /** Verifies attached attribution tokens (attachCheckoutAttribution): AAP_PUBLIC_KEYS and the signing key's own public key. */
  attributionKeys: Map<string, KeyObject>;
  expiryIntervalMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: the calculation engine may call http:// or private pricing endpoints. */
  allowPrivateUrls: boolean;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): CheckoutSessionConfig {
  const parsed = parseEnv(schema, env);
  const logger = createLogger('checkout-session', parsed.LOG_LEVEL);
  const attribution = attributionSignerFor(parsed, () => logger.warn('AAP_SIGNING_KEY not set: signing with an ephemeral key'));
  return Object.freeze({
    env: parsed,
    port: parsed.CHECKOUT_SESSION_PORT,
    internalSecret: internalSecretFor(parsed),
    publicBaseUrl: parsed.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    attribution,
    attributionKeys: attributionVerifyKeys(parsed.AAP_PUBLIC_KEYS, attribution),
    expiryIntervalMs: parsed.CHECKOUT_EXPIRY_INTERVAL_MS,
    allowPrivateUrls:
      parsed.WEBHOOK_ALLOW_PRIVATE_URLS === undefined
        ? parsed.NODE_ENV === 'development' || parsed.NODE_ENV === 'test'
        : parsed.WEBHOOK_ALLOW_PRIVATE_URLS === 'true',
    logger,
    readReplica: readReplicaSettings(parsed),
  });
}

function attributionVerifyKeys(json: string, signer: AttributionSigner): Map<string, KeyObject> {
  let keys: Map<string, KeyObject>;
  try {
    const o = JSON.parse(json) as unknown;
    if (!o || typeof o !== 'object' || Array.isArray(o) || !Object.values(o).every((k) => typeof k === 'string')) throw new Error('must be a JSON object of key id → base64 SPKI DER');
    keys = attributionPublicKeys(o as Record<string, string>);
  } catch (err) {
    throw new ConfigError([`AAP_PUBLIC_KEYS: ${(err as Error).message}`]);
  }
  if (!keys.has(signer.keyId)) keys.set(signer.keyId, createPublicKey(signer.privateKey));
  return keys;
}

/** The configured signer; in development and test an ephemeral pair when none is configured. */
function attributionSignerFor(env: z.infer<typeof schema>, onEphemeral: () => void): AttributionSigner {
  if (env.AAP_SIGNING_KEY) {
    try {
      return attributionSigner(env.AAP_ISSUER, env.AAP_SIGNING_KEY_ID ?? 'k1', env.AAP_SIGNING_KEY);
    } catch (err) {
      throw new ConfigError([`AAP_SIGNING_KEY: ${(err as Error).message}`]);
    }
  }
  if (env.NODE_ENV === 'production') throw new ConfigError(['AAP_SIGNING_KEY: required when NODE_ENV=production']);
  onEphemeral();
  const { privateKey } = generateKeyPairSync('ed25519');
  return { issuer: env.AAP_ISSUER, keyId: env.AAP_SIGNING_KEY_ID ?? 'ephemeral', privateKey };
}
