// Short-lived tokens bound to one checkout session (seed 003 §12): the hosted link's token (in
// its URL, `?cs=`) and the embed token an iframe / SDK presents as `Authorization: Bearer`. Like
// the client secret they are derived (HMAC) from the internal secret, so the gateway checks them
// without a lookup, and grant exactly what the client secret grants (principal CLIENT, confined
// to that session and to the hosted page's allow-list: read it and pay it), but they expire.
//   <sessionId>_<kind>_<expiry, unix seconds>_<mac>     kind: `hosted` | `embed`
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './api-key.js';

export type CheckoutTokenKind = 'hosted' | 'embed';
const KINDS: ReadonlySet<string> = new Set(['hosted', 'embed']);
const SHAPE = /^([A-Za-z0-9_-]{1,80})_(hosted|embed)_(\d{9,11})_([A-Za-z0-9_-]{43})$/;

function mac(internalSecret: string, sessionId: string, kind: CheckoutTokenKind, expiresAtSeconds: number): string {
  return createHmac('sha256', internalSecret).update(`handoff-checkout-token:${kind}:${sessionId}:${expiresAtSeconds}`).digest('base64url');
}

/** A token for `checkoutSessionId` valid until `expiresAt` (rounded down to the second). */
export function issueCheckoutToken(checkoutSessionId: string, kind: CheckoutTokenKind, expiresAt: Date, internalSecret: string): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  return `${checkoutSessionId}_${kind}_${seconds}_${mac(internalSecret, checkoutSessionId, kind, seconds)}`;
}

export interface VerifiedCheckoutToken {
  checkoutSessionId: string;
  kind: CheckoutTokenKind;
  expiresAt: Date;
}

/** The session the token is bound to, or undefined when it is malformed, forged or expired. */
export function verifyCheckoutToken(token: string, internalSecret: string, now: Date = new Date()): VerifiedCheckoutToken | undefined {
  if (token.length > 200) return undefined;
  const m = SHAPE.exec(token);
  if (!m || !KINDS.has(m[2]!)) return undefined;
  const [, sessionId, kind, secondsText, given] = m as unknown as [string, string, CheckoutTokenKind, string, string];
  const seconds = Number(secondsText);
  if (!constantTimeEqual(given, mac(internalSecret, sessionId, kind, seconds))) return undefined;
  if (seconds * 1000 <= now.getTime()) return undefined;
  return { checkoutSessionId: sessionId, kind, expiresAt: new Date(seconds * 1000) };
}
