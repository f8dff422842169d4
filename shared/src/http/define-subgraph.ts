// The wiring every subgraph shares: DataSource on its schema, Redis, the signed HTTP server,
// migrations, readiness, close. A subgraph supplies its entities, migrations and schema.
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '../persistence/data-source.js';
import { createRedis } from '../queue/queue.js';
import type { FederatedSchema } from '../federation/build-subgraph.js';
import type { SubgraphContext } from './context.js';
import type { SubgraphApp, SubgraphRuntimeConfig } from './subgraph-app.js';
import { createSubgraphServer } from './subgraph-server.js';
import type { ReadinessCheck } from './health.js';

export interface SubgraphParts<Ctx extends SubgraphContext> {
  schema: FederatedSchema;
  extendContext?: (base: SubgraphContext) => Ctx | Promise<Ctx>;
  readiness?: Record<string, ReadinessCheck>;
  startWorkers?: () => Promise<{ close(): Promise<void> }>;
  close?: () => Promise<void>;
}

export interface DefineSubgraphOptions<C extends SubgraphRuntimeConfig, Ctx extends SubgraphContext> {
  name: string;
  schemaName: string;
  config: C;
  entities: Function[];
  migrations: Function[];
  /** Builds services, resolvers and schema over the opened resources. */
  build(resources: { dataSource: DataSource; redis: Redis; config: C }): Promise<SubgraphParts<Ctx>>;
}

export async function defineSubgraph<C extends SubgraphRuntimeConfig, Ctx extends SubgraphContext>(
  opts: DefineSubgraphOptions<C, Ctx>,
): Promise<SubgraphApp> {
  const { config } = opts;
  const dataSource = createDataSource({
    url: config.env.DATABASE_URL,
    schema: opts.schemaName,
    entities: opts.entities,
    migrations: opts.migrations,
    poolSize: config.env.DB_POOL_SIZE,
    applicationName: `handoff-${opts.name}`,
  });
  const redis = createRedis(config.env.REDIS_URL);
  const parts = await opts.build({ dataSource, redis, config });
  const server = await createSubgraphServer<Ctx>({
    name: opts.name,
    schema: parts.schema.schema,
    internalSecret: config.internalSecret,
    logger: config.logger,
    extendContext: parts.extendContext,
    readiness: {
      postgres: async () => {
        await dataSource.query('SELECT 1');
      },
      redis: async () => {
        await redis.ping();
      },
      ...parts.readiness,
    },
  });
  const ensureInitialized = async () => {
    if (!dataSource.isInitialized) await dataSource.initialize();
  };
  let closed = false;
  return {
    name: opts.name,
    schemaName: opts.schemaName,
    sdl: parts.schema.sdl,
    server,
    dataSource,
    redis,
    migrate: async () => {
      await ensureInitialized();
      return runMigrations(dataSource, config.logger);
    },
    listen: async (port, host) => {
      await ensureInitialized();
      return server.listen(port, host);
    },
    startWorkers: async () => {
      await ensureInitialized();
      return parts.startWorkers ? parts.startWorkers() : { close: async () => undefined };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await parts.close?.();
      if (dataSource.isInitialized) await dataSource.destroy();
      redis.disconnect();
    },
  };
}
