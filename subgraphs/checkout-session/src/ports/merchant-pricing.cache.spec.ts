// The pricing configuration kept between calculations: used while the merchant's version token is
// unchanged and younger than the TTL, fetched again on a new token, after the TTL, and always when
// the token cannot be read; one fetch for concurrent misses; failures not kept; kept configurations
// frozen. The Redis version source sets a token of its own when there is none.
import type { CheckoutPricingConfig } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { pricingConfig } from '../../test/pricing-fixtures.js';
import { CachedMerchantPricing, RedisPricingConfigVersionSource, type PricingConfigVersionSource, type VersionRedis } from './merchant-pricing.cache.js';
import type { MerchantPricingPort } from './merchant-pricing.port.js';

class CountingMerchant implements MerchantPricingPort {
  calls = 0;
  fail: Error | null = null;
  gate: Promise<void> | null = null;
  async pricingConfig(merchantId: string): Promise<CheckoutPricingConfig> {
    this.calls += 1;
    const n = this.calls;
    if (this.gate) await this.gate;
    if (this.fail) throw this.fail;
    return pricingConfig({ merchantId, tax: { pricesIncludeTax: false, defaultCategory: `call-${n}`, rates: [] } });
  }
}

class Versions implements PricingConfigVersionSource {
  token = 'v1';
  mode: 'ok' | 'throw' | 'hang' = 'ok';
  current(): Promise<string> {
    if (this.mode === 'throw') return Promise.reject(new Error('Redis is down'));
    if (this.mode === 'hang') return new Promise(() => undefined);
    return Promise.resolve(this.token);
  }
}

function setUp(opts: { ttlMs?: number; maxMerchants?: number } = {}) {
  const merchant = new CountingMerchant();
  const versions = new Versions();
  let now = 1_000_000;
  const cache = new CachedMerchantPricing(merchant, versions, { ...opts, versionTimeoutMs: 20, clock: () => now });
  return { merchant, versions, cache, advance: (ms: number) => (now += ms) };
}

const category = (c: CheckoutPricingConfig) => c.tax.defaultCategory;

describe('CachedMerchantPricing', () => {
  it('fetches once while the token is unchanged, and again once the merchant subgraph replaced it', async () => {
    const { merchant, versions, cache } = setUp();
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-1');
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-1');
    expect(merchant.calls).toBe(1);
    versions.token = 'v2';
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-2');
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-2');
    expect(merchant.calls).toBe(2);
  });

  it('keeps each merchant apart', async () => {
    const { merchant, cache } = setUp();
    expect((await cache.pricingConfig('mer_1')).merchantId).toBe('mer_1');
    expect((await cache.pricingConfig('mer_2')).merchantId).toBe('mer_2');
    expect((await cache.pricingConfig('mer_1')).merchantId).toBe('mer_1');
    expect(merchant.calls).toBe(2);
  });

  it('fetches again after the TTL even with the same token', async () => {
    const { merchant, cache, advance } = setUp({ ttlMs: 1000 });
    await cache.pricingConfig('mer_1');
    advance(999);
    await cache.pricingConfig('mer_1');
    expect(merchant.calls).toBe(1);
    advance(1);
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-2');
  });

  it('fetches every time while the token cannot be read (an error, or no answer in time), and keeps nothing then', async () => {
    const { merchant, versions, cache } = setUp();
    await cache.pricingConfig('mer_1'); // kept under v1
    versions.mode = 'throw';
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-2');
    versions.mode = 'hang';
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-3');
    expect(merchant.calls).toBe(3);
    versions.mode = 'ok';
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-1'); // v1's is still the one for v1
  });

  it('shares one fetch between concurrent misses of one merchant and token', async () => {
    const { merchant, cache } = setUp();
    let open!: () => void;
    merchant.gate = new Promise<void>((r) => (open = r));
    const all = Promise.all(Array.from({ length: 10 }, () => cache.pricingConfig('mer_1')));
    await new Promise((r) => setTimeout(r, 10));
    open();
    const configs = await all;
    expect(merchant.calls).toBe(1);
    expect(new Set(configs).size).toBe(1);
  });

  it('keeps no failure: the next call asks again, and the error reaches the caller', async () => {
    const { merchant, cache } = setUp();
    merchant.fail = new Error('merchant subgraph unavailable');
    await expect(cache.pricingConfig('mer_1')).rejects.toThrow('merchant subgraph unavailable');
    merchant.fail = null;
    expect(category(await cache.pricingConfig('mer_1'))).toBe('call-2');
  });

  it('hands out a frozen configuration, so no calculation can change what the next one reads', async () => {
    const { cache } = setUp();
    const config = await cache.pricingConfig('mer_1');
    expect(Object.isFrozen(config) && Object.isFrozen(config.tax) && Object.isFrozen(config.tax.rates) && Object.isFrozen(config.shipping.zones)).toBe(true);
    expect(() => (config.promotions as unknown[]).push({})).toThrow(TypeError);
  });

  it('keeps at most maxMerchants, dropping the least recently fetched', async () => {
    const { merchant, cache } = setUp({ maxMerchants: 2 });
    await cache.pricingConfig('mer_1');
    await cache.pricingConfig('mer_2');
    await cache.pricingConfig('mer_3'); // mer_1 goes
    await cache.pricingConfig('mer_3');
    await cache.pricingConfig('mer_2');
    expect(merchant.calls).toBe(3);
    await cache.pricingConfig('mer_1');
    expect(merchant.calls).toBe(4);
  });
});

class FakeRedis implements VersionRedis {
  readonly data = new Map<string, string>();
  async get(key: string) {
    return this.data.get(key) ?? null;
  }
  async set(key: string, value: string, _nx: 'NX') {
    if (this.data.has(key)) return null;
    this.data.set(key, value);
    return 'OK';
  }
}

describe('RedisPricingConfigVersionSource', () => {
  it('reads the token the merchant subgraph set under the shared key', async () => {
    const redis = new FakeRedis();
    redis.data.set('pfx:pricing-config-version:mer_1', 'token-a');
    await expect(new RedisPricingConfigVersionSource(redis, 'pfx').current('mer_1')).resolves.toBe('token-a');
  });

  it('sets a token of its own when there is none (never set, or Redis flushed), and answers it from then on', async () => {
    const redis = new FakeRedis();
    const source = new RedisPricingConfigVersionSource(redis, 'pfx');
    const first = await source.current('mer_1');
    expect(first).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(redis.data.get('pfx:pricing-config-version:mer_1')).toBe(first);
    await expect(source.current('mer_1')).resolves.toBe(first);
  });

  it('answers a token a change set between its read and its own set (SET NX keeps the change)', async () => {
    const redis = new FakeRedis();
    const realGet = redis.get.bind(redis);
    let reads = 0;
    redis.get = async (key: string) => {
      reads += 1;
      if (reads === 1) {
        const none = await realGet(key);
        redis.data.set(key, 'from-a-change');
        return none;
      }
      return realGet(key);
    };
    await expect(new RedisPricingConfigVersionSource(redis, 'pfx').current('mer_1')).resolves.toBe('from-a-change');
  });
});
