// Stripe webhooks, verified with the official SDK (`webhooks.constructEvent`) plus our own check
// that the timestamp is not too far in the future: the SDK alone accepts any future timestamp.
import Stripe from 'stripe';
import { checkTimestamp, parseSignatureHeader, SIGNATURE_TOLERANCE_SECONDS, type SignatureCheck } from './signature.js';

export function verifyStripeSignature(payload: Buffer, header: string | undefined, secret: string, nowMs = Date.now()): SignatureCheck {
  const parsed = parseSignatureHeader(header);
  if (!header || !parsed) return { ok: false, reason: 'missing or malformed signature header' };
  try {
    // receivedAt (seconds) lets tests pin the clock; the SDK checks the past side of the tolerance.
    Stripe.webhooks.constructEvent(payload, header, secret, SIGNATURE_TOLERANCE_SECONDS, undefined, Math.floor(nowMs / 1000));
  } catch (err) {
    return { ok: false, reason: (err as Error).message.slice(0, 200) };
  }
  return checkTimestamp(parsed.timestamp, nowMs);
}
