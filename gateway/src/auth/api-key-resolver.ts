// API key hash → principal, through the merchant subgraph (which owns keys), remembered briefly.
//
// Cache: positive and negative answers are kept for `ttlMs` (default 2 s) in a bounded LRU keyed
// by the key's SHA-256, so a hot key costs one merchant call per TTL, not one per request. The
// price is that a revoked key keeps working for at most `ttlMs` after `revokeApiKey` returns (and
// a key created a moment after a failed attempt with it is refused for as long). Lookups of one
// hash that overlap share one call. Failures (merchant down) are never cached.
import { encodePrincipal } from '@handoff/shared/identity/signing';
import type { Principal } from '@handoff/shared/identity/principal';
import type { ApiKeyLookup } from '../ports/merchant.port.js';
import { TtlLruCache } from './ttl-lru-cache.js';

export interface ResolvedApiKey {
  principal: Principal;
  /** `encodePrincipal(principal)`, made once per lookup. */
  principalHeader: string;
}

export interface ApiKeyResolver {
  /** The key's principal, or null when the key is unknown or revoked. Rejects when it cannot tell. */
  resolve(keyHash: string, requestId?: string): Promise<ResolvedApiKey | null>;
  /** Forgets remembered answers: one key's, or all. */
  invalidate(keyHash?: string): void;
}

/** One uncached lookup: the principal for a key hash, or null (ports/merchant.port.ts). */
export type { ApiKeyLookup };

export class CachingApiKeyResolver implements ApiKeyResolver {
  private readonly cache: TtlLruCache<ResolvedApiKey | null>;
  private readonly inFlight = new Map<string, Promise<ResolvedApiKey | null>>();
  private generation = 0;

  constructor(
    private readonly lookup: ApiKeyLookup,
    opts: { ttlMs: number; maxEntries?: number; now?: () => number },
  ) {
    this.cache = new TtlLruCache(opts.maxEntries ?? 10_000, opts.ttlMs, opts.now);
  }

  resolve(keyHash: string, requestId?: string): Promise<ResolvedApiKey | null> {
    const cached = this.cache.get(keyHash);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.inFlight.get(keyHash);
    if (pending) return pending;
    const generation = this.generation;
    const p = this.lookup(keyHash, requestId)
      .then((principal) => {
        const resolved = principal ? { principal, principalHeader: encodePrincipal(principal) } : null;
        // An answer that started before invalidate() is not remembered.
        if (generation === this.generation) this.cache.set(keyHash, resolved);
        return resolved;
      })
      .finally(() => {
        if (this.inFlight.get(keyHash) === p) this.inFlight.delete(keyHash);
      });
    this.inFlight.set(keyHash, p);
    return p;
  }

  invalidate(keyHash?: string): void {
    this.generation++;
    if (keyHash === undefined) {
      this.cache.clear();
      this.inFlight.clear();
    } else {
      this.cache.delete(keyHash);
      this.inFlight.delete(keyHash);
    }
  }
}

// The merchant subgraph's apiKeyPrincipal lookup is the gateway's port to it (ports/merchant.port.ts).
export { ApiKeyLookupError, merchantApiKeyLookup, principalFromRow } from '../ports/merchant.port.js';
