// The queue dashboard's browser session: a browser cannot send the admin key as a bearer header
// on every page and asset, so an ADMIN-authenticated POST /admin/queues/session sets a short-lived
// signed cookie instead (HttpOnly, SameSite=Strict, Path=/admin/queues, Secure in production):
// the key itself travels once, in a header, never in a URL, a cookie or a log. The token is
// `v1.<expires unix s>.<nonce>.<HMAC-SHA256>` under a key derived from the internal secret, so
// every gateway replica accepts it; it cannot be revoked before it expires (15 minutes).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DASHBOARD_PATH = '/admin/queues';
export const SESSION_COOKIE = 'handoff_queues_session';
export const SESSION_TTL_S = 15 * 60;

export class DashboardSessions {
  private readonly key: Buffer;

  constructor(internalSecret: string) {
    this.key = createHmac('sha256', internalSecret).update('handoff/queue-dashboard-session/v1').digest();
  }

  issue(now = Date.now()): string {
    const body = `v1.${Math.floor(now / 1000) + SESSION_TTL_S}.${randomBytes(12).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  valid(token: string | undefined, now = Date.now()): boolean {
    if (!token || token.length > 200) return false;
    const at = token.lastIndexOf('.');
    if (at < 0) return false;
    const body = token.slice(0, at);
    const given = Buffer.from(token.slice(at + 1));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const [version, expires] = body.split('.');
    return version === 'v1' && Number(expires) * 1000 > now;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** The session cookie's value from a Cookie header (the first of that name). */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Path=${DASHBOARD_PATH}; Max-Age=${SESSION_TTL_S}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=${DASHBOARD_PATH}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
