// Production entry point: the gateway alone, on PORT, in front of subgraphs at *_URL, serving the
// committed supergraph (SUPERGRAPH_PATH). SIGTERM/SIGINT: stop accepting, finish, exit.
import { readFile } from 'node:fs/promises';
import { limitHeapGrowth } from '@handoff/shared/runtime/heap';
import { shutdownTracing, startTracing } from '@handoff/shared/tracing/tracing';
import { createGateway } from './gateway.js';
import { ConfigError } from '@handoff/shared/config/config';
import { loadGatewayConfig, type GatewayConfig } from './config.js';

let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (err) {
  // A bad setting (an unreadable or invalid trusted-documents manifest…): its message, no stack.
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
const { logger } = config;
// On only when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT); off, the SDK is never loaded.
// The gateway keeps no async context (gateway/src/tracing/request-spans.ts): no AsyncLocalStorage,
// whose promise hooks would cost every request.
if (await startTracing(process.env, { asyncContext: false })) logger.info('tracing on: exporting spans over OTLP');
limitHeapGrowth(config.heapGrowingPercent);
const supergraphSdl = await readFile(config.supergraphPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
  logger.fatal({ path: config.supergraphPath, code: err.code }, 'cannot read the supergraph: run `npm run compose`');
  process.exit(1);
});
const gateway = await createGateway({ config, supergraphSdl, subgraphUrls: config.subgraphUrls });
const server = await gateway.listen(config.port, '0.0.0.0');
logger.info({ url: `${server.url}/graphql`, metrics: server.metricsUrl, subgraphs: config.subgraphUrls }, 'gateway listening');

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  try {
    await server.close();
    await gateway.close();
    await shutdownTracing();
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
  }
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
