// What every subgraph package exports, so the all-in-one launcher, the per-subgraph entry
// points, the compose script and the tests treat the four subgraphs alike.
import type { DataSource } from 'typeorm';
import type { RedisClient } from '../queue/redis.js';
import type { BaseEnv, ReadReplicaSettings } from '../config/config.js';
import type { ReadPool } from '../persistence/read-pool.js';
import type { Logger } from '../logging/logger.js';
import type { RunningServer, SubgraphServer } from './subgraph-server.js';

/** Runtime settings a subgraph needs; built by each package's config.ts from the environment. */
export interface SubgraphRuntimeConfig {
  env: BaseEnv;
  internalSecret: string;
  logger: Logger;
  /** Port of the package's own entry point. */
  port: number;
  /** DATABASE_READ_URL and its limits, in the packages that route reporting reads to a replica. */
  readReplica?: ReadReplicaSettings;
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
  /** Reporting reads: the replica (DATABASE_READ_URL) when usable, else `dataSource`. */
  reads: ReadPool;
  redis: RedisClient;
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
