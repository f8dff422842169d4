// API key hash → principal, through the merchant subgraph (which owns keys), remembered briefly.
//
// Cache: positive and negative answers are kept for `ttlMs` (default 2 s) in a bounded LRU keyed
// by the key's SHA-256, so a hot key costs one merchant call per TTL, not one per request. The
// price is that a revoked key keeps working for at most `ttlMs` after `revokeApiKey` returns (and
// a key created a moment after a failed attempt with it is refused for as long). Lookups of one
// hash that overlap share one call. Failures (merchant down) are never cached.
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';
import { encodePrincipal, PRINCIPAL_HEADER } from '@handoff/shared/identity/signing';
import type { Principal } from '@handoff/shared/identity/principal';
import type { Fetcher } from '../subgraph/signing-fetcher.js';
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

/** One uncached lookup: the principal for a key hash, or null. */
export type ApiKeyLookup = (keyHash: string, requestId?: string) => Promise<Principal | null>;

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

export class ApiKeyLookupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiKeyLookupError';
  }
}

const API_KEY_PRINCIPAL_QUERY =
  'query GatewayApiKeyPrincipal($h: String!) { apiKeyPrincipal(keyHash: $h) { keyId role merchantId agentId } }';
const GATEWAY_SERVICE_HEADER = encodePrincipal({ kind: 'SERVICE', service: 'gateway' });

interface ApiKeyPrincipalRow {
  keyId: string;
  role: string;
  merchantId?: string | null;
  agentId?: string | null;
}

/**
 * Asks the merchant subgraph directly (its `apiKeyPrincipal` field is @inaccessible, so not in the
 * public graph), as the `gateway` SERVICE principal, signed like every other subgraph call.
 */
export function merchantApiKeyLookup(opts: { merchantUrl: string; fetcher: Fetcher }): ApiKeyLookup {
  return async (keyHash, requestId) => {
    const response = await opts.fetcher(opts.merchantUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PRINCIPAL_HEADER]: GATEWAY_SERVICE_HEADER,
        [REQUEST_ID_HEADER]: requestId ?? randomUUID(),
      },
      body: JSON.stringify({ query: API_KEY_PRINCIPAL_QUERY, variables: { h: keyHash } }),
    });
    let body: { data?: { apiKeyPrincipal?: ApiKeyPrincipalRow | null } | null; errors?: unknown[] };
    try {
      body = await response.json();
    } catch (err) {
      throw new ApiKeyLookupError(`API key lookup: merchant answered HTTP ${response.status} without JSON`, { cause: err });
    }
    if (!response.ok || body.errors?.length || !body.data || !('apiKeyPrincipal' in body.data)) {
      throw new ApiKeyLookupError(
        `API key lookup failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body).slice(0, 300)}`,
      );
    }
    return principalFromRow(body.data.apiKeyPrincipal ?? null);
  };
}

export function principalFromRow(row: ApiKeyPrincipalRow | null): Principal | null {
  if (!row || typeof row.keyId !== 'string' || !row.keyId) return null;
  switch (row.role) {
    case 'ADMIN':
      return { kind: 'ADMIN', keyId: row.keyId };
    case 'MERCHANT':
      return row.merchantId ? { kind: 'MERCHANT', keyId: row.keyId, merchantId: row.merchantId } : null;
    case 'AGENT':
      return row.agentId ? { kind: 'AGENT', keyId: row.keyId, agentId: row.agentId } : null;
    default:
      return null;
  }
}
