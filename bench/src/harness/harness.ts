// The fault harness (used by test/faults and the benches): Handoff as production runs it (docker-compose.yml's topology) — the gateway,
// the four subgraphs and their four workers, and the sandbox PSP beside them, as separate OS processes from the built dist/ —
// on a private PostgreSQL and a private Redis, all on loopback. Any process can be SIGKILLed
// and restarted, Redis restarted (a flush), PostgreSQL stopped and started; `stop()` (and the
// process-exit hook in processes.ts) leaves nothing running. Build first: `npx tsc -b tsconfig.build.json`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateApiKey } from '@handoff/shared';
import { freePort, generateAttributionKeys } from '@handoff/launcher';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { startPrivateRedisCluster, type PrivateRedisCluster } from './private-redis-cluster.js';
import { createSharedDatabase, poolSizeFitting, sharedRedis, type SharedPostgres, type SharedRedis } from './shared-services.js';
import { ManagedProcess } from './processes.js';

// bench/src/harness/ (sources, run by the fault tests) and bench/dist/harness/ (built, run by the
// benches) are both three folders below the repository root.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const SUBGRAPHS = [
  { name: 'merchant', dir: 'subgraphs/merchant', urlVar: 'MERCHANT_URL', portVar: 'MERCHANT_PORT' },
  { name: 'checkout-session', dir: 'subgraphs/checkout-session', urlVar: 'CHECKOUT_SESSION_URL', portVar: 'CHECKOUT_SESSION_PORT' },
  { name: 'payment-intent', dir: 'subgraphs/payment-intent', urlVar: 'PAYMENT_INTENT_URL', portVar: 'PAYMENT_INTENT_PORT' },
  { name: 'conversion-ledger', dir: 'subgraphs/conversion-ledger', urlVar: 'CONVERSION_LEDGER_URL', portVar: 'CONVERSION_LEDGER_PORT' },
] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];
export type ProcessName = 'gateway' | 'psp-sandbox' | SubgraphName | `${SubgraphName}-worker`;

export interface FaultHandoffOptions {
  /** Extra environment for every Handoff process. */
  extraEnv?: Record<string, string>;
  logLevel?: string;
  /** Workers log at info by default: their "workers started" line is their readiness. */
  workerLogLevel?: 'info' | 'debug' | 'trace';
  /** Node options for every Handoff process, before its script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[] | ((name: ProcessName) => string[]);
}

export interface FaultHandoff<P = PrivatePostgres, R = PrivateRedis> {
  gatewayUrl: string;
  graphqlUrl: string;
  adminKey: string;
  env: Record<string, string>;
  /** Each subgraph's GraphQL URL. */
  subgraphUrls: Record<SubgraphName, string>;
  postgres: P;
  redis: R;
  processes: Map<ProcessName, ManagedProcess>;
  process(name: ProcessName): ManagedProcess;
  /** SIGKILL, stay down `downMs`, then start again (retried while it cannot start, bounded). */
  kill(name: ProcessName, downMs?: number): Promise<void>;
  restart(name: ProcessName): Promise<void>;
  /** Crashes nobody asked for, in any process (the harness's kills are not crashes). */
  crashes(): Array<{ process: string; at: number; code: number | null; signal: string | null; duringStart: boolean; tail: string }>;
  stop(): Promise<void>;
}

const httpOk = (url: string) => async (_p: ManagedProcess) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => null);
  return !!res?.ok;
};

function assertBuilt(): void {
  const missing = ['gateway/dist/main.js', 'simulators/psp-sandbox/dist/main.js', ...SUBGRAPHS.flatMap((s) => [`${s.dir}/dist/main.js`, `${s.dir}/dist/worker.js`])].filter(
    (p) => !existsSync(`${ROOT}${p}`),
  );
  if (missing.length) throw new Error(`The fault harness runs the built processes; missing ${missing.join(', ')}: run \`npx tsc -b tsconfig.build.json\``);
}

/** On a private PostgreSQL and Redis, which the fault tests stop, restart and flush. */
export function startFaultHandoff(opts: FaultHandoffOptions = {}): Promise<FaultHandoff> {
  return startHandoff(async () => {
    const [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    return { postgres, redis, queuePrefix: `handoff-fault-${randomBytes(3).toString('hex')}` };
  }, opts);
}

/**
 * On the machine's PostgreSQL (a fresh database `<databasePrefix>_<pid>_<hex>`, dropped by
 * `stop()`) and Redis (a unique QUEUE_PREFIX, its keys deleted by `stop()`).
 */
export function startSystemHandoff(opts: FaultHandoffOptions & { databasePrefix: string }): Promise<FaultHandoff<SharedPostgres, SharedRedis>> {
  return startHandoff(async () => {
    const queuePrefix = `handoff-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
    const postgres = await createSharedDatabase(opts.databasePrefix);
    // 4 subgraphs, 4 workers and the PSP sandbox share the server with other stacks: pools that fit it.
    const pool = await poolSizeFitting(postgres.url, 2 * SUBGRAPHS.length + 1);
    process.stderr.write(`[harness] DB_POOL_SIZE ${pool.size} per process (max_connections ${pool.max}, ${pool.used} in use)\n`);
    return { postgres, redis: sharedRedis(queuePrefix), queuePrefix, env: { DB_POOL_SIZE: String(pool.size) } };
  }, opts);
}

/**
 * On a private Redis Cluster (3 masters, 3 replicas; REDIS_URL=redis+cluster://…, so every process
 * hash-tags QUEUE_PREFIX) and a fresh database on the machine's PostgreSQL (dropped by `stop()`).
 */
export function startClusterHandoff(opts: FaultHandoffOptions & { databasePrefix: string }): Promise<FaultHandoff<SharedPostgres, PrivateRedisCluster>> {
  return startHandoff(async () => {
    const postgres = await createSharedDatabase(opts.databasePrefix);
    try {
      const pool = await poolSizeFitting(postgres.url, 2 * SUBGRAPHS.length + 1);
      const redis = await startPrivateRedisCluster();
      return { postgres, redis, queuePrefix: `handoff-cluster-${randomBytes(3).toString('hex')}`, env: { DB_POOL_SIZE: String(pool.size) } };
    } catch (err) {
      await postgres.destroy();
      throw err;
    }
  }, opts);
}

async function startHandoff<P extends { url: string; destroy(): Promise<void> }, R extends { url: string; destroy(): Promise<void> }>(
  services: () => Promise<{ postgres: P; redis: R; queuePrefix: string; env?: Record<string, string> }>,
  opts: FaultHandoffOptions,
): Promise<FaultHandoff<P, R>> {
  assertBuilt();
  const processes = new Map<ProcessName, ManagedProcess>();
  let postgres: P | undefined;
  let redis: R | undefined;
  const stop = async () => {
    const order: ProcessName[] = ['gateway', ...SUBGRAPHS.map((s) => `${s.name}-worker` as ProcessName), ...SUBGRAPHS.map((s) => s.name), 'psp-sandbox'];
    await Promise.allSettled(order.map((n) => processes.get(n)?.stop('SIGKILL')));
    await Promise.allSettled([postgres?.destroy(), redis?.destroy()]);
  };
  try {
    const provided = await services();
    ({ postgres, redis } = provided);
    const adminKey = generateApiKey('ADMIN').key;
    const keys = generateAttributionKeys();
    const gatewayPort = await freePort();
    const sandboxPort = await freePort();
    const ports = {} as Record<SubgraphName, number>;
    for (const s of SUBGRAPHS) ports[s.name] = await freePort();
    const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, `http://127.0.0.1:${ports[s.name]}/graphql`])) as Record<SubgraphName, string>;
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: opts.logLevel ?? 'warn',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: provided.queuePrefix,
      HANDOFF_ADMIN_KEY: adminKey,
      HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AAP_SIGNING_KEY: keys.privateKey,
      AAP_SIGNING_KEY_ID: keys.keyId,
      AAP_PUBLIC_KEYS: JSON.stringify(keys.publicKeys),
      PUBLIC_BASE_URL: `http://127.0.0.1:${gatewayPort}`,
      SUPERGRAPH_PATH: `${ROOT}gateway/supergraph.graphql`,
      PORT: String(gatewayPort),
      // The sandbox PSP (TEST connectors), its own process, reached by payment-intent over HTTP.
      PSP_SANDBOX_URL: `http://127.0.0.1:${sandboxPort}`,
      PSP_SANDBOX_PORT: String(sandboxPort),
      PSP_SANDBOX_ADMIN_KEY: randomBytes(32).toString('base64url'),
      ...Object.fromEntries(SUBGRAPHS.map((s) => [s.urlVar, subgraphUrls[s.name]])),
      ...Object.fromEntries(SUBGRAPHS.map((s) => [s.portVar, String(ports[s.name])])),
      ...provided.env,
      ...opts.extraEnv,
    };
    const node = (name: ProcessName, script: string, ready: (p: ManagedProcess) => Promise<boolean>, extra: Record<string, string> = {}) => {
      const p: ManagedProcess = new ManagedProcess({
        name,
        command: process.execPath,
        args: [...(typeof opts.nodeArgs === 'function' ? opts.nodeArgs(name) : (opts.nodeArgs ?? [])), script],
        cwd: ROOT,
        env: { ...env, ...extra },
        ready: () => ready(p),
        readyTimeoutMs: 60_000,
      });
      p.supervise();
      processes.set(name, p);
    };
    node('psp-sandbox', 'simulators/psp-sandbox/dist/main.js', httpOk(`http://127.0.0.1:${sandboxPort}/health/live`));
    for (const s of SUBGRAPHS) node(s.name, `${s.dir}/dist/main.js`, httpOk(`http://127.0.0.1:${ports[s.name]}/health/live`));
    // Workers have no HTTP port: ready once they log that their workers started (at info level).
    for (const s of SUBGRAPHS) {
      node(`${s.name}-worker` as ProcessName, `${s.dir}/dist/worker.js`, async (p) => p.tail(200).includes('workers started'), {
        LOG_LEVEL: opts.workerLogLevel ?? 'info',
      });
    }
    node('gateway', 'gateway/dist/main.js', httpOk(`http://127.0.0.1:${gatewayPort}/health/live`));

    // The sandbox PSP first (an external system Handoff calls), then the subgraphs (each
    // migrates its schema), then the workers, then the gateway.
    await processes.get('psp-sandbox')!.start();
    for (const s of SUBGRAPHS) await processes.get(s.name)!.start();
    await Promise.all(SUBGRAPHS.map((s) => processes.get(`${s.name}-worker` as ProcessName)!.start()));
    await processes.get('gateway')!.start();

    const get = (name: ProcessName) => {
      const p = processes.get(name);
      if (!p) throw new Error(`no process ${name}`);
      return p;
    };
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      graphqlUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      adminKey,
      env,
      subgraphUrls,
      postgres,
      redis,
      processes,
      process: get,
      kill: (name, downMs) => get(name).restart('SIGKILL', downMs),
      restart: (name) => get(name).restart('SIGTERM'),
      crashes: () => [...processes.entries()].flatMap(([name, p]) => p.crashes.map((c) => ({ process: name, ...c }))),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
