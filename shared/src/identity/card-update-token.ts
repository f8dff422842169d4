// The buyer's card-update link's token (issue 22; docs/recurring.md "Card update link"), as
// Stripe's hosted "update payment method" link: bound to one billing subscription and to the
// merchant that owned it when the link was made, expiring, and used once (the nonce is recorded
// when a card is replaced: payment-intent's card-update/). Derived (HMAC) from the internal secret,
// so making one writes nothing (a past-due webhook carries a fresh one).
//   <subscriptionId>.<expiry, unix seconds>.<nonce, 22 base64url>.<mac, 43 base64url>
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './api-key.js';

const SHAPE = /^(bsub_[a-f0-9]{24})\.(\d{9,11})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function mac(internalSecret: string, subscriptionId: string, merchantId: string, seconds: number, nonce: string): string {
  return createHmac('sha256', internalSecret).update(`handoff-card-update:${subscriptionId}:${merchantId}:${seconds}:${nonce}`).digest('base64url');
}

/** A token for the merchant's subscription, valid until `expiresAt` (rounded down to the second). */
export function issueCardUpdateToken(subscriptionId: string, merchantId: string, expiresAt: Date, internalSecret: string): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  const nonce = randomBytes(16).toString('base64url');
  return `${subscriptionId}.${seconds}.${nonce}.${mac(internalSecret, subscriptionId, merchantId, seconds, nonce)}`;
}

export interface ParsedCardUpdateToken {
  subscriptionId: string;
  expiresAt: Date;
  nonce: string;
}

/** The token's parts when it has the token's shape (not yet verified: that needs the subscription's merchant); undefined otherwise. */
export function parseCardUpdateToken(token: string): ParsedCardUpdateToken | undefined {
  if (typeof token !== 'string' || token.length > 160) return undefined;
  const m = SHAPE.exec(token);
  if (!m) return undefined;
  return { subscriptionId: m[1]!, expiresAt: new Date(Number(m[2]) * 1000), nonce: m[3]! };
}

/** Whether the token was signed for this subscription of this merchant (expiry not checked: the caller says expired apart from forged). */
export function cardUpdateTokenSignedFor(token: string, merchantId: string, internalSecret: string): boolean {
  const m = SHAPE.exec(token);
  if (!m) return false;
  return constantTimeEqual(m[4]!, mac(internalSecret, m[1]!, merchantId, Number(m[2]), m[3]!));
}
