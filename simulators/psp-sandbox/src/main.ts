// The sandbox PSP as its own process (docker-compose.yml's psp-sandbox): migrates its schema,
// serves its API on PSP_SANDBOX_PORT and runs its workers; stops cleanly on SIGTERM.
import { retryWhileUnavailable } from '@handoff/shared';
import { createSandbox } from './app.js';
import { loadSandboxConfig } from './config.js';

const config = loadSandboxConfig();
const { logger } = config;
const sandbox = createSandbox(config);
await retryWhileUnavailable(() => sandbox.migrate(), logger, 'psp-sandbox start-up');
const server = await sandbox.listen(config.port, '0.0.0.0');
const workers = await sandbox.startWorkers();
logger.info({ url: server.url }, 'psp-sandbox listening; workers started');

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  for (const stop of [server.close, workers.close]) await stop().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
  await sandbox.close();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
