// The session's CSRF token (from the login answer or GET /portal/api/session), sent as
// X-CSRF-Token on every cookie-authenticated POST. Held in memory only, never in storage.
let token: string | undefined;

export function setCsrfToken(value: string | undefined): void {
  token = value;
}

export function csrfToken(): string | undefined {
  return token;
}
