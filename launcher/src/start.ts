// Starts all of Handoff in this process: the four subgraphs (each on its own port), their
// workers, and the gateway in front. Used by `npm start` and by the end-to-end tests, so what
// the tests exercise is what users run.
import { randomBytes } from 'node:crypto';
import { generateApiKey, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { createGateway, loadGatewayConfig } from '@handoff/gateway';
import { composeSupergraph } from './composition.js';
import { subgraphModules } from './subgraphs.js';

export interface StartOptions {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  nodeEnv?: 'development' | 'test' | 'production';
  logLevel?: string;
  /** Bootstrap admin key (HANDOFF_ADMIN_KEY); generated when absent. */
  adminKey?: string;
  internalSecret?: string;
  encryptionKey?: string;
  host?: string;
  /** 0 = any free port. */
  gatewayPort?: number;
  subgraphPorts?: Partial<Record<string, number>>;
  /** Start BullMQ workers, outbox relays and schedulers (default true). */
  workers?: boolean;
  /** Extra environment for every process's config (e.g. PUBLIC_BASE_URL). */
  extraEnv?: Record<string, string>;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  app: SubgraphApp;
}

export interface RunningHandoff {
  gatewayUrl: string;
  graphqlUrl: string;
  adminKey: string;
  env: Record<string, string>;
  subgraphs: RunningSubgraph[];
  stop(): Promise<void>;
}

export function handoffEnv(opts: StartOptions & { adminKey: string; internalSecret: string; encryptionKey: string }) {
  return {
    NODE_ENV: opts.nodeEnv ?? 'development',
    LOG_LEVEL: opts.logLevel ?? 'info',
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
    HANDOFF_ADMIN_KEY: opts.adminKey,
    HANDOFF_INTERNAL_SECRET: opts.internalSecret,
    HANDOFF_ENCRYPTION_KEY: opts.encryptionKey,
    ...(opts.gatewayPort !== undefined ? { PORT: String(opts.gatewayPort) } : {}),
    ...opts.extraEnv,
  } satisfies Record<string, string>;
}

export async function startHandoff(options: StartOptions): Promise<RunningHandoff> {
  const adminKey = options.adminKey ?? generateApiKey('ADMIN').key;
  const internalSecret = options.internalSecret ?? randomBytes(32).toString('base64url');
  const encryptionKey = options.encryptionKey ?? randomBytes(32).toString('base64');
  const env = handoffEnv({ ...options, adminKey, internalSecret, encryptionKey });
  const host = options.host ?? '127.0.0.1';
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };

  try {
    const apps: SubgraphApp[] = [];
    for (const module of subgraphModules) {
      const app = await module.createApp(module.loadConfig(env));
      stoppers.push(() => app.close());
      apps.push(app);
    }
    // Migrations one after another: each takes its own advisory lock, but the order keeps logs readable.
    for (const app of apps) await app.migrate();

    const running: Array<{ app: SubgraphApp; server: RunningServer }> = [];
    for (const app of apps) {
      const port = options.subgraphPorts?.[app.name] ?? 0;
      const server = await app.listen(port, host);
      stoppers.push(() => server.close());
      running.push({ app, server });
    }
    if (options.workers !== false) {
      for (const app of apps) {
        const workers = await app.startWorkers();
        stoppers.push(() => workers.close());
      }
    }

    const { supergraphSdl } = composeSupergraph(
      running.map(({ app, server }) => ({ name: app.name, url: `${server.url}/graphql`, sdl: app.sdl })),
    );
    const subgraphUrls = Object.fromEntries(running.map(({ app, server }) => [app.name, `${server.url}/graphql`]));
    const gateway = await createGateway({ config: loadGatewayConfig(env), supergraphSdl, subgraphUrls });
    const gatewayServer = await gateway.listen(options.gatewayPort ?? 0, host);
    stoppers.push(() => gateway.close());
    stoppers.push(() => gatewayServer.close());

    return {
      gatewayUrl: gatewayServer.url,
      graphqlUrl: `${gatewayServer.url}/graphql`,
      adminKey,
      env,
      subgraphs: running.map(({ app, server }) => ({ name: app.name, url: `${server.url}/graphql`, app })),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
