// Email and password → POST /portal/api/login. One message for a wrong email or password (the
// backend gives no more), another when too many attempts were made (429, Retry-After).
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { login } from '../api/accounts';
import { useSession } from '../session/session';
import { safeNext } from './safe-next';

export const INVALID_CREDENTIALS_MESSAGE = 'Email or password is incorrect.';

export function throttledMessage(retryAfterSeconds: number | undefined): string {
  if (!retryAfterSeconds) return 'Too many sign-in attempts. Wait a few minutes, then try again.';
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

export default function LoginPage() {
  const { state, signedIn } = useSession();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  const reason = (location.state as { reason?: string } | null)?.reason;

  if (state.status === 'signed-in') return <Navigate to={next} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const outcome = await login(email.trim(), password);
    setBusy(false);
    if (outcome.ok) {
      signedIn(outcome.session);
      navigate(next, { replace: true });
      return;
    }
    setPassword('');
    setError(
      outcome.reason === 'throttled'
        ? throttledMessage(outcome.retryAfterSeconds)
        : outcome.reason === 'invalid'
          ? INVALID_CREDENTIALS_MESSAGE
          : 'Handoff could not be reached. Try again in a moment.',
    );
  }

  return (
    <main id="main" className="auth-page">
      <form className="auth-card" onSubmit={submit} noValidate aria-describedby={error ? 'login-error' : undefined}>
        <h1>Sign in to Handoff</h1>
        {reason === 'expired' ? <p className="notice">Your session ended. Sign in again to continue.</p> : null}
        {reason === 'logged-out' ? <p className="notice">You are signed out.</p> : null}
        <label htmlFor="login-email">Email</label>
        <input id="login-email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error ? (
          <p id="login-error" className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button" disabled={busy || !email || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
