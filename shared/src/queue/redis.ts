// The ioredis client factory, on its own so that code which only needs Redis (the gateway's
// pub/sub and key slots) does not load BullMQ through queue.ts.
//
// One Redis server or a Redis Cluster, chosen by REDIS_URL alone:
//   redis://[user:password@]host:port[/db]                 one server (rediss:// with TLS)
//   redis+cluster://[user:password@]host:port,host:port…  a cluster, any of its nodes to start from
//                                                          (rediss+cluster:// with TLS)
// On a cluster every key of a run must stay where its commands expect it: BullMQ's Lua scripts
// touch many keys of one queue, and Handoff's own multi-key calls (heartbeats, subscription slots)
// use several keys under the run's prefix. So on a cluster the queue prefix is hash-tagged
// (`{handoff}`): every key under it hashes to one slot (queuePrefixFor, applied by parseEnv).
import { Cluster, Redis } from 'ioredis';

/** A client of one Redis server or of a Redis Cluster (both speak the same commands). */
export type RedisClient = Redis | Cluster;

export interface ClusterUrl {
  tls: boolean;
  username?: string;
  password?: string;
  nodes: Array<{ host: string; port: number }>;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#@]+)\/?$/i;

/** Whether `url` names a Redis Cluster (`redis+cluster://` or `rediss+cluster://`). */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:/i.test(url);
}

/** A cluster URL's parts; throws with a message naming what is wrong. */
export function parseClusterUrl(url: string): ClusterUrl {
  const m = CLUSTER_URL.exec(url);
  if (!m) throw new Error('must be redis+cluster://[user:password@]host:port,host:port… (rediss+cluster:// for TLS)');
  const [, scheme, userInfo, hostList] = m;
  const nodes = hostList!.split(',').map((hp) => {
    const at = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(hp.trim());
    const port = at ? Number(at[2]) : NaN;
    if (!at || port < 1 || port > 65535) throw new Error(`"${hp}" is not host:port`);
    return { host: at[1]!.replace(/^\[|\]$/g, ''), port };
  });
  const out: ClusterUrl = { tls: scheme!.toLowerCase() === 'rediss', nodes };
  if (userInfo) {
    const colon = userInfo.indexOf(':');
    const user = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
    if (user) out.username = user;
    if (colon >= 0) out.password = decodeURIComponent(userInfo.slice(colon + 1));
  }
  return out;
}

/** A REDIS_URL's problem, or null when it is a usable server or cluster URL. */
export function redisUrlProblem(url: string): string | null {
  if (isClusterUrl(url)) {
    try {
      parseClusterUrl(url);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }
  try {
    const u = new URL(url);
    return u.protocol === 'redis:' || u.protocol === 'rediss:' ? null : 'must be a redis://, rediss:// or redis+cluster:// URL';
  } catch {
    return 'must be a redis://, rediss:// or redis+cluster:// URL';
  }
}

/**
 * The queue prefix to use with `redisUrl`: on a cluster, hash-tagged (`{handoff}`) so that each
 * BullMQ queue's keys, and every key Handoff's own multi-key calls touch, share one slot
 * (BullMQ's cluster guidance); on one server, as given. A prefix already tagged is kept.
 */
export function queuePrefixFor(redisUrl: string, prefix: string): string {
  if (!isClusterUrl(redisUrl) || /^\{[^{}]+\}$/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

/**
 * An ioredis client of `url` (a server or a cluster). Workers block on Redis and BullMQ insists on
 * `maxRetriesPerRequest: null` for them; everything else keeps ioredis's default so a command
 * fails instead of waiting forever while Redis is down.
 */
export function createRedis(url: string, opts: { forBullmqWorker?: boolean } = {}): RedisClient {
  const perCommand = opts.forBullmqWorker ? { maxRetriesPerRequest: null } : {};
  if (!isClusterUrl(url)) return new Redis(url, perCommand);
  const c = parseClusterUrl(url);
  return new Cluster(c.nodes, {
    redisOptions: {
      ...perCommand,
      ...(c.username ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.tls ? { tls: {} } : {}),
    },
    // A master's failover (its replica promoted after cluster-node-timeout) takes a few seconds:
    // commands to its slots are retried over that time rather than failing after ioredis's 1.6 s.
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    maxRedirections: 32,
    // Each slot's master as the cluster says, rechecked every 5 s besides on MOVED and errors.
    slotsRefreshInterval: 5000,
    // With TLS, connect to the names given (their certificates' names), not to resolved addresses.
    ...(c.tls ? { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => callback(null, address) } : {}),
  });
}
