// The conversion-ledger subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, internalSecretFor, parseEnv, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  CONVERSION_LEDGER_PORT: z.coerce.number().int().min(0).max(65535).default(4004),
});

export type ConversionLedgerConfig = SubgraphRuntimeConfig;

export function loadConfig(env: Record<string, string | undefined> = process.env): ConversionLedgerConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.CONVERSION_LEDGER_PORT,
    internalSecret: internalSecretFor(parsed),
    logger: createLogger('conversion-ledger', parsed.LOG_LEVEL),
  });
}
