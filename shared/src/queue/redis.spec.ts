import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, ConfigError, parseEnv } from '../config/config.js';
import { createRedis, isClusterUrl, parseClusterUrl, queuePrefixFor, redisUrlProblem } from './redis.js';

describe('REDIS_URL: one server or a Redis Cluster', () => {
  it('reads a cluster URL: its nodes, credentials and TLS', () => {
    expect(parseClusterUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,redis-3.internal:7002')).toEqual({
      tls: false,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-3.internal', port: 7002 },
      ],
    });
    expect(parseClusterUrl('rediss+cluster://handoff:p%40ss@a:6380,[::1]:6381/')).toEqual({
      tls: true,
      username: 'handoff',
      password: 'p@ss',
      nodes: [
        { host: 'a', port: 6380 },
        { host: '::1', port: 6381 },
      ],
    });
    expect(parseClusterUrl('redis+cluster://:secret@a:1')).toEqual({ tls: false, password: 'secret', nodes: [{ host: 'a', port: 1 }] });
  });

  it('says what is wrong with a bad URL', () => {
    expect(redisUrlProblem('redis://127.0.0.1:6379')).toBeNull();
    expect(redisUrlProblem('rediss://u:p@host:6380/2')).toBeNull();
    expect(redisUrlProblem('redis+cluster://a:7000,b:7001')).toBeNull();
    expect(redisUrlProblem('redis+cluster://a:7000,b')).toMatch(/"b" is not host:port/);
    expect(redisUrlProblem('redis+cluster://a:70000')).toMatch(/is not host:port/);
    expect(redisUrlProblem('redis+cluster://')).toMatch(/must be redis\+cluster:\/\//);
    expect(redisUrlProblem('http://a:1')).toMatch(/redis:\/\//);
    expect(redisUrlProblem('not a url')).toMatch(/redis:\/\//);
  });

  it('hash-tags the queue prefix on a cluster only, once', () => {
    expect(queuePrefixFor('redis://a:1', 'handoff')).toBe('handoff');
    expect(queuePrefixFor('redis+cluster://a:1', 'handoff')).toBe('{handoff}');
    expect(queuePrefixFor('rediss+cluster://a:1', '{handoff}')).toBe('{handoff}');
    expect(isClusterUrl('REDIS+CLUSTER://a:1')).toBe(true);
    expect(isClusterUrl('redis://a:1')).toBe(false);
  });

  it('parseEnv gives every process the hash-tagged prefix on a cluster, and refuses a bad REDIS_URL', () => {
    expect(parseEnv(baseConfigSchema, { REDIS_URL: 'redis+cluster://a:7000,b:7001', QUEUE_PREFIX: 'run-1' }).QUEUE_PREFIX).toBe('{run-1}');
    expect(parseEnv(baseConfigSchema, { REDIS_URL: 'redis+cluster://a:7000' }).QUEUE_PREFIX).toBe('{handoff}');
    expect(parseEnv(baseConfigSchema, { REDIS_URL: 'redis://a:7000', QUEUE_PREFIX: 'run-1' }).QUEUE_PREFIX).toBe('run-1');
    expect(() => parseEnv(baseConfigSchema, { REDIS_URL: 'redis+cluster://a' })).toThrow(ConfigError);
    expect(() => parseEnv(baseConfigSchema, { QUEUE_PREFIX: '{a}b' })).toThrow(/QUEUE_PREFIX/);
  });

  it('builds an ioredis Cluster for a cluster URL and a Redis for a server', () => {
    const cluster = createRedis('redis+cluster://127.0.0.1:1,127.0.0.1:2', { forBullmqWorker: true });
    const server = createRedis('redis://127.0.0.1:1');
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect((cluster as Cluster).options.redisOptions?.maxRetriesPerRequest).toBeNull();
      expect(server).toBeInstanceOf(Redis);
    } finally {
      cluster.disconnect();
      server.disconnect();
    }
  });
});
