// Starts all of Handoff in this process: the four subgraphs (each on its own port), their
// workers, and the gateway in front; and the sandbox PSP beside them (an external system on a
// port of its own, reached over HTTP only) unless PSP_SANDBOX_URL names one that runs elsewhere. Used by `npm start` and by the end-to-end tests, so what
// the tests exercise is what users run.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { flushTracing, generateApiKey, startTracing, type RunningServer, type SubgraphApp } from '@handoff/shared';
import { createGateway, loadGatewayConfig } from '@handoff/gateway';
import { composeSupergraph } from './composition.js';
import { startPspSandbox } from './sandbox.js';
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
  /** The sandbox PSP's port (0 or unset: any free port). */
  sandboxPort?: number;
  /** The sandbox PSP's database (its schema `sandbox`): `databaseUrl` when unset. */
  sandboxDatabaseUrl?: string;
  /** Start BullMQ workers, outbox relays and schedulers (default true). */
  workers?: boolean;
  /** Extra environment for every process's config (e.g. PUBLIC_BASE_URL). */
  extraEnv?: Record<string, string>;
  /** Attribution (AAP) signing keys; a fresh Ed25519 pair when absent. */
  attributionKeys?: AttributionKeys;
}

export interface AttributionKeys {
  keyId: string;
  /** base64 PKCS#8 DER of the Ed25519 private key (the checkout service's alone). */
  privateKey: string;
  /** kid → base64 SPKI DER public key (what the ledger verifies with). */
  publicKeys: Record<string, string>;
}

export function generateAttributionKeys(keyId = 'k1'): AttributionKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId,
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKeys: { [keyId]: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
  };
}

/** The variable that sets each listener's port under `npm start` (named in PortInUseError). */
export const PORT_ENV: Readonly<Record<string, string>> = {
  gateway: 'PORT',
  metrics: 'METRICS_PORT',
  merchant: 'MERCHANT_PORT',
  'checkout-session': 'CHECKOUT_SESSION_PORT',
  'payment-intent': 'PAYMENT_INTENT_PORT',
  'conversion-ledger': 'CONVERSION_LEDGER_PORT',
  'psp-sandbox': 'PSP_SANDBOX_PORT',
};

/** A port Handoff was told to listen on is taken: one sentence naming it and what to set. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly variable: string,
  ) {
    super(
      `Port ${port} on ${host} is already in use (another Handoff?): set ${variable} to a free port, ` +
        `e.g. ${variable}=${port < 65435 ? port + 100 : port - 100} npm start${variable === 'PORT' ? '' : `, or leave ${variable} unset for any free one`}.`,
    );
    this.name = 'PortInUseError';
  }
}

const inUse = (err: unknown) => (err as { code?: string } | undefined)?.code === 'EADDRINUSE';

/** Rethrows a listen error as PortInUseError when the port was taken. */
export const portInUse = (port: number, host: string, variable: string) => (err: unknown): never => {
  throw inUse(err) ? new PortInUseError(port, host, variable) : err;
};

/**
 * Fails at once, before anything slow starts, when one of the ports asked for (0: any free
 * port, nothing to check) cannot be bound on `host`.
 */
export async function assertPortsFree(ports: Array<{ port: number | undefined; variable: string }>, host: string): Promise<void> {
  for (const { port, variable } of ports) {
    if (!port) continue;
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (err) => reject(inUse(err) ? new PortInUseError(port, host, variable) : err));
      server.listen(port, host, () => server.close(() => resolve()));
    });
  }
}

/** A free TCP port on `host`, for processes that must know each other's URLs before listening. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const URL_ENV: Record<string, string> = {
  merchant: 'MERCHANT_URL',
  'checkout-session': 'CHECKOUT_SESSION_URL',
  'payment-intent': 'PAYMENT_INTENT_URL',
  'conversion-ledger': 'CONVERSION_LEDGER_URL',
};

export interface RunningSubgraph {
  name: string;
  url: string;
  app: SubgraphApp;
}

export interface RunningHandoff {
  gatewayUrl: string;
  graphqlUrl: string;
  /** Where GET /metrics answers (the gateway's port, or its METRICS_PORT listener). */
  metricsUrl: string;
  adminKey: string;
  env: Record<string, string>;
  subgraphs: RunningSubgraph[];
  /** Where the sandbox PSP answers (PSP_SANDBOX_URL): the one started here, or the one it names. */
  sandboxUrl: string;
  stop(): Promise<void>;
}

export function handoffEnv(
  opts: StartOptions & { adminKey: string; internalSecret: string; encryptionKey: string; attributionKeys: AttributionKeys },
): Record<string, string> {
  return {
    NODE_ENV: opts.nodeEnv ?? 'development',
    LOG_LEVEL: opts.logLevel ?? 'info',
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: opts.queuePrefix,
    HANDOFF_ADMIN_KEY: opts.adminKey,
    HANDOFF_INTERNAL_SECRET: opts.internalSecret,
    HANDOFF_ENCRYPTION_KEY: opts.encryptionKey,
    AAP_SIGNING_KEY: opts.attributionKeys.privateKey,
    AAP_SIGNING_KEY_ID: opts.attributionKeys.keyId,
    AAP_PUBLIC_KEYS: JSON.stringify(opts.attributionKeys.publicKeys),
    ...(opts.gatewayPort !== undefined ? { PORT: String(opts.gatewayPort) } : {}),
    ...opts.extraEnv,
  };
}

/**
 * Starts all of Handoff. Ports it chose itself (freePort) are free when chosen but may be taken by
 * another process before they are bound (parallel test files do this): that start is stopped and
 * retried with new ports. A port the caller asked for is never retried: PortInUseError names it.
 */
export async function startHandoff(options: StartOptions): Promise<RunningHandoff> {
  const asked = new Set<number>(
    [options.gatewayPort, options.sandboxPort, ...Object.values(options.subgraphPorts ?? {})].filter((p): p is number => !!p),
  );
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHandoffOnce(options);
    } catch (err) {
      if (!(err instanceof PortInUseError) || asked.has(err.port) || err.variable === PORT_ENV.metrics || attempt >= 5) throw err;
    }
  }
}

async function startHandoffOnce(options: StartOptions): Promise<RunningHandoff> {
  // One SDK for the process, on only when an OTLP endpoint is set (each component's spans under
  // its own service name: shared/src/tracing). Started before any data source or listener.
  await startTracing();
  const adminKey = options.adminKey ?? generateApiKey('ADMIN').key;
  const internalSecret = options.internalSecret ?? randomBytes(32).toString('base64url');
  const encryptionKey = options.encryptionKey ?? randomBytes(32).toString('base64');
  const attributionKeys = options.attributionKeys ?? generateAttributionKeys();
  const host = options.host ?? '127.0.0.1';
  // Every process learns every URL from its config, so ports are chosen before anything starts.
  const gatewayPort = options.gatewayPort || (await freePort(host));
  const ports: Record<string, number> = {};
  for (const module of subgraphModules) ports[module.name] = options.subgraphPorts?.[module.name] || (await freePort(host));
  const urlEnv = Object.fromEntries(subgraphModules.map((m) => [URL_ENV[m.name]!, `http://${host}:${ports[m.name]}/graphql`]));
  // The sandbox PSP: started here on its own port, unless PSP_SANDBOX_URL names one elsewhere.
  const externalSandbox = options.extraEnv?.PSP_SANDBOX_URL;
  const sandboxPort = externalSandbox ? 0 : options.sandboxPort || (await freePort(host));
  const sandboxEnv = {
    PSP_SANDBOX_URL: externalSandbox ?? `http://${host}:${sandboxPort}`,
    PSP_SANDBOX_ADMIN_KEY: options.extraEnv?.PSP_SANDBOX_ADMIN_KEY ?? randomBytes(32).toString('base64url'),
  };
  const env = handoffEnv({
    ...options,
    adminKey,
    internalSecret,
    encryptionKey,
    attributionKeys,
    gatewayPort,
    extraEnv: {
      PUBLIC_BASE_URL: `http://${host}:${gatewayPort}`,
      ...urlEnv,
      ...sandboxEnv,
      // Without workers nobody beats: readiness does not wait for them (the gateway's READINESS_WORKERS).
      ...(options.workers === false ? { READINESS_WORKERS: 'none' } : {}),
      ...options.extraEnv,
    },
  });
  // Stopped last: the spans of the shutdown's own work are exported too.
  const stoppers: Array<() => Promise<void>> = [() => flushTracing()];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };

  try {
    if (!externalSandbox) {
      const sandboxEnv = options.sandboxDatabaseUrl ? { ...env, DATABASE_URL: options.sandboxDatabaseUrl } : env;
      const sandbox = await startPspSandbox(sandboxEnv, sandboxPort, host, options.workers !== false).catch(portInUse(sandboxPort, host, PORT_ENV['psp-sandbox']!));
      stoppers.push(() => sandbox.stop());
    }
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
      const server = await app.listen(ports[app.name]!, host).catch(portInUse(ports[app.name]!, host, PORT_ENV[app.name]!));
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
    const gatewayConfig = loadGatewayConfig(env);
    const gateway = await createGateway({ config: gatewayConfig, supergraphSdl, subgraphUrls });
    stoppers.push(() => gateway.close());
    const { metrics } = gatewayConfig;
    const gatewayServer = await gateway.listen(gatewayPort, host).catch((err: unknown) =>
      // Either the gateway's port or, once that one was bound, its metrics listener's.
      metrics.port && (err as { port?: number }).port === metrics.port
        ? portInUse(metrics.port, metrics.host, PORT_ENV.metrics!)(err)
        : portInUse(gatewayPort, host, PORT_ENV.gateway!)(err),
    );
    stoppers.push(() => gatewayServer.close());

    return {
      gatewayUrl: gatewayServer.url,
      graphqlUrl: `${gatewayServer.url}/graphql`,
      metricsUrl: gatewayServer.metricsUrl,
      adminKey,
      env,
      subgraphs: running.map(({ app, server }) => ({ name: app.name, url: `${server.url}/graphql`, app })),
      sandboxUrl: env.PSP_SANDBOX_URL!,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
