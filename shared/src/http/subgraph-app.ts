// What every subgraph package exports, so the all-in-one launcher, the per-subgraph entry
// points, the compose script and the tests treat the four subgraphs alike.
import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import type { BaseEnv } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { RunningServer, SubgraphServer } from './subgraph-server.js';

/** Runtime settings a subgraph needs; built by each package's config.ts from the environment. */
export interface SubgraphRuntimeConfig {
  env: BaseEnv;
  internalSecret: string;
  logger: Logger;
  /** Port of the package's own entry point. */
  port: number;
}

export interface SubgraphApp {
  /** Subgraph name as composed: merchant, checkout-session, payment-intent, conversion-ledger. */
  name: string;
  /** Its Postgres schema. */
  schemaName: string;
  /** Federation SDL (with the @link), for composition. */
  sdl: string;
  server: SubgraphServer;
  dataSource: DataSource;
  redis: Redis;
  /** Runs pending migrations (idempotent, safe with concurrent replicas). */
  migrate(): Promise<string[]>;
  /** Starts HTTP on `port` (0 = any free port). Initializes the DataSource if needed. */
  listen(port: number, host?: string): Promise<RunningServer>;
  /** Starts this package's background work (BullMQ workers, outbox relay, schedulers). */
  startWorkers(): Promise<{ close(): Promise<void> }>;
  /** Closes the DataSource, Redis, and anything else it opened (not the HTTP server: the RunningServer does). */
  close(): Promise<void>;
}

export interface SubgraphModule<C extends SubgraphRuntimeConfig = SubgraphRuntimeConfig> {
  name: string;
  schemaName: string;
  /** Default port of the package's own entry point. */
  defaultPort: number;
  /** Reads the process environment (or the given one) once. */
  loadConfig(env?: Record<string, string | undefined>): C;
  createApp(config: C): Promise<SubgraphApp>;
}

export type { RunningServer };
