// A merchant's pricing configuration kept between calculations, so a calculation does not make
// the internal call (and the merchant subgraph its six reads) each time. Kept with the version
// token read before it was fetched (pricingConfigVersionKey, shared/src/contracts/
// pricing-config.contract.ts), and used only while the token is still the same: the merchant
// subgraph replaces the token after every committed change and before answering it, so a
// calculation that starts after a change was answered fetches the new configuration. The token
// costs one Redis GET per use. Redis not answering (or slow) → the configuration is fetched as if
// nothing were kept. The TTL bounds what a lost token change (the merchant subgraph could not
// reach Redis) leaves stale. Concurrent misses for one merchant and token share one fetch. A kept
// configuration is frozen: the calculation reads it and never changes it.
//
//   new CachedMerchantPricing(InternalMerchantPricing.over(url, secret), new RedisPricingConfigVersionSource(redis, queuePrefix))
import { randomBytes } from 'node:crypto';
import { pricingConfigVersionKey, type CheckoutPricingConfig } from '@handoff/shared';
import type { MerchantPricingPort } from './merchant-pricing.port.js';

/** The merchant's current configuration version; throws when it cannot be known. */
export interface PricingConfigVersionSource {
  current(merchantId: string): Promise<string>;
}

/** The Redis commands used (an ioredis client). */
export interface VersionRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, nx: 'NX'): Promise<unknown>;
}

export class RedisPricingConfigVersionSource implements PricingConfigVersionSource {
  constructor(
    private readonly redis: VersionRedis,
    private readonly queuePrefix: string,
  ) {}

  async current(merchantId: string): Promise<string> {
    const key = pricingConfigVersionKey(this.queuePrefix, merchantId);
    const token = await this.redis.get(key);
    if (token !== null) return token;
    // Never set, or Redis lost it: a token of our own, unless a change set one meanwhile.
    await this.redis.set(key, randomBytes(12).toString('base64url'), 'NX');
    const set = await this.redis.get(key);
    if (set === null) throw new Error('pricing configuration version: the key vanished');
    return set;
  }
}

export interface PricingCacheOptions {
  /** How long a configuration is used at most, whatever the token says (default 30 s). */
  ttlMs?: number;
  /** Merchants kept at most (the least recently fetched go first; default 10,000). */
  maxMerchants?: number;
  /** The token is abandoned after this long and the configuration fetched (default 250 ms). */
  versionTimeoutMs?: number;
  clock?: () => number;
}

interface Kept {
  version: string;
  config: CheckoutPricingConfig;
  /** When its fetch started. */
  at: number;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class CachedMerchantPricing implements MerchantPricingPort {
  private readonly kept = new Map<string, Kept>();
  private readonly fetching = new Map<string, Promise<CheckoutPricingConfig>>();
  private readonly ttlMs: number;
  private readonly maxMerchants: number;
  private readonly versionTimeoutMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly inner: MerchantPricingPort,
    private readonly versions: PricingConfigVersionSource,
    opts: PricingCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.maxMerchants = opts.maxMerchants ?? 10_000;
    this.versionTimeoutMs = opts.versionTimeoutMs ?? 250;
    this.clock = opts.clock ?? Date.now;
  }

  async pricingConfig(merchantId: string): Promise<CheckoutPricingConfig> {
    const version = await this.version(merchantId);
    if (version === null) return this.inner.pricingConfig(merchantId);
    const hit = this.kept.get(merchantId);
    if (hit && hit.version === version && this.clock() - hit.at < this.ttlMs) return hit.config;
    const flight = `${merchantId}\u0000${version}`;
    const pending = this.fetching.get(flight);
    if (pending) return pending;
    const at = this.clock();
    const fetch = this.inner
      .pricingConfig(merchantId)
      .then((config) => {
        const frozen = deepFreeze(config);
        this.keep(merchantId, { version, config: frozen, at });
        return frozen;
      })
      .finally(() => this.fetching.delete(flight));
    this.fetching.set(flight, fetch);
    return fetch;
  }

  /** Forgets every merchant (tests, or an operator's reset). */
  clear(): void {
    this.kept.clear();
  }

  /** The token, or null when Redis did not give it in time (then nothing kept is used). */
  private async version(merchantId: string): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.versions.current(merchantId),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), this.versionTimeoutMs);
        }),
      ]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  private keep(merchantId: string, entry: Kept): void {
    this.kept.delete(merchantId);
    this.kept.set(merchantId, entry);
    if (this.kept.size > this.maxMerchants) this.kept.delete(this.kept.keys().next().value!);
  }
}
