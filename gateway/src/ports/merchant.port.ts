// What the gateway asks the merchant subgraph outside the federated graph: the principal of an
// API key (`apiKeyPrincipal(keyHash)`, @inaccessible, SERVICE `gateway`), signed like every
// other subgraph call (docs/internal-contracts.md). Synchronous: a request cannot be authorized
// without it; auth/api-key-resolver.ts remembers answers for a short TTL.
//
// Timeout: the gateway's subgraph timeout (SUBGRAPH_TIMEOUT_MS, the signing client's). When the
// merchant subgraph is down or slow the lookup rejects (ApiKeyLookupError, never cached) and the
// request is answered SERVICE_UNAVAILABLE (503, Retry-After: 1).
import { randomUUID } from 'node:crypto';
import { REQUEST_ID_HEADER } from '@handoff/shared/logging/logger';
import { encodePrincipal, PRINCIPAL_HEADER } from '@handoff/shared/identity/signing';
import type { Principal } from '@handoff/shared/identity/principal';
import type { Fetcher } from '../subgraph/signing-fetcher.js';

/** One uncached lookup: the principal for a key hash, or null. */
export type ApiKeyLookup = (keyHash: string, requestId?: string) => Promise<Principal | null>;

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
