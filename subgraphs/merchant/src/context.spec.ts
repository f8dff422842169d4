// The per-request loaders batch one request's lookups into one service call per type, and pass
// the request's principal along so the service can filter.
import type { Principal } from '@handoff/shared';
import { describe, expect, it, vi } from 'vitest';
import { createLoaders } from './context.js';
import type { MerchantServices } from './services.js';

describe('createLoaders', () => {
  it('batches loads of one tick into one call per type, with the principal and purpose', async () => {
    const principal: Principal = { kind: 'AGENT', keyId: 'k1', agentId: 'a1' };
    const findMerchants = vi.fn(async (_p: Principal, ids: readonly string[]) => ids.map((id) => (id === 'm2' ? null : { id })));
    const findOffers = vi.fn(async (_p: Principal, ids: readonly string[]) => ids.map((id) => ({ id })));
    const services = {
      merchants: { findManyVisible: findMerchants },
      offers: { findManyVisible: findOffers },
      agents: { findManyVisible: vi.fn(), findBuilders: vi.fn() },
      connectors: { findManyVisible: vi.fn() },
    } as unknown as MerchantServices;
    const loaders = createLoaders(principal, services);

    const [m1, m2, m3, again, o1] = await Promise.all([
      loaders.merchantRefs.load('m1'),
      loaders.merchantRefs.load('m2'),
      loaders.merchantRefs.load('m3'),
      loaders.merchantRefs.load('m1'),
      loaders.offerRefs.load('o1'),
    ]);
    expect([m1, m2, m3, again, o1]).toEqual([{ id: 'm1' }, null, { id: 'm3' }, { id: 'm1' }, { id: 'o1' }]);
    expect(findMerchants).toHaveBeenCalledTimes(1);
    expect(findMerchants).toHaveBeenCalledWith(principal, ['m1', 'm2', 'm3'], 'reference');
    expect(findOffers).toHaveBeenCalledTimes(1);
  });
});
