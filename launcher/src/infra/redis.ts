// Redis for `npm start`: REDIS_URL if given (or the local 6379); else an installed
// redis-server started as a child process; else a clear message on how to get one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createRedis, isClusterUrl } from '@handoff/shared/queue/redis';

export interface RedisHandle {
  url: string;
  source: 'REDIS_URL' | 'local' | 'child';
  stop(): Promise<void>;
}

const CHILD_PORT = 16379;

export class RedisUnavailableError extends Error {}

export async function redisReachable(url: string): Promise<boolean> {
  if (isClusterUrl(url)) return clusterReachable(url);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1500, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A Redis Cluster (redis+cluster://) answers PING within 3 s. */
async function clusterReachable(url: string): Promise<boolean> {
  const cluster = createRedis(url);
  cluster.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 3000)));
    return (await Promise.race([cluster.ping(), timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    cluster.disconnect();
  }
}

export interface ProvideRedisOptions {
  redisUrl?: string;
  log: (msg: string) => void;
  /** Where a developer's Redis usually is (tests point it elsewhere). */
  localUrl?: string;
  childPort?: number;
  /** The redis-server executable to fall back to. */
  redisServerBinary?: string;
}

export async function provideRedis(opts: ProvideRedisOptions): Promise<RedisHandle> {
  const url = opts.redisUrl ?? opts.localUrl ?? 'redis://127.0.0.1:6379';
  const binary = opts.redisServerBinary ?? 'redis-server';
  const childPort = opts.childPort ?? CHILD_PORT;
  if (await redisReachable(url)) return { url, source: opts.redisUrl ? 'REDIS_URL' : 'local', stop: async () => undefined };
  if (opts.redisUrl) throw new RedisUnavailableError(`Redis at REDIS_URL (${redactUrl(url)}) is not reachable.`);
  const found = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new RedisUnavailableError(
      [
        `No Redis at ${url} and no redis-server installed. Get one of:`,
        '  docker compose up -d redis',
        '  sudo apt-get install redis-server      (Debian/Ubuntu)',
        '  brew install redis && brew services start redis      (macOS)',
        'or set REDIS_URL to a reachable Redis.',
      ].join('\n'),
    );
  }
  opts.log(`No Redis at ${url}: starting the installed redis-server on port ${childPort}`);
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(childPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const childUrl = `redis://127.0.0.1:${childPort}`;
  for (let i = 0; i < 50; i++) {
    if (await redisReachable(childUrl)) {
      return {
        url: childUrl,
        source: 'child',
        stop: async () => {
          child.kill('SIGTERM');
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError('redis-server was started but did not answer within 5 s.');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
