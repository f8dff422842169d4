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

// A standalone payment intent's client secret (seed 003 §6, Stripe's `pi_…_secret_…`): bound to
// one payment intent that pays no checkout session, derived from the internal secret under its own
// label (it never verifies as a session's secret, nor the other way round). It lets a client read
// and confirm that one intent (principal CLIENT with `paymentIntentId`).
const INTENT_PREFIX = 'pi_';

function intentMac(internalSecret: string, paymentIntentId: string): string {
  return createHmac('sha256', internalSecret).update(`handoff-intent-client-secret:${paymentIntentId}`).digest('base64url');
}

export function intentClientSecretFor(paymentIntentId: string, internalSecret: string): string {
  return `${INTENT_PREFIX}${paymentIntentId}${SEPARATOR}${intentMac(internalSecret, paymentIntentId)}`;
}

/** The payment intent id the secret is bound to, or undefined when it is not a valid intent client secret. */
export function verifyIntentClientSecret(clientSecret: string, internalSecret: string): string | undefined {
  if (!clientSecret.startsWith(INTENT_PREFIX) || clientSecret.length > 200) return undefined;
  const at = clientSecret.lastIndexOf(SEPARATOR);
  if (at <= INTENT_PREFIX.length) return undefined;
  const intentId = clientSecret.slice(INTENT_PREFIX.length, at);
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(intentId)) return undefined;
  return constantTimeEqual(clientSecret.slice(at + SEPARATOR.length), intentMac(internalSecret, intentId)) ? intentId : undefined;
}

/** The CLIENT principal's session id for a standalone intent's client: never a checkout session's id (they have no `:`). */
export const intentClientScope = (paymentIntentId: string): string => `payment_intent:${paymentIntentId}`;
