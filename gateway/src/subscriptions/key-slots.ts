// The per-key subscription limit, counted across every gateway replica: one Redis sorted set
// per key (`<prefix>:ws:slots:<limitKey>`), one member per open subscription, scored with the
// time it lapses. The replica holding a slot renews it every third of `ttlMs`; a replica that
// crashes stops renewing, and its slots lapse within `ttlMs` (each take() first drops lapsed
// members), so a crash leaks no place for longer than that. Times are Redis's own clock.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@handoff/shared/queue/redis';
import type { Logger } from '@handoff/shared/logging/logger';

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

export interface KeySlotsOptions {
  redis: RedisClient;
  queuePrefix: string;
  max: number;
  /** How long a slot outlives its replica's last renewal. */
  ttlMs: number;
  logger: Logger;
}

export class KeySlots {
  /** limitKey → members this replica holds. */
  private readonly held = new Map<string, Set<string>>();
  private readonly replica = randomUUID();
  private readonly timer: NodeJS.Timeout;
  private seq = 0;

  constructor(private readonly opts: KeySlotsOptions) {
    this.timer = setInterval(() => void this.renew(), Math.max(Math.floor(opts.ttlMs / 3), 50));
    this.timer.unref();
  }

  slotsKey(limitKey: string): string {
    return `${this.opts.queuePrefix}:ws:slots:${limitKey}`;
  }

  /** Takes a place for `limitKey`: its release function, or null when the key has `max` open everywhere. */
  async take(limitKey: string): Promise<(() => void) | null> {
    const member = `${this.replica}:${++this.seq}`;
    const key = this.slotsKey(limitKey);
    const taken = await this.opts.redis.eval(TAKE, 1, key, this.opts.max, this.opts.ttlMs, member);
    if (taken !== 1) return null;
    let members = this.held.get(limitKey);
    if (!members) this.held.set(limitKey, (members = new Set()));
    members.add(member);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const set = this.held.get(limitKey);
      set?.delete(member);
      if (set?.size === 0) this.held.delete(limitKey);
      // If this fails, the slot lapses after ttlMs.
      this.opts.redis.zrem(key, member).catch((err: unknown) => this.opts.logger.warn({ err }, 'could not release a subscription slot'));
    };
  }

  /** Stops renewing; the slots still held are removed. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const pipeline = this.opts.redis.pipeline();
    for (const [limitKey, members] of this.held) pipeline.zrem(this.slotsKey(limitKey), ...members);
    this.held.clear();
    await pipeline.exec().catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const pipeline = this.opts.redis.pipeline();
    for (const [limitKey, members] of this.held) pipeline.eval(RENEW, 1, this.slotsKey(limitKey), this.opts.ttlMs, ...members);
    try {
      await pipeline.exec();
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not renew subscription slots');
    }
  }
}
