// The signed-in user, loaded once from GET /portal/api/session and replaced on login/logout.
// Role rules for the UI: an ANALYST reads only (useCanWrite() is false: hide or disable every
// write action); the gateway enforces the same rules on every operation (docs/portal-auth.md).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { loadSession, logout as logoutRequest, type PortalUser, type Role, type SessionAnswer } from '../api/accounts';
import { setCsrfToken } from '../api/csrf';

export type SessionState =
  | { status: 'loading' }
  | { status: 'error' }
  | { status: 'signed-out'; reason?: 'expired' | 'logged-out' }
  /** `since`: when this sign-in happened (a new sign-in, even of the same user, gets fresh clients). */
  | { status: 'signed-in'; user: PortalUser; since: number };

interface SessionApi {
  state: SessionState;
  signedIn(answer: SessionAnswer): void;
  /** The session ended under us (401 from the graph, a refused WebSocket). */
  expired(): void;
  logout(): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: SessionState }) {
  const [state, setState] = useState<SessionState>(initial ?? { status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (initial && attempt === 0) return;
    let live = true;
    loadSession()
      .then((answer) => live && setState(answer ? { status: 'signed-in', user: answer.user, since: Date.now() } : { status: 'signed-out' }))
      .catch(() => live && setState({ status: 'error' }));
    return () => {
      live = false;
    };
  }, [attempt, initial]);

  const signedIn = useCallback((answer: SessionAnswer) => setState({ status: 'signed-in', user: answer.user, since: Date.now() }), []);
  const expired = useCallback(() => {
    setCsrfToken(undefined);
    setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', reason: 'expired' } : s));
  }, []);
  const logout = useCallback(async () => {
    await logoutRequest().catch(() => undefined);
    setState({ status: 'signed-out', reason: 'logged-out' });
  }, []);
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const api = useMemo(() => ({ state, signedIn, expired, logout, retry }), [state, signedIn, expired, logout, retry]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (!api) throw new Error('useSession outside <SessionProvider>');
  return api;
}

/** The signed-in user (pages under the layout only). */
export function useUser(): PortalUser {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser without a signed-in user');
  return state.user;
}

export function canWrite(role: Role): boolean {
  return role === 'OWNER' || role === 'DEVELOPER';
}

/** False for an ANALYST: hide or disable write actions. */
export function useCanWrite(): boolean {
  return canWrite(useUser().role);
}

export const ROLE_LABELS: Readonly<Record<Role, string>> = { OWNER: 'Owner', DEVELOPER: 'Developer', ANALYST: 'Analyst (read only)' };
