import { describe, expect, it } from 'vitest';
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import { invalidatedMerchant } from './credentials-invalidation.js';
import { MerchantCredentialsCache, type MerchantCredentials } from './merchant-credentials.js';

const creds = (webhookSecret: string): MerchantCredentials => ({ merchantId: 'm1', provider: PaymentProvider.TEST, secretKey: null, webhookSecret });

/** A fetch whose calls stay pending until the test settles them. */
function controlledFetch() {
  const calls: Array<{ merchantId: string; resolve(v: MerchantCredentials | null): void; reject(e: unknown): void }> = [];
  const fetch = (merchantId: string) => new Promise<MerchantCredentials | null>((resolve, reject) => calls.push({ merchantId, resolve, reject }));
  return { calls, fetch };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('MerchantCredentialsCache', () => {
  it('concurrent misses share one call to the merchant subgraph', async () => {
    const f = controlledFetch();
    const cache = new MerchantCredentialsCache(f.fetch, { ttlMs: 60_000 });
    const answers = Promise.all(Array.from({ length: 50 }, () => cache.get('m1')));
    expect(f.calls).toHaveLength(1);
    f.calls[0]!.resolve(creds('a'));
    expect((await answers).every((c) => c?.webhookSecret === 'a')).toBe(true);
    expect((await cache.get('m1'))?.webhookSecret).toBe('a');
    expect(f.calls).toHaveLength(1);
  });

  it('a failed call is shared by its waiters and not remembered', async () => {
    const f = controlledFetch();
    const cache = new MerchantCredentialsCache(f.fetch);
    const a = cache.get('m1');
    const b = cache.get('m1');
    f.calls[0]!.reject(new Error('merchant subgraph unavailable'));
    await expect(a).rejects.toThrow('unavailable');
    await expect(b).rejects.toThrow('unavailable');
    const c = cache.get('m1');
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.resolve(creds('a'));
    expect((await c)?.webhookSecret).toBe('a');
  });

  it('refreshes ahead in the background while serving what it has, and never serves past the TTL', async () => {
    let now = 0;
    const f = controlledFetch();
    const cache = new MerchantCredentialsCache(f.fetch, { ttlMs: 1000, refreshAheadRatio: 0.5, now: () => now });
    const first = cache.get('m1');
    f.calls[0]!.resolve(creds('a'));
    await first;
    now = 600; // past the refresh point: answered at once from memory, one refresh started
    expect((await cache.get('m1'))?.webhookSecret).toBe('a');
    expect((await cache.get('m1'))?.webhookSecret).toBe('a');
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.resolve(creds('b'));
    await tick();
    expect((await cache.get('m1'))?.webhookSecret).toBe('b');
    now = 600 + 1000; // expired: waits for a new call
    const late = cache.get('m1');
    expect(f.calls).toHaveLength(3);
    f.calls[2]!.resolve(creds('c'));
    expect((await late)?.webhookSecret).toBe('c');
  });

  it('forget() drops the entry, and a call already in flight does not bring the old secret back', async () => {
    const f = controlledFetch();
    const cache = new MerchantCredentialsCache(f.fetch, { ttlMs: 60_000 });
    const first = cache.get('m1');
    f.calls[0]!.resolve(creds('old'));
    await first;
    const refetch = cache.revalidate('m1'); // fetched just now: answered from memory
    expect((await refetch)?.webhookSecret).toBe('old');
    cache.forget('m1');
    const racing = cache.get('m1'); // started before the rotation committed
    cache.forget('m1'); // the rotation's invalidation arrives while it runs
    f.calls[1]!.resolve(creds('old'));
    await racing;
    const after = cache.get('m1');
    expect(f.calls).toHaveLength(3);
    f.calls[2]!.resolve(creds('new'));
    expect((await after)?.webhookSecret).toBe('new');
  });

  it('revalidate() asks again at most once per interval, and joins a call in flight', async () => {
    let now = 0;
    const f = controlledFetch();
    const cache = new MerchantCredentialsCache(f.fetch, { ttlMs: 60_000, minRevalidateMs: 1000, now: () => now });
    const first = cache.get('m1');
    f.calls[0]!.resolve(creds('a'));
    await first;
    // A flood of bad signatures right after a fetch: no call at all.
    await Promise.all(Array.from({ length: 20 }, () => cache.revalidate('m1')));
    expect(f.calls).toHaveLength(1);
    now = 1500; // later: one shared call for the whole flood
    const flood = Promise.all(Array.from({ length: 20 }, () => cache.revalidate('m1')));
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.resolve(creds('rotated'));
    expect((await flood).every((c) => c?.webhookSecret === 'rotated')).toBe(true);
    expect((await cache.get('m1'))?.webhookSecret).toBe('rotated');
  });
});

describe('invalidatedMerchant', () => {
  const message = (topic: string, changed: unknown, aggregateId: unknown = 'm1') => JSON.stringify({ outboxId: '1', schema: 'merchant', topic, aggregateId, payload: { changed }, createdAt: '' });

  it('names the merchant of a merchant.updated that changed its payment connector, and nothing else', () => {
    expect(invalidatedMerchant(message('merchant.updated', ['paymentConnector']))).toBe('m1');
    expect(invalidatedMerchant(message('merchant.updated', ['name']))).toBeNull();
    expect(invalidatedMerchant(message('merchant.created', ['paymentConnector']))).toBeNull();
    expect(invalidatedMerchant(message('merchant.updated', 'paymentConnector'))).toBeNull();
    expect(invalidatedMerchant(message('merchant.updated', ['paymentConnector'], 42))).toBeNull();
    expect(invalidatedMerchant('not json')).toBeNull();
  });
});
