// The wiring every subgraph shares: DataSource on its schema, Redis, the signed HTTP server,
// migrations, readiness, close. A subgraph supplies its entities, migrations and schema.
import type { RedisClient } from '../queue/redis.js';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '../persistence/data-source.js';
import { ReadPool } from '../persistence/read-pool.js';
import { READ_REPLICA_CHECK, replicaHealthProbe } from '../persistence/replica-health.js';
import { createMetrics } from './metrics.js';
import { createRedis } from '../queue/queue.js';
import { WorkerHeartbeat } from '../queue/worker-heartbeat.js';
import { startingWorkersOf, workerQueuesOf } from '../queue/worker-registry.js';
import { eventsChannel, OutboxRelay, type OutboxJobData, type OutboxRoutes } from '../outbox/index.js';
import { IdempotencyStore } from '../idempotency/index.js';
import type { FederatedSchema } from '../federation/build-subgraph.js';
import type { SubgraphContext } from './context.js';
import type { SubgraphApp, SubgraphRuntimeConfig } from './subgraph-app.js';
import { createSubgraphServer } from './subgraph-server.js';
import type { ReadinessCheck } from './health.js';
import { operationsHealthRoute, reachable, type HealthProbe } from './operations-health.js';

export interface SubgraphParts<Ctx extends SubgraphContext> {
  schema: FederatedSchema;
  /** Which BullMQ queues each outbox topic goes to (`*`, `prefix.*` or exact topics). */
  outboxRoutes?: OutboxRoutes;
  extendContext?: (base: SubgraphContext) => Ctx | Promise<Ctx>;
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Subsystems this package reports to the operators' health (operations-health.ts) beside its
   * PostgreSQL and Redis, e.g. the PSPs payment-intent reaches. Not readiness.
   */
  healthChecks?: Record<string, HealthProbe>;
  /** Signed non-GraphQL routes under /internal (internal-routes.ts). */
  internalRoutes?: import('./internal-routes.js').InternalRoute[];
  startWorkers?: () => Promise<{ close(): Promise<void> }>;
  /** Must pass before the server listens (after migrations), e.g. that the process's key opens the secrets it stores. */
  checkBeforeServing?: () => Promise<void>;
  close?: () => Promise<void>;
}

export interface DefineSubgraphOptions<C extends SubgraphRuntimeConfig, Ctx extends SubgraphContext> {
  name: string;
  schemaName: string;
  config: C;
  entities: Function[];
  migrations: Function[];
  /** Builds services, resolvers and schema over the opened resources. */
  build(resources: SubgraphResources<C>): Promise<SubgraphParts<Ctx>>;
}

export interface SubgraphResources<C> {
  dataSource: DataSource;
  /**
   * BI and reporting reads (`reads.read(ds => …)`): the replica when DATABASE_READ_URL is set and
   * it is usable, else `dataSource`. Commands and read-your-writes reads use `dataSource`.
   */
  reads: ReadPool;
  redis: RedisClient;
  config: C;
  /** Call after a transaction that wrote outbox rows commits: publishes them now. */
  outbox: { notify(): void };
}

const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

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
  const replica = config.readReplica
    ? createDataSource({
        url: config.readReplica.url,
        schema: opts.schemaName,
        entities: opts.entities,
        migrations: [],
        poolSize: config.env.DB_POOL_SIZE,
        applicationName: `handoff-${opts.name}-read`,
        readOnly: true,
      })
    : undefined;
  const reads = new ReadPool({ primary: dataSource, replica, settings: config.readReplica, logger: config.logger });
  const metrics = createMetrics(opts.name);
  reads.registerMetrics(metrics.registry);
  const redis = createRedis(config.env.REDIS_URL);
  // Routes are known only after build; the relay reads them lazily.
  let routes: OutboxRoutes = {};
  const relay = new OutboxRelay({
    dataSource,
    schema: opts.schemaName,
    redis,
    queuePrefix: config.env.QUEUE_PREFIX,
    logger: config.logger.child({ component: 'outbox-relay' }),
    get routes() {
      return routes;
    },
    pubsubChannel: (event: OutboxJobData) => eventsChannel(config.env.QUEUE_PREFIX, event.topic),
    sweepAfterMs: config.env.OUTBOX_SWEEP_AFTER_MS,
    sweepIntervalMs: config.env.OUTBOX_SWEEP_INTERVAL_MS,
  });
  const parts = await opts.build({ dataSource, reads, redis, config, outbox: { notify: () => relay.notify() } });
  routes = parts.outboxRoutes ?? {};
  const server = await createSubgraphServer<Ctx>({
    name: opts.name,
    schema: parts.schema.schema,
    internalSecret: config.internalSecret,
    logger: config.logger,
    metrics,
    extendContext: parts.extendContext,
    internalRoutes: [
      ...(parts.internalRoutes ?? []),
      operationsHealthRoute({
        postgres: reachable(() => dataSource.query('SELECT 1'), `PostgreSQL (schema ${opts.schemaName})`),
        redis: reachable(() => redis.ping(), 'Redis'),
        // DATABASE_READ_URL set: the replica's state and lag (degraded, never down, when it cannot be used).
        ...(replica ? { [READ_REPLICA_CHECK]: replicaHealthProbe(reads) } : {}),
        ...parts.healthChecks,
      }),
    ],
    readiness: {
      postgres: async () => {
        await dataSource.query('SELECT 1');
      },
      redis: async () => {
        await redis.ping();
      },
      ...parts.readiness,
    },
    // The replica never makes the process unready: reporting reads fall back to the primary.
    ...(replica ? { readinessDetails: { readReplica: () => reads.status() } } : {}),
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
    reads,
    redis,
    migrate: async () => {
      await ensureInitialized();
      return runMigrations(dataSource, config.logger);
    },
    listen: async (port, host) => {
      await ensureInitialized();
      await parts.checkBeforeServing?.();
      reads.start();
      return server.listen(port, host);
    },
    startWorkers: async () => {
      await ensureInitialized();
      reads.start();
      relay.start();
      const idempotency = new IdempotencyStore(dataSource, opts.schemaName);
      const purge = setInterval(() => {
        idempotency.purgeExpired().catch((err: unknown) => config.logger.warn({ err }, 'idempotency key purge failed'));
      }, IDEMPOTENCY_PURGE_INTERVAL_MS);
      purge.unref();
      // The workers started here are this package's (worker-registry.ts); the heartbeat publishes
      // them and tells readiness this package's worker is alive.
      const own = parts.startWorkers ? await startingWorkersOf(opts.name, parts.startWorkers) : undefined;
      const heartbeat = new WorkerHeartbeat({
        redis,
        prefix: config.env.QUEUE_PREFIX,
        packageName: opts.name,
        queues: () => workerQueuesOf(config.env.QUEUE_PREFIX, opts.name),
        logger: config.logger,
      });
      await heartbeat.start();
      return {
        close: async () => {
          await heartbeat.stop();
          clearInterval(purge);
          await own?.close();
          await relay.stop();
        },
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await parts.close?.();
      await relay.stop();
      await reads.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      redis.disconnect();
    },
  };
}
