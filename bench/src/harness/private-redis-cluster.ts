// A private Redis Cluster for fault tests: 3 masters and 3 replicas, each a `redis-server` on a
// free loopback port (its cluster bus on another free port), nothing on disk, node timeout 1 s
// so a killed master's replica takes over within a few seconds. Joined with
// `redis-cli --cluster create … --cluster-replicas 1`. `destroy()` (and processes.ts's exit hook,
// on any failure) kills every node and removes the data directory.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@handoff/launcher';
import { Redis } from 'ioredis';
import { ManagedProcess, until } from './processes.js';

const run = promisify(execFile);

export interface ClusterNodeView {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** A replica's master. */
  masterId: string | null;
  failed: boolean;
  slots: Array<[number, number]>;
}

export interface PrivateRedisCluster {
  /** redis+cluster://127.0.0.1:<port>,… (every node, as Handoff's REDIS_URL). */
  url: string;
  nodes: Array<{ port: number; process: ManagedProcess }>;
  /** The cluster as a live node sees it. */
  topology(): Promise<ClusterNodeView[]>;
  /** The hash slot of `key`, as Redis computes it. */
  slotOf(key: string): Promise<number>;
  /** Runs `fn` with a plain client of one node (closed after). */
  withNode<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T>;
  /**
   * SIGKILLs the master serving `slot` and waits until one of its replicas serves it and the
   * cluster is whole again (cluster_state:ok on every live node).
   */
  killMasterOf(slot: number, timeoutMs?: number): Promise<{ killedPort: number; promotedPort: number; tookMs: number }>;
  destroy(): Promise<void>;
}

const MASTERS = 3;
const NODE_TIMEOUT_MS = 1000;

async function withClient<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

const answers = (port: number) => withClient(port, async (r) => (await r.ping()) === 'PONG').catch(() => false);

function parseNodes(text: string): ClusterNodeView[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, addr, flags, master, , , , , ...slots] = line.trim().split(' ');
      const f = flags!.split(',');
      return {
        id: id!,
        port: Number(/:(\d+)@/.exec(addr!)?.[1]),
        role: f.includes('master') ? ('master' as const) : ('replica' as const),
        masterId: master === '-' ? null : master!,
        failed: f.includes('fail') || f.includes('fail?'),
        slots: slots.filter((s) => !s.startsWith('[')).map((s) => {
          const [a, b] = s.split('-').map(Number);
          return [a!, b ?? a!] as [number, number];
        }),
      };
    });
}

export async function startPrivateRedisCluster(): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'handoff-redis-cluster-'));
  const nodes: Array<{ port: number; process: ManagedProcess }> = [];
  const destroy = async () => {
    await Promise.allSettled(nodes.map((n) => n.process.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Ports picked free, none twice (freePort reserves nothing: two calls may answer the same one);
    // a node that still finds its port taken (someone else bound it meanwhile) gets new ones.
    const taken = new Set<number>();
    const pick = async () => {
      for (;;) {
        const port = await freePort();
        if (!taken.has(port)) return taken.add(port), port;
      }
    };
    const startNode = async (): Promise<{ port: number; process: ManagedProcess }> => {
      for (let attempt = 1; ; attempt++) {
        const port = await pick();
        const busPort = await pick();
        const nodeDir = join(dir, String(port));
        mkdirSync(nodeDir);
        const proc = new ManagedProcess({
          name: `redis-${port}`,
          command: 'redis-server',
          args: [
            '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1',
            '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
            // Any replica may take over, however long it was cut off from its master.
            '--cluster-replica-validity-factor', '0',
            '--save', '', '--appendonly', 'no', '--dir', nodeDir, '--maxmemory-policy', 'noeviction',
          ],
          ready: () => answers(port),
          readyTimeoutMs: 10_000,
        });
        const node = { port, process: proc };
        nodes.push(node);
        try {
          await proc.start();
          return node;
        } catch (err) {
          nodes.splice(nodes.indexOf(node), 1);
          await proc.stop('SIGKILL');
          if (attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err;
        }
      }
    };
    for (let i = 0; i < MASTERS * 2; i++) await startNode();
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });

    const liveNodes = () => nodes.filter((n) => n.process.running);
    const topology = async () => {
      for (const n of liveNodes()) {
        const text = await withClient(n.port, (r) => r.cluster('NODES') as Promise<string>).catch(() => null);
        if (text) return parseNodes(text);
      }
      throw new Error('no cluster node answers');
    };
    const whole = async () => {
      for (const n of liveNodes()) {
        const info = await withClient(n.port, (r) => r.cluster('INFO') as Promise<string>).catch(() => '');
        if (!info.includes('cluster_state:ok') || !info.includes('cluster_slots_ok:16384')) return false;
      }
      return true;
    };
    // Every slot served and every replica in sync with its master before Handoff starts.
    await until(
      async () => {
        if (!(await whole())) return false;
        const t = await topology();
        if (t.filter((n) => n.role === 'master').length !== MASTERS || t.filter((n) => n.role === 'replica').length !== MASTERS) return false;
        for (const r of t.filter((n) => n.role === 'replica')) {
          const info = await withClient(r.port, (c) => c.info('replication')).catch(() => '');
          if (!info.includes('master_link_status:up')) return false;
        }
        return true;
      },
      30_000,
      'the Redis cluster to be whole, with its replicas in sync',
      200,
    );

    const slotOf = (key: string) => withClient(liveNodes()[0]!.port, async (r) => Number(await r.cluster('KEYSLOT', key)));
    const serving = (t: ClusterNodeView[], slot: number) => t.find((n) => n.role === 'master' && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b));
    return {
      url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
      nodes,
      topology,
      slotOf,
      withNode: withClient,
      killMasterOf: async (slot, timeoutMs = 30_000) => {
        const before = await topology();
        const master = serving(before, slot);
        if (!master) throw new Error(`no master serves slot ${slot}`);
        const replicaPorts = before.filter((n) => n.masterId === master.id).map((n) => n.port);
        const started = Date.now();
        await nodes.find((n) => n.port === master.port)!.process.stop('SIGKILL');
        let promoted: ClusterNodeView | undefined;
        await until(
          async () => {
            promoted = serving(await topology().catch(() => []), slot);
            return !!promoted && promoted.port !== master.port && (await whole());
          },
          timeoutMs,
          `a replica of ${master.port} (${replicaPorts.join(', ')}) to serve slot ${slot}`,
          100,
        );
        return { killedPort: master.port, promotedPort: promoted!.port, tookMs: Date.now() - started };
      },
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}
