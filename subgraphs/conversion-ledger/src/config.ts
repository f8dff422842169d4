// The conversion-ledger subgraph's configuration: the only file here that reads the environment.
import { z } from 'zod';
import { baseConfigSchema, createLogger, internalSecretFor, parseEnv, readReplicaConfigSchema, readReplicaSettings, type SubgraphRuntimeConfig } from '@handoff/shared';

const schema = baseConfigSchema.extend({
  // DATABASE_READ_URL and its limits: BI reads on a streaming replica (docs/architecture.md, "Read replica").
  ...readReplicaConfigSchema.shape,
  CONVERSION_LEDGER_PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  /** `{ kid: base64 SPKI DER }`: the attribution (AAP) public keys the ledger verifies with. */
  AAP_PUBLIC_KEYS: z
    .string()
    .default('{}')
    .refine((v) => {
      try {
        const o = JSON.parse(v);
        return o && typeof o === 'object' && !Array.isArray(o) && Object.values(o).every((k) => typeof k === 'string');
      } catch {
        return false;
      }
    }, 'AAP_PUBLIC_KEYS must be a JSON object of key id → base64 SPKI DER'),
  /** When set, codes from another issuer are flagged `wrong_issuer`. */
  AAP_ISSUER: z.string().optional(),
  /** Cron pattern (UTC) of the settlement job scheduler; daily at 02:00 by default. */
  SETTLEMENT_CRON: z.string().min(9).default('0 2 * * *'),
  LEDGER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

export interface ConversionLedgerConfig extends SubgraphRuntimeConfig {
  aapPublicKeys: Record<string, string>;
  aapIssuer: string | undefined;
  settlementCron: string;
  workerConcurrency: number;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): ConversionLedgerConfig {
  const parsed = parseEnv(schema, env);
  return Object.freeze({
    env: parsed,
    port: parsed.CONVERSION_LEDGER_PORT,
    internalSecret: internalSecretFor(parsed),
    logger: createLogger('conversion-ledger', parsed.LOG_LEVEL),
    readReplica: readReplicaSettings(parsed),
    aapPublicKeys: JSON.parse(parsed.AAP_PUBLIC_KEYS) as Record<string, string>,
    aapIssuer: parsed.AAP_ISSUER,
    settlementCron: parsed.SETTLEMENT_CRON,
    workerConcurrency: parsed.LEDGER_WORKER_CONCURRENCY,
  });
}
