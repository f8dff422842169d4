// `Authorization: Bearer <key>` → principal. No header: the anonymous principal (resolvers then
// answer UNAUTHENTICATED where a key is needed). A hosted page's client secret (bound to one
// checkout session, checked without a lookup) → `{ kind: 'CLIENT', checkoutSessionId }`, which
// the subgraphs confine to that session (so does a hosted link's or an embed token, until it expires). A header that is not a Bearer key or client secret, or a
// key that is unknown or revoked: rejected before anything executes.
import { anonymous, type Principal } from '@handoff/shared/identity/principal';
import { bearerToken, constantTimeEqual, hashApiKey, looksLikeApiKey } from '@handoff/shared/identity/api-key';
import { encodePrincipal } from '@handoff/shared/identity/signing';
import { intentClientScope, verifyClientSecret, verifyIntentClientSecret } from '@handoff/shared/identity/client-secret';
import { verifyCheckoutToken } from '@handoff/shared/identity/checkout-token';
import type { ApiKeyResolver, ResolvedApiKey } from './api-key-resolver.js';

export const ANONYMOUS_PRINCIPAL_HEADER = encodePrincipal(anonymous);

export type Authentication = ({ ok: true } & ResolvedApiKey) | { ok: false; reason: 'malformed' | 'unknown' };

const ANONYMOUS: Authentication = Object.freeze({ ok: true, principal: anonymous, principalHeader: ANONYMOUS_PRINCIPAL_HEADER });
const MALFORMED: Authentication = Object.freeze({ ok: false, reason: 'malformed' });
const UNKNOWN: Authentication = Object.freeze({ ok: false, reason: 'unknown' });

export class Authenticator {
  private readonly bootstrapAdmin: Authentication | undefined;

  constructor(
    private readonly resolver: ApiKeyResolver,
    private readonly adminKey?: string,
    /** The internal secret client secrets derive from; without it no client secret is accepted. */
    private readonly internalSecret?: string,
  ) {
    if (adminKey) {
      const principal = Object.freeze({ kind: 'ADMIN' as const, keyId: 'bootstrap' });
      this.bootstrapAdmin = Object.freeze({ ok: true, principal, principalHeader: encodePrincipal(principal) });
    }
  }

  /** Rejects (ApiKeyLookupError) only when the key's owner cannot be asked. */
  /** `requestId` goes with the key lookup, if one is made. */
  async authenticate(authorization: string | undefined, requestId?: string): Promise<Authentication> {
    if (authorization === undefined || authorization.trim() === '') return ANONYMOUS;
    const token = bearerToken(authorization);
    if (!token) return MALFORMED;
    if (this.adminKey && constantTimeEqual(token, this.adminKey)) return this.bootstrapAdmin!;
    if (this.internalSecret) {
      const checkoutSessionId = verifyClientSecret(token, this.internalSecret);
      // A hosted link's or embed token (seed 003 §12): the same CLIENT scope, until it expires.
      const bound = checkoutSessionId ?? verifyCheckoutToken(token, this.internalSecret)?.checkoutSessionId;
      if (bound) {
        const principal: Principal = { kind: 'CLIENT', checkoutSessionId: bound };
        return { ok: true, principal, principalHeader: encodePrincipal(principal) };
      }
      // A standalone payment intent's client secret: that one intent, read and confirmed.
      const paymentIntentId = verifyIntentClientSecret(token, this.internalSecret);
      if (paymentIntentId) {
        const principal: Principal = { kind: 'CLIENT', checkoutSessionId: intentClientScope(paymentIntentId), paymentIntentId };
        return { ok: true, principal, principalHeader: encodePrincipal(principal) };
      }
    }
    if (!looksLikeApiKey(token)) return MALFORMED;
    const resolved = await this.resolver.resolve(hashApiKey(token), requestId);
    return resolved ? { ok: true, ...resolved } : UNKNOWN;
  }
}
