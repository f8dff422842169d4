// /portal/invitations/:token (the link an owner hands out): who it is for, then a name and a
// password; accepting signs the new user in. An unknown, used or expired link gets one answer.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { acceptInvitation, lookUpInvitation, type Invitation } from '../api/accounts';
import { ROLE_LABELS, useSession } from '../session/session';
import { ErrorState, Loading } from '../ui/states';

export const MIN_PASSWORD_LENGTH = 10;

type View = { kind: 'loading' } | { kind: 'gone' } | { kind: 'unavailable' } | { kind: 'ready'; invitation: Invitation };

export default function InvitePage() {
  const { token = '' } = useParams();
  const { signedIn, retry } = useSession();
  const navigate = useNavigate();
  const [view, setView] = useState<View>({ kind: 'loading' });
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    lookUpInvitation(token).then((r) => live && setView(r.ok ? { kind: 'ready', invitation: r.invitation } : { kind: r.reason }));
    return () => {
      live = false;
    };
  }, [token]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (password.length < MIN_PASSWORD_LENGTH) {
      setError(`Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`);
      return;
    }
    setBusy(true);
    setError(undefined);
    const outcome = await acceptInvitation(token, { name: name.trim(), password });
    setBusy(false);
    if (outcome.ok) {
      if (outcome.session) signedIn(outcome.session);
      else retry();
      navigate('/', { replace: true });
      return;
    }
    if (outcome.reason === 'gone') setView({ kind: 'gone' });
    else setError(outcome.message ?? 'Handoff could not be reached. Try again in a moment.');
  }

  return (
    <main id="main" className="auth-page">
      {view.kind === 'loading' ? <Loading label="Checking your invitation…" /> : null}
      {view.kind === 'unavailable' ? <ErrorState title="Handoff could not be reached" message="Try the link again in a moment." /> : null}
      {view.kind === 'gone' ? (
        <div className="auth-card">
          <h1>This invitation cannot be used</h1>
          <p>It was already used, has expired, or does not exist. Ask an owner of your merchant for a new link.</p>
          <Link to="/login">Go to sign in</Link>
        </div>
      ) : null}
      {view.kind === 'ready' ? (
        <form className="auth-card" onSubmit={submit} noValidate>
          <h1>Join {view.invitation.merchantName || 'your team'} on Handoff</h1>
          <p>
            You were invited as <strong>{view.invitation.email}</strong>, role {ROLE_LABELS[view.invitation.role] ?? view.invitation.role}.
          </p>
          <label htmlFor="invite-name">Your name</label>
          <input id="invite-name" name="name" autoComplete="name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          <label htmlFor="invite-password">Choose a password</label>
          <input
            id="invite-password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={200}
            aria-describedby="invite-password-hint"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <p id="invite-password-hint" className="hint">
            At least {MIN_PASSWORD_LENGTH} characters.
          </p>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="button" disabled={busy || !name.trim() || !password}>
            {busy ? 'Joining…' : 'Join'}
          </button>
        </form>
      ) : null}
    </main>
  );
}
