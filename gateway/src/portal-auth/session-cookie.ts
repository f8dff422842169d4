// The portal's session cookie and its CSRF token (docs/portal-auth.md). The cookie is HttpOnly,
// SameSite=Strict, Path=/, and Secure when the request came over TLS (or a proxy says https). The
// CSRF token is an HMAC of the session id under a key derived from the internal secret: bound to
// the session, checked without a lookup, never stored.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export const SESSION_COOKIE = 'handoff_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The session cookie's value from a Cookie header, or undefined. */
export function sessionCookieOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return /^hps_[A-Za-z0-9_-]{20,100}$/.test(value) ? value : '';
  }
  return undefined;
}

export const tokenHashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

export function overTls(req: IncomingMessage): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${secure ? '; Secure' : ''}`;
}

export class CsrfTokens {
  private readonly key: Buffer;

  constructor(internalSecret: string) {
    this.key = createHmac('sha256', internalSecret).update('handoff portal csrf v1').digest();
  }

  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.key).update(sessionId).digest('base64url');
  }

  verify(sessionId: string, presented: string | string[] | undefined): boolean {
    const value = Array.isArray(presented) ? presented[0] : presented;
    if (typeof value !== 'string' || value.length > 200) return false;
    const expected = Buffer.from(this.tokenFor(sessionId));
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
