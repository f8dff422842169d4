import { describe, expect, it } from 'vitest';
import { ConfigError } from '@handoff/shared/config/config';
import { DEFAULT_SUPERGRAPH_PATH, loadGatewayConfig } from './config.js';

describe('loadGatewayConfig', () => {
  it('has working defaults on a developer machine', () => {
    const c = loadGatewayConfig({});
    expect(c.port).toBe(4000);
    expect(c.production).toBe(false);
    expect(c.adminKey).toBeUndefined();
    expect(c.subgraphUrls).toEqual({
      merchant: 'http://127.0.0.1:4001/graphql',
      'checkout-session': 'http://127.0.0.1:4002/graphql',
      'payment-intent': 'http://127.0.0.1:4003/graphql',
      'conversion-ledger': 'http://127.0.0.1:4004/graphql',
    });
    expect(c.limits).toEqual({ maxDepth: 12, maxAliases: 15, maxTokens: 2000, maxDirectives: 10, maxCost: 50_000 });
    expect(c.apiKeyCacheTtlMs).toBe(2000);
    expect(c.settlementTimeoutMs).toBe(300_000);
    expect(c.heapGrowingPercent).toBe(50);
    expect(c.supergraphPath).toBe(DEFAULT_SUPERGRAPH_PATH);
    expect(DEFAULT_SUPERGRAPH_PATH).toMatch(/gateway[\\/]supergraph\.graphql$/);
    expect(c.internalSecret.length).toBeGreaterThanOrEqual(32);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads overrides', () => {
    const c = loadGatewayConfig({
      PORT: '0',
      MERCHANT_URL: 'http://merchant:4001/graphql',
      MAX_DEPTH: '8',
      MAX_COST: '100',
      SUPERGRAPH_PATH: '/tmp/s.graphql',
      HANDOFF_ADMIN_KEY: 'x'.repeat(20),
      API_KEY_CACHE_TTL_MS: '0',
      SETTLEMENT_TIMEOUT_MS: '60000',
      HEAP_GROWING_PERCENT: '0',
    });
    expect(c.port).toBe(0);
    expect(c.subgraphUrls.merchant).toBe('http://merchant:4001/graphql');
    expect(c.limits.maxDepth).toBe(8);
    expect(c.limits.maxCost).toBe(100);
    expect(c.supergraphPath).toBe('/tmp/s.graphql');
    expect(c.adminKey).toBe('x'.repeat(20));
    expect(c.apiKeyCacheTtlMs).toBe(0);
    expect(c.settlementTimeoutMs).toBe(60_000);
    expect(c.heapGrowingPercent).toBe(0);
  });

  it('names every bad variable', () => {
    try {
      loadGatewayConfig({ PORT: 'abc', MERCHANT_URL: 'ftp://x', MAX_DEPTH: '0', HANDOFF_ADMIN_KEY: 'short', HEAP_GROWING_PERCENT: '-5', SETTLEMENT_TIMEOUT_MS: 'soon' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).issues.join('\n');
      for (const name of ['PORT', 'MERCHANT_URL', 'MAX_DEPTH', 'HANDOFF_ADMIN_KEY', 'HEAP_GROWING_PERCENT', 'SETTLEMENT_TIMEOUT_MS']) expect(text).toContain(name);
    }
  });

  it('TRUST_PROXY: a hop count or addresses, ranges and names; anything else is named', () => {
    expect(loadGatewayConfig({}).trustProxy).toBeUndefined();
    expect(loadGatewayConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadGatewayConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.168.1.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.168.1.7']);
    for (const bad of ['true', '11', '10.0.0.0/33', 'proxy.example.com', 'loopback,,', '10.0.0.1/8/1']) {
      expect(() => loadGatewayConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
    expect(loadGatewayConfig({ TRUST_PROXY: '' }).trustProxy).toBeUndefined(); // empty is unset, as every variable
  });

  it('in production requires the admin key and the internal secret', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production', HANDOFF_INTERNAL_SECRET: 's'.repeat(32) })).toThrow(/HANDOFF_ADMIN_KEY/);
    expect(() => loadGatewayConfig({ NODE_ENV: 'production', HANDOFF_ADMIN_KEY: 'a'.repeat(20) })).toThrow(/HANDOFF_INTERNAL_SECRET/);
    const c = loadGatewayConfig({ NODE_ENV: 'production', HANDOFF_ADMIN_KEY: 'a'.repeat(20), HANDOFF_INTERNAL_SECRET: 's'.repeat(32) });
    expect(c.production).toBe(true);
    expect(c.internalSecret).toBe('s'.repeat(32));
  });
});
