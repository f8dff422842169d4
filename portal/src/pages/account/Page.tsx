// Your sessions (every portal user): where you are signed in (browser, IP, since, last use,
// "this session" marked). Revoking another session ends it at once (its next request is refused
// and it lands on the sign-in page); ending this one signs you out here.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalRevokeSessionDocument, PortalSessionsDocument, type PortalSessionsQuery } from '../../generated/graphql';
import { ROLE_LABELS, useSession, useUser } from '../../session/session';
import { ConfirmButton, formatWhen } from '../../ui/secrets';
import { FormProblems, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { describeUserAgent, sessionOrder } from '../team/team-logic';
import '../../ui/forms.css';
import '../team/team.css';

type PortalSessionRow = PortalSessionsQuery['portalSessions'][number];

function SessionRow({ session, onRevoked }: { session: PortalSessionRow; onRevoked(): void }) {
  const { logout } = useSession();
  const [, revoke] = useMutation(PortalRevokeSessionDocument);
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const browser = describeUserAgent(session.userAgent);
  return (
    <tr data-session-id={session.id} data-current={session.current ? 'true' : undefined}>
      <td>
        {browser}
        {session.current ? (
          <>
            {' '}
            <span className="badge badge-succeeded">This session</span>
          </>
        ) : null}
        {session.userAgent && session.userAgent !== browser ? <span className="hint session-agent">{session.userAgent}</span> : null}
      </td>
      <td>{session.ip ?? '—'}</td>
      <td>{formatWhen(session.createdAt)}</td>
      <td>{formatWhen(session.lastSeenAt)}</td>
      <td>
        {session.current ? (
          <ConfirmButton label="Sign out" question="Sign out of this session?" confirmLabel="Yes, sign out" onConfirm={logout} />
        ) : (
          <ConfirmButton
            label="Revoke"
            question={`Revoke the session of ${browser} (${session.ip ?? 'no IP'})? That browser is signed out at its next request.`}
            confirmLabel="Yes, revoke"
            onConfirm={async () => {
              const r = await revoke({ id: session.id });
              setProblems(serverProblems(r.error));
              if (!r.error) onRevoked();
            }}
          />
        )}
        <FormProblems problems={problems} />
      </td>
    </tr>
  );
}

export default function AccountPage() {
  const user = useUser();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalSessionsDocument });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const sessions = data ? sessionOrder(data.portalSessions) : undefined;
  return (
    <>
      <div className="page-header">
        <h1>Your sessions</h1>
        <p className="muted">
          Signed in as {user.email}, {ROLE_LABELS[user.role]}, at {user.merchantName}.
        </p>
      </div>
      <section aria-labelledby="account-sessions" className="panel">
        <h2 id="account-sessions">Where you are signed in</h2>
        <p className="muted">A session ends after 12 hours unused or 7 days after signing in. Revoke one you do not recognise: that browser is signed out at its next request.</p>
        {error && !sessions ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
        {!sessions && fetching ? <Loading label="Loading your sessions…" /> : null}
        {sessions && sessions.length === 0 ? <Empty title="No live sessions" /> : null}
        {sessions && sessions.length > 0 ? (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Sessions, scrollable">
            <table className="table" aria-label="Sessions">
              <thead>
                <tr>
                  <th scope="col">Browser</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last seen</th>
                  <th scope="col"><span className="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((s) => (
                  <SessionRow key={s.id} session={s} onRevoked={refresh} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
