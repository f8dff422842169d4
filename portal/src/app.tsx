// Routes: the sign-in and invitation pages stand alone; every registry page renders inside the
// signed-in layout. Unknown paths under /portal get a designed "not found" state.
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import type { Client } from '@urql/core';
import type { Client as LiveClient } from 'graphql-ws';
import { BrowserRouter, Navigate, Route, Routes, useLocation, Link } from 'react-router';
import { Provider as UrqlProvider } from 'urql';
import { createGraphqlClient, createLiveClient } from './api/graphql-client';
import { LiveClientContext } from './api/live-client';
import { pages } from './pages/registry';
import { SessionProvider, useSession } from './session/session';
import { Layout } from './ui/layout';
import { Empty, ErrorState, Loading } from './ui/states';

const LoginPage = lazy(() => import('./auth/LoginPage'));
const InvitePage = lazy(() => import('./auth/InvitePage'));

export const BASENAME = '/portal';
const HOME = `/${pages[0]?.path ?? ''}`;

function SignedIn({ children }: { children: ReactNode }) {
  const { state, retry } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Loading label="Checking your session…" />;
  if (state.status === 'error') return <ErrorState title="The portal could not reach Handoff" message="Check your connection and try again." onRetry={retry} />;
  if (state.status === 'signed-out') {
    // Back to where the reader was after signing in again, unless they chose to sign out.
    const next = location.pathname + location.search;
    const to = state.reason === 'logged-out' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
    return <Navigate to={to} replace state={{ reason: state.reason }} />;
  }
  return <>{children}</>;
}

/** The clients live as long as a signed-in session (a new login gets fresh ones, no old cache). */
function Clients({ children }: { children: ReactNode }) {
  const { state, expired } = useSession();
  const since = state.status === 'signed-in' ? state.since : undefined;
  const [clients, setClients] = useState<{ graphql: Client; live: LiveClient }>();
  // Made and disposed in one effect (not a memo), so a re-run (StrictMode in development, a new
  // sign-in) never leaves a page holding a disposed WebSocket client.
  useEffect(() => {
    const made = { graphql: createGraphqlClient(expired), live: createLiveClient(expired) };
    setClients(made);
    return () => void made.live.dispose();
  }, [since, expired]);
  if (!clients) return <Loading />;
  return (
    <UrqlProvider value={clients.graphql}>
      <LiveClientContext.Provider value={clients.live}>{children}</LiveClientContext.Provider>
    </UrqlProvider>
  );
}

function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <Empty title="This page does not exist">
        <Link to={HOME}>Go to the portal’s home page</Link>
      </Empty>
    </>
  );
}

export function PortalRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/invitations/:token" element={<InvitePage />} />
        <Route path="/invite/:token" element={<InvitePage />} />
        <Route
          element={
            <SignedIn>
              <Clients>
                <Layout />
              </Clients>
            </SignedIn>
          }
        >
          <Route index element={<Navigate to={HOME} replace />} />
          {pages.map(({ path, Component }) => (
            <Route key={path} path={path} element={<Component />} />
          ))}
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <BrowserRouter basename={BASENAME}>
      <SessionProvider>
        <PortalRoutes />
      </SessionProvider>
    </BrowserRouter>
  );
}
