// A portal session cookie → the signed MERCHANT principal an API key of the same merchant
// resolves to, plus the user (docs/portal-auth.md). Used by /graphql (HTTP, where the request must
// also carry the session's X-CSRF-Token) and by graphql-ws upgrades (where the Origin must be the
// gateway's own or one of PORTAL_ORIGINS). No cache: a logout or revoke ends the session at once.
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '@handoff/shared/identity/principal';
import { CSRF_HEADER, CsrfTokens, sessionCookieOf, tokenHashOf } from './session-cookie.js';
import type { MerchantAccountsPort, PortalUser } from './merchant-accounts.port.js';

export interface PortalIdentity {
  principal: Extract<Principal, { kind: 'MERCHANT' }>;
  sessionId: string;
  user: PortalUser;
}

/** Why a cookie request is refused: no live session (401), or no valid CSRF token (403). */
export type PortalRefusal = 'UNAUTHENTICATED' | 'CSRF_INVALID';

export function principalOfUser(user: PortalUser, sessionId: string): PortalIdentity['principal'] {
  return { kind: 'MERCHANT', keyId: `user:${user.id}`, merchantId: user.merchantId, userId: user.id, userRole: user.role, portalSessionId: sessionId };
}

export class PortalAuth {
  readonly csrf: CsrfTokens;

  constructor(
    readonly accounts: MerchantAccountsPort,
    internalSecret: string,
    private readonly extraOrigins: readonly string[] = [],
  ) {
    this.csrf = new CsrfTokens(internalSecret);
  }

  /** Whether the request carries the session cookie at all. */
  hasCookie(headers: IncomingHttpHeaders): boolean {
    return sessionCookieOf(headers) !== undefined;
  }

  /** The live session of the request's cookie, or null. Rejects when the merchant subgraph cannot be asked. */
  async session(headers: IncomingHttpHeaders, requestId?: string): Promise<PortalIdentity | null> {
    const token = sessionCookieOf(headers);
    if (!token) return null;
    const found = await this.accounts.lookup(tokenHashOf(token), requestId);
    return found ? { principal: principalOfUser(found.user, found.sessionId), sessionId: found.sessionId, user: found.user } : null;
  }

  /** A cookie-authenticated HTTP request: its identity, or why it is refused. */
  async authenticate(headers: IncomingHttpHeaders, requestId?: string): Promise<PortalIdentity | PortalRefusal> {
    const identity = await this.session(headers, requestId);
    if (!identity) return 'UNAUTHENTICATED';
    if (!this.csrf.verify(identity.sessionId, headers[CSRF_HEADER])) return 'CSRF_INVALID';
    return identity;
  }

  /** A WebSocket upgrade may use the cookie only from the gateway's own origin or a configured one. */
  originAllowed(headers: IncomingHttpHeaders): boolean {
    const origin = typeof headers.origin === 'string' ? headers.origin.replace(/\/+$/, '') : undefined;
    if (!origin) return false;
    const host = typeof headers.host === 'string' ? headers.host : undefined;
    if (host && (origin === `http://${host}` || origin === `https://${host}`)) return true;
    return this.extraOrigins.includes(origin);
  }

  /** The user and CSRF token the portal's routes answer with. */
  view(user: PortalUser, sessionId: string): { user: PortalUser; csrfToken: string } {
    const { id, email, name, role, merchantId, merchantName } = user;
    return { user: { id, email, name, role, merchantId, merchantName }, csrfToken: this.csrf.tokenFor(sessionId) };
  }
}
