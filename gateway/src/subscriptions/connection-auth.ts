// Who is on a graphql-ws connection: the `authorization` of its connection_init payload, an API
// key (as on HTTP) or the hosted page's client secret (its one session, principal CLIENT).
// Without an `authorization`, the upgrade's portal session cookie (docs/portal-auth.md), only when
// the upgrade's Origin is the gateway's own or one of PORTAL_ORIGINS (a cross-site page cannot
// ride the cookie). Anything else, including no credentials, is refused (close 4403).
import type { IncomingMessage } from 'node:http';
import { bearerToken, hashApiKey } from '@handoff/shared/identity/api-key';
import { verifyClientSecret } from '@handoff/shared/identity/client-secret';
import type { Principal } from '@handoff/shared/identity/principal';
import type { Authentication } from '../auth/authenticator.js';
import type { PortalAuth } from '../portal-auth/portal-auth.js';

export interface ConnectionIdentity {
  principal: Principal;
  /** What the per-key subscription limit counts by: the API key, or the client secret's session. */
  limitKey: string;
  /** The API key's hash (absent for a client secret): the connection closes when it is revoked. */
  keyHash?: string;
  /** A portal session's connection: whether its session is still live (asked periodically; it closes when not). */
  stillLive?: () => Promise<boolean>;
}

export interface IdentifyDeps {
  internalSecret: string;
  authenticate(authorization: string): Promise<Authentication>;
  /** Portal session cookies; without it a cookie is never accepted. */
  portal?: PortalAuth;
}

export async function identifyConnection(
  params: Readonly<Record<string, unknown>> | undefined,
  deps: IdentifyDeps,
  request?: IncomingMessage,
): Promise<ConnectionIdentity | undefined> {
  const authorization = params?.authorization ?? params?.Authorization;
  if (authorization === undefined && request && deps.portal?.hasCookie(request.headers)) {
    if (!deps.portal.originAllowed(request.headers)) return undefined;
    const identity = await deps.portal.session(request.headers);
    const { portal } = deps;
    const headers = request.headers;
    return identity
      ? { principal: identity.principal, limitKey: `user:${identity.user.id}`, stillLive: async () => (await portal.session(headers))?.sessionId === identity.sessionId }
      : undefined;
  }
  if (typeof authorization !== 'string') return undefined;
  const token = bearerToken(authorization);
  if (!token) return undefined;
  const sessionId = verifyClientSecret(token, deps.internalSecret);
  if (sessionId) return { principal: { kind: 'CLIENT', checkoutSessionId: sessionId }, limitKey: `client:${sessionId}` };
  const auth = await deps.authenticate(authorization);
  if (!auth.ok) return undefined;
  const p = auth.principal;
  if (p.kind !== 'ADMIN' && p.kind !== 'MERCHANT' && p.kind !== 'AGENT') return undefined;
  return { principal: p, limitKey: `key:${p.keyId}`, keyHash: hashApiKey(token) };
}
