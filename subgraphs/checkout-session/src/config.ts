// The checkout-session subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  CHECKOUT_SESSION_PORT: z.coerce.number().int().min(0).max(65535).default(4002),
  /** Where buyers reach Handoff (the gateway); hosted checkout pages live under it. */
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'PUBLIC_BASE_URL must be an http(s) URL')
    .default('http://localhost:4000'),
});

export interface CheckoutSessionConfig extends SubgraphRuntimeConfig {
  /** PUBLIC_BASE_URL without a trailing slash. */
  publicBaseUrl: string;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): CheckoutSessionConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.CHECKOUT_SESSION_PORT,
    internalSecret: internalSecretFor(parsed),
    publicBaseUrl: parsed.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    logger: createLogger('checkout-session', parsed.LOG_LEVEL),
  });
}
