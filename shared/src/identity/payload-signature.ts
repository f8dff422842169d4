// Signing a raw HTTP body for a receiver outside Handoff, in the scheme of Handoff's webhooks
// (docs/api.md, "Webhook signatures"; Stripe's): `Handoff-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, "<t>.<raw body>")>`, the whole secret string as the key. Used to sign calls
// to merchants' pricing endpoints; the receiver verifies with the module docs/api.md gives.
import { HANDOFF_SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, signatureHeader, verifySignature } from './webhook-signature.js';

export const PAYLOAD_SIGNATURE_HEADER = HANDOFF_SIGNATURE_HEADER;
export const PAYLOAD_SIGNATURE_TOLERANCE_SECONDS = SIGNATURE_TOLERANCE_SECONDS;

/** The header value for `body`, signed at `nowMs`. */
export function signPayload(secret: string, body: string | Buffer, nowMs = Date.now()): string {
  return signatureHeader(secret, body, Math.floor(nowMs / 1000));
}

/** True when one v1 signature in `header` matches `body` and its timestamp is within the tolerance, past or future. */
export function verifyPayloadSignature(secret: string, body: string | Buffer, header: string | undefined | null, nowMs = Date.now(), toleranceSeconds = PAYLOAD_SIGNATURE_TOLERANCE_SECONDS): boolean {
  return verifySignature({ payload: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, header, secret, nowMs, tolerance: toleranceSeconds }).ok;
}
