// The hosted page's client secret: bound to one checkout session, derived (HMAC) from the
// internal secret so the gateway can check it without a lookup. It grants only that session's
// public view and its payment (principal kind CLIENT).
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './api-key.js';

const SEPARATOR = '_secret_';

function mac(internalSecret: string, checkoutSessionId: string): string {
  return createHmac('sha256', internalSecret).update(`handoff-client-secret:${checkoutSessionId}`).digest('base64url');
}

export function clientSecretFor(checkoutSessionId: string, internalSecret: string): string {
  return `${checkoutSessionId}${SEPARATOR}${mac(internalSecret, checkoutSessionId)}`;
}

/** The checkout session id the secret is bound to, or undefined when it is not valid. */
export function verifyClientSecret(clientSecret: string, internalSecret: string): string | undefined {
  const at = clientSecret.lastIndexOf(SEPARATOR);
  if (at <= 0 || clientSecret.length > 200) return undefined;
  const sessionId = clientSecret.slice(0, at);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(sessionId)) return undefined;
  return constantTimeEqual(clientSecret.slice(at + SEPARATOR.length), mac(internalSecret, sessionId)) ? sessionId : undefined;
}
