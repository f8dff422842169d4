// Worker heartbeats and the queue registry, in Redis under the run's queue prefix. Each package's
// worker process (defineSubgraph's startWorkers) beats every few seconds: its process id scored
// with the time in `<prefix>:ops:workers:<package>` (a sorted set), and the queues its workers
// consume in `<prefix>:ops:queues` (queue → package). The gateway reads both: readiness fails when
// a package has no process that beat within the allowed age, and the operator tools (failed jobs,
// the queue dashboard, health, diagnostics) find every queue of every package there.
//
// ioredis only (no BullMQ): the gateway loads this module.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from './redis.js';
import type { Logger } from '../logging/logger.js';

/** How often a worker process beats by default. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** A beat older than this counts as missing by default (six beats). */
export const HEARTBEAT_MAX_AGE_MS = 30_000;
/** Members that have not beaten for this long are dropped by the next beat of another process. */
const FORGET_AFTER_MS = 60 * 60 * 1000;

export const workersKey = (prefix: string, packageName: string) => `${prefix}:ops:workers:${packageName}`;
export const queueRegistryKey = (prefix: string) => `${prefix}:ops:queues`;

export interface WorkerHeartbeatOptions {
  redis: RedisClient;
  prefix: string;
  packageName: string;
  /** The queues this package's workers consume (read at every beat). */
  queues: () => string[];
  logger: Logger;
  intervalMs?: number;
}

export class WorkerHeartbeat {
  /** This process's member in the package's set. */
  readonly processId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private lastFailureLog = 0;

  constructor(private readonly opts: WorkerHeartbeatOptions) {}

  /**
   * Beats once (awaited: readiness sees the worker as soon as start returns), then every interval.
   * A beat that fails (Redis away) is logged, never fatal: the next one tries again.
   */
  async start(): Promise<void> {
    await this.beat().catch((err: unknown) => this.failed(err));
    this.timer = setInterval(() => void this.beat().catch((err: unknown) => this.failed(err)), this.opts.intervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops beating and leaves the set at once (a clean stop is visible without waiting for the age). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.opts.redis.zrem(workersKey(this.opts.prefix, this.opts.packageName), this.processId).catch(() => undefined);
  }

  async beat(now = Date.now()): Promise<void> {
    const { redis, prefix, packageName } = this.opts;
    const key = workersKey(prefix, packageName);
    const tx = redis.multi().zadd(key, now, this.processId).zremrangebyscore(key, '-inf', now - FORGET_AFTER_MS).pexpire(key, FORGET_AFTER_MS);
    const queues = this.opts.queues();
    if (queues.length) tx.hset(queueRegistryKey(prefix), Object.fromEntries(queues.map((q) => [q, packageName])));
    const results = await tx.exec();
    const failure = results?.find(([err]) => err)?.[0];
    if (failure) throw failure;
  }

  private failed(err: unknown): void {
    if (Date.now() - this.lastFailureLog < 30_000) return;
    this.lastFailureLog = Date.now();
    this.opts.logger.warn({ err, package: this.opts.packageName }, 'worker heartbeat failed (readiness will report this worker missing if it lasts)');
  }
}

export interface WorkerBeat {
  packageName: string;
  /** Whether a process of this package beat within the allowed age. */
  alive: boolean;
  /** The newest beat (ms since the epoch), null when none is known. */
  lastBeatAt: number | null;
  /** Processes that beat within the allowed age. */
  liveProcesses: number;
}

/** The newest beat of each package's workers, in one round trip. */
export async function readWorkerBeats(redis: RedisClient, prefix: string, packages: readonly string[], maxAgeMs = HEARTBEAT_MAX_AGE_MS, now = Date.now()): Promise<WorkerBeat[]> {
  const tx = redis.pipeline();
  for (const p of packages) {
    tx.zrevrange(workersKey(prefix, p), 0, 0, 'WITHSCORES');
    tx.zcount(workersKey(prefix, p), now - maxAgeMs, '+inf');
  }
  const results = (await tx.exec()) ?? [];
  return packages.map((packageName, i) => {
    const [newestErr, newest] = results[2 * i] ?? [new Error('no answer')];
    const [countErr, count] = results[2 * i + 1] ?? [new Error('no answer')];
    if (newestErr) throw newestErr;
    if (countErr) throw countErr;
    const pair = newest as string[];
    const lastBeatAt = pair.length === 2 ? Number(pair[1]) : null;
    const liveProcesses = Number(count);
    return { packageName, alive: liveProcesses > 0, lastBeatAt, liveProcesses };
  });
}

/** Every queue a package's workers consume (queue → package), as their heartbeats registered them. */
export async function readQueueRegistry(redis: RedisClient, prefix: string): Promise<Record<string, string>> {
  return redis.hgetall(queueRegistryKey(prefix));
}
