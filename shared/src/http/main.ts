// Entry points of the separate production processes: one subgraph's server, or its workers.
// Migrates on start (advisory-locked, so replicas may start together), stops cleanly on SIGTERM.
import type { SubgraphModule } from './subgraph-app.js';

export async function runSubgraphMain(module: SubgraphModule, role: 'server' | 'worker'): Promise<void> {
  const config = module.loadConfig();
  const { logger } = config;
  const app = await module.createApp(config);
  await app.migrate();
  const stoppers: Array<() => Promise<void>> = [];
  if (role === 'server') {
    const running = await app.listen(config.port, '0.0.0.0');
    logger.info({ url: running.url }, `${module.name} subgraph listening`);
    stoppers.push(running.close);
  } else {
    const workers = await app.startWorkers();
    logger.info(`${module.name} workers started`);
    stoppers.push(workers.close);
  }
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    for (const stop of stoppers) await stop().catch((err) => logger.error({ err }, 'shutdown step failed'));
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
