import { describe, expect, it } from 'vitest';
import { encodePrincipal } from '@handoff/shared/identity/signing';
import type { Principal } from '@handoff/shared/identity/principal';
import { CachingApiKeyResolver, merchantApiKeyLookup, principalFromRow, type ApiKeyLookup } from './api-key-resolver.js';
import { TtlLruCache } from './ttl-lru-cache.js';
import type { Fetcher } from '../subgraph/signing-fetcher.js';

const merchant: Principal = { kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' };

function countingLookup(answers: Record<string, Principal | null | Error>) {
  const calls: string[] = [];
  const lookup: ApiKeyLookup = async (hash) => {
    calls.push(hash);
    await new Promise((r) => setTimeout(r, 5));
    const a = answers[hash];
    if (a instanceof Error) throw a;
    return a ?? null;
  };
  return { calls, lookup };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('CachingApiKeyResolver', () => {
  it('remembers a known key for the TTL, with its encoded principal', async () => {
    const c = clock();
    const { calls, lookup } = countingLookup({ h1: merchant });
    const r = new CachingApiKeyResolver(lookup, { ttlMs: 2000, now: c.now });
    expect(await r.resolve('h1')).toEqual({ principal: merchant, principalHeader: encodePrincipal(merchant) });
    c.advance(1999);
    await r.resolve('h1');
    expect(calls).toEqual(['h1']);
    c.advance(1);
    await r.resolve('h1');
    expect(calls).toEqual(['h1', 'h1']);
  });

  it('remembers an unknown (or revoked) key too, so a flood of one bad key costs one lookup per TTL', async () => {
    const c = clock();
    const { calls, lookup } = countingLookup({});
    const r = new CachingApiKeyResolver(lookup, { ttlMs: 2000, now: c.now });
    for (let i = 0; i < 10; i++) expect(await r.resolve('nope')).toBeNull();
    expect(calls).toEqual(['nope']);
  });

  it('sees a revocation once the TTL has passed', async () => {
    const c = clock();
    const answers: Record<string, Principal | null> = { h1: merchant };
    const r = new CachingApiKeyResolver(async (h) => answers[h] ?? null, { ttlMs: 2000, now: c.now });
    expect(await r.resolve('h1')).not.toBeNull();
    answers.h1 = null; // revoked
    expect(await r.resolve('h1')).not.toBeNull(); // still remembered
    c.advance(2000);
    expect(await r.resolve('h1')).toBeNull();
  });

  it('shares one lookup between overlapping requests for the same key', async () => {
    const { calls, lookup } = countingLookup({ h1: merchant });
    const r = new CachingApiKeyResolver(lookup, { ttlMs: 2000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => r.resolve('h1')));
    expect(calls).toEqual(['h1']);
    expect(new Set(results.map((x) => x?.principalHeader)).size).toBe(1);
  });

  it('never remembers a failed lookup', async () => {
    const { calls, lookup } = countingLookup({ h1: new Error('merchant down') });
    const r = new CachingApiKeyResolver(lookup, { ttlMs: 2000 });
    await expect(r.resolve('h1')).rejects.toThrow('merchant down');
    await expect(r.resolve('h1')).rejects.toThrow('merchant down');
    expect(calls).toEqual(['h1', 'h1']);
  });

  it('invalidate() forgets one key or all, and drops answers to lookups already under way', async () => {
    const answers: Record<string, Principal | null> = { h1: merchant, h2: merchant };
    const calls: string[] = [];
    const r = new CachingApiKeyResolver(
      async (h) => {
        calls.push(h);
        await new Promise((res) => setTimeout(res, 5));
        return answers[h] ?? null;
      },
      { ttlMs: 60_000 },
    );
    await r.resolve('h1');
    await r.resolve('h2');
    answers.h1 = null;
    r.invalidate('h1');
    expect(await r.resolve('h1')).toBeNull();
    expect(await r.resolve('h2')).not.toBeNull();
    answers.h2 = null;
    r.invalidate();
    expect(await r.resolve('h2')).toBeNull();

    answers.h1 = merchant;
    const pending = r.resolve('h1');
    r.invalidate();
    await pending;
    answers.h1 = null;
    expect(await r.resolve('h1')).toBeNull(); // the stale in-flight answer was not cached
  });

  it('with a TTL of 0 caches nothing', async () => {
    const { calls, lookup } = countingLookup({ h1: merchant });
    const r = new CachingApiKeyResolver(lookup, { ttlMs: 0 });
    await r.resolve('h1');
    await r.resolve('h1');
    expect(calls).toEqual(['h1', 'h1']);
  });
});

describe('TtlLruCache', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new TtlLruCache<number>(2, 1000);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('keeps recency right through repeated reads, deletes and re-sets of the newest key', () => {
    const cache = new TtlLruCache<number>(3, 1000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    cache.get('a');
    cache.get('a'); // already newest: order stays b, c, a
    cache.delete('a');
    cache.set('d', 4); // b, c, d
    cache.get('b'); // c, d, b
    cache.set('e', 5); // evicts c
    expect([cache.get('c'), cache.get('d'), cache.get('b'), cache.get('e')]).toEqual([undefined, 4, 2, 5]);
    cache.clear();
    cache.set('x', 1);
    expect(cache.get('x')).toBe(1);
  });

  it('expires entries ttl after they were set, whether read or not', () => {
    const c = clock();
    const cache = new TtlLruCache<string>(10, 100, c.now);
    cache.set('a', 'x');
    c.advance(99);
    expect(cache.get('a')).toBe('x');
    c.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('principalFromRow', () => {
  it('maps each role to its principal and refuses incomplete rows', () => {
    expect(principalFromRow({ keyId: 'k', role: 'ADMIN' })).toEqual({ kind: 'ADMIN', keyId: 'k' });
    expect(principalFromRow({ keyId: 'k', role: 'MERCHANT', merchantId: 'm' })).toEqual({ kind: 'MERCHANT', keyId: 'k', merchantId: 'm' });
    expect(principalFromRow({ keyId: 'k', role: 'AGENT', agentId: 'a' })).toEqual({ kind: 'AGENT', keyId: 'k', agentId: 'a' });
    expect(principalFromRow({ keyId: 'k', role: 'MERCHANT', merchantId: null })).toBeNull();
    expect(principalFromRow({ keyId: 'k', role: 'AGENT' })).toBeNull();
    expect(principalFromRow({ keyId: 'k', role: 'SERVICE' })).toBeNull();
    expect(principalFromRow({ keyId: '', role: 'ADMIN' })).toBeNull();
    expect(principalFromRow(null)).toBeNull();
  });
});

describe('merchantApiKeyLookup', () => {
  const respond = (status: number, body: unknown): Fetcher =>
    (async () => ({
      status,
      ok: status >= 200 && status < 300,
      json: async () => body,
    })) as unknown as Fetcher;

  it('asks the merchant subgraph as the gateway SERVICE principal', async () => {
    let sent: { url: string; init: { headers: Record<string, string>; body: string } } | undefined;
    const fetcher = (async (url: string, init: never) => {
      sent = { url, init };
      return { status: 200, ok: true, json: async () => ({ data: { apiKeyPrincipal: { keyId: 'k', role: 'AGENT', agentId: 'a' } } }) };
    }) as unknown as Fetcher;
    const principal = await merchantApiKeyLookup({ merchantUrl: 'http://m/graphql', fetcher })('abc');
    expect(principal).toEqual({ kind: 'AGENT', keyId: 'k', agentId: 'a' });
    expect(sent!.url).toBe('http://m/graphql');
    expect(sent!.init.headers['x-handoff-principal']).toBe(encodePrincipal({ kind: 'SERVICE', service: 'gateway' }));
    expect(JSON.parse(sent!.init.body)).toMatchObject({ variables: { h: 'abc' } });
    expect(JSON.parse(sent!.init.body).query).toContain('apiKeyPrincipal(keyHash: $h)');
  });

  it('answers null for an unknown key and throws when the merchant cannot answer', async () => {
    expect(await merchantApiKeyLookup({ merchantUrl: 'x', fetcher: respond(200, { data: { apiKeyPrincipal: null } }) })('h')).toBeNull();
    await expect(merchantApiKeyLookup({ merchantUrl: 'x', fetcher: respond(200, { errors: [{ message: 'no' }], data: null }) })('h')).rejects.toThrow(/lookup failed/);
    await expect(merchantApiKeyLookup({ merchantUrl: 'x', fetcher: respond(401, { errors: [{ message: 'Unauthorized.' }] }) })('h')).rejects.toThrow(/HTTP 401/);
    await expect(merchantApiKeyLookup({ merchantUrl: 'x', fetcher: respond(200, { data: {} }) })('h')).rejects.toThrow(/lookup failed/);
  });
});
