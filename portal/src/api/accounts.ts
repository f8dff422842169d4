// The accounts backend's REST routes under /portal/api (docs/portal-auth.md): login, the current
// session, logout, invitations. Cookie `handoff_session` (httpOnly) carries the session; every
// POST made with it also carries X-CSRF-Token.
import { csrfToken, setCsrfToken } from './csrf';

export type Role = 'OWNER' | 'DEVELOPER' | 'ANALYST';

export interface PortalUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  merchantId: string;
  merchantName: string;
}

export interface SessionAnswer {
  user: PortalUser;
  csrfToken: string;
}

export type LoginOutcome =
  | { ok: true; session: SessionAnswer }
  | { ok: false; reason: 'invalid' | 'throttled' | 'unavailable'; retryAfterSeconds?: number };

export const API_BASE = '/portal/api';

async function post(path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const csrf = csrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  return fetch(`${API_BASE}${path}`, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body ?? {}) });
}

function isSession(value: unknown): value is SessionAnswer {
  const v = value as SessionAnswer | null;
  return !!v && typeof v.csrfToken === 'string' && !!v.user && typeof v.user.id === 'string' && typeof v.user.role === 'string';
}

function retryAfter(res: Response): number | undefined {
  const n = Number(res.headers.get('retry-after'));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The signed-in user, or undefined when there is no session (401). Throws when the backend is unreachable. */
export async function loadSession(): Promise<SessionAnswer | undefined> {
  const res = await fetch(`${API_BASE}/session`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401 || res.status === 403 || res.status === 404) return undefined;
  if (!res.ok) throw new Error(`session: HTTP ${res.status}`);
  const body: unknown = await res.json();
  if (!isSession(body)) return undefined;
  setCsrfToken(body.csrfToken);
  return body;
}

export async function login(email: string, password: string): Promise<LoginOutcome> {
  let res: Response;
  try {
    res = await post('/login', { email, password });
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  if (res.status === 429) return { ok: false, reason: 'throttled', retryAfterSeconds: retryAfter(res) };
  if (res.status >= 500) return { ok: false, reason: 'unavailable' };
  if (!res.ok) return { ok: false, reason: 'invalid' };
  const body: unknown = await res.json().catch(() => undefined);
  if (!isSession(body)) return { ok: false, reason: 'unavailable' };
  setCsrfToken(body.csrfToken);
  return { ok: true, session: body };
}

export async function logout(): Promise<void> {
  try {
    await post('/logout', {});
  } finally {
    setCsrfToken(undefined);
  }
}

export interface Invitation {
  email: string;
  role: Role;
  merchantName: string;
}

export type InvitationLookup = { ok: true; invitation: Invitation } | { ok: false; reason: 'gone' | 'unavailable' };

/** What an invitation link is for; 'gone' for an unknown, expired or used one (one answer for all three). */
export async function lookUpInvitation(token: string): Promise<InvitationLookup> {
  try {
    const res = await fetch(`${API_BASE}/invitations/${encodeURIComponent(token)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (res.status >= 500) return { ok: false, reason: 'unavailable' };
    if (!res.ok) return { ok: false, reason: 'gone' };
    const body = (await res.json()) as Partial<Invitation> & { invitation?: Invitation };
    const inv = body.invitation ?? body;
    return { ok: true, invitation: { email: String(inv.email ?? ''), role: (inv.role ?? 'ANALYST') as Role, merchantName: String(inv.merchantName ?? '') } };
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
}

export type AcceptOutcome = { ok: true; session: SessionAnswer | undefined } | { ok: false; reason: 'gone' | 'invalid' | 'unavailable'; message?: string };

export async function acceptInvitation(token: string, input: { name: string; password: string }): Promise<AcceptOutcome> {
  let res: Response;
  try {
    res = await post(`/invitations/${encodeURIComponent(token)}/accept`, input);
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  const body = (await res.json().catch(() => undefined)) as { error?: string; message?: string } | SessionAnswer | undefined;
  if (res.ok) {
    if (isSession(body)) setCsrfToken(body.csrfToken);
    return { ok: true, session: isSession(body) ? body : undefined };
  }
  if (res.status === 404 || res.status === 410 || res.status === 409) return { ok: false, reason: 'gone' };
  if (res.status >= 500) return { ok: false, reason: 'unavailable' };
  const message = body && 'error' in body ? (body.message ?? body.error) : undefined;
  return { ok: false, reason: 'invalid', message: typeof message === 'string' ? message : undefined };
}
