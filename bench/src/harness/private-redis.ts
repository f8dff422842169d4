// A private redis-server for fault tests, on a free loopback port, keeping nothing on disk (like
// the machine's own Redis): a restart is a flush. Never touches the shared Redis on 6379.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@handoff/launcher';
import { Redis } from 'ioredis';
import { ManagedProcess } from './processes.js';

export interface PrivateRedis {
  url: string;
  port: number;
  process: ManagedProcess;
  /** SIGKILL, then start again empty. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

async function pong(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'handoff-fault-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
    ready: () => pong(url),
    readyTimeoutMs: 10_000,
  });
  await proc.start();
  return {
    url,
    port,
    process: proc,
    restart: () => proc.restart('SIGKILL'),
    destroy: async () => {
      await proc.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
