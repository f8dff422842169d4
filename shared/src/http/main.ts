// Entry points of the separate production processes: one subgraph's server, or its workers.
// Migrates on start (advisory-locked, so replicas may start together), waits for PostgreSQL
// when it is not reachable yet (instead of exiting), stops cleanly on SIGTERM.
import { getPriority, setPriority } from 'node:os';
import { isTransientInfrastructureError } from '../errors/transient.js';
import type { Logger } from '../logging/logger.js';
import { limitHeapGrowth } from '../runtime/heap.js';
import { shutdownTracing, startTracing } from '../tracing/tracing.js';
import type { SubgraphModule } from './subgraph-app.js';

/** Runs `step` until it succeeds; only infrastructure outages are retried, with capped backoff. */
export async function retryWhileUnavailable<T>(step: () => Promise<T>, logger: Logger, what: string, maxDelayMs = 5_000): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!isTransientInfrastructureError(err)) throw err;
      const delay = Math.min(maxDelayMs, 200 * 2 ** attempt);
      logger.warn({ err, attempt, retryInMs: delay }, `${what}: dependency unavailable, retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function runSubgraphMain(module: SubgraphModule, role: 'server' | 'worker'): Promise<void> {
  const config = module.loadConfig();
  limitHeapGrowth(config.env.HEAP_GROWING_PERCENT);
  const { logger } = config;
  // On only when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT); off, the SDK is never loaded.
  if (await startTracing()) logger.info('tracing on: exporting spans over OTLP');
  const app = await module.createApp(config);
  await retryWhileUnavailable(() => app.migrate(), logger, `${module.name} start-up`);
  const stoppers: Array<() => Promise<void>> = [];
  if (role === 'server') {
    const running = await app.listen(config.port, '0.0.0.0');
    logger.info({ url: running.url }, `${module.name} subgraph listening`);
    stoppers.push(running.close);
  } else {
    lowerPriority(config.env.WORKER_NICENESS, logger);
    const workers = await app.startWorkers();
    logger.info(`${module.name} workers started`);
    stoppers.push(workers.close);
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    for (const stop of stoppers) await stop().catch((err) => logger.error({ err }, 'shutdown step failed'));
    await app.close();
    await shutdownTracing().catch((err: unknown) => logger.warn({ err }, 'flushing the last spans failed'));
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * Background work yields the CPU to request serving: a worker lowers its own scheduling priority
 * by `niceness` (any process may; raising it back would need privileges). Failure is logged,
 * never fatal.
 */
export function lowerPriority(niceness: number, logger: Logger): void {
  if (niceness <= 0) return;
  try {
    // Relative to the process's own: a deployment that already runs everything niced keeps the gap.
    setPriority(Math.min(19, getPriority() + niceness));
  } catch (err) {
    logger.warn({ err, niceness }, 'could not lower the worker process priority');
  }
}
