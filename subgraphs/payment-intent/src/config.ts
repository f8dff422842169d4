// The payment-intent subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  PAYMENT_INTENT_PORT: z.coerce.number().int().min(0).max(65535).default(4003),
});

export type PaymentIntentConfig = SubgraphRuntimeConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): PaymentIntentConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.PAYMENT_INTENT_PORT,
    internalSecret: internalSecretFor(parsed),
    logger: createLogger('payment-intent', parsed.LOG_LEVEL),
  });
}
