// `npm start` on a machine without a running Redis: it starts the installed redis-server as a
// child process; without one anywhere it stops with a message saying how to get one.
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/start.js';
import { provideRedis, redisReachable, RedisUnavailableError, type RedisHandle } from '../src/infra/redis.js';

describe('Redis for npm start', () => {
  let handle: RedisHandle | undefined;
  afterAll(async () => {
    await handle?.stop();
  });

  it('starts the installed redis-server when none answers, and stops it again', async () => {
    const deadPort = await freePort();
    const childPort = await freePort();
    const logs: string[] = [];
    handle = await provideRedis({ localUrl: `redis://127.0.0.1:${deadPort}`, childPort, log: (m) => logs.push(m) });
    expect(handle.source).toBe('child');
    expect(handle.url).toBe(`redis://127.0.0.1:${childPort}`);
    expect(await redisReachable(handle.url)).toBe(true);
    expect(logs.join('\n')).toMatch(/starting the installed redis-server/);
    await handle.stop();
    await expect.poll(() => redisReachable(handle!.url), { timeout: 5_000 }).toBe(false);
    handle = undefined;
  });

  it('without any Redis or redis-server, fails with how to get one', async () => {
    const deadPort = await freePort();
    const attempt = provideRedis({ localUrl: `redis://127.0.0.1:${deadPort}`, redisServerBinary: 'redis-server-that-is-not-installed', log: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(/docker compose up -d redis[\s\S]*apt-get install redis-server[\s\S]*brew install redis/);
  });

  it('a REDIS_URL that does not answer is an error, never a silent fallback', async () => {
    const deadPort = await freePort();
    await expect(provideRedis({ redisUrl: `redis://127.0.0.1:${deadPort}`, log: () => undefined })).rejects.toThrow(/REDIS_URL/);
  });
});
