// Signing a raw HTTP body for a receiver outside Handoff, in the scheme of Handoff's webhooks
// (docs/api.md, "Webhook signatures"; Stripe's): `Handoff-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256(secret, "<t>.<raw body>")>`, the whole secret string as the key. Used to sign calls
// to merchants' pricing endpoints; the receiver verifies with the module docs/api.md gives.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const PAYLOAD_SIGNATURE_HEADER = 'handoff-signature';
export const PAYLOAD_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, t: number, body: string | Buffer) =>
  createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

/** The header value for `body`, signed at `nowMs`. */
export function signPayload(secret: string, body: string | Buffer, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/** True when one v1 signature in `header` matches `body` and its timestamp is within the tolerance, past or future. */
export function verifyPayloadSignature(secret: string, body: string | Buffer, header: string | undefined | null, nowMs = Date.now(), toleranceSeconds = PAYLOAD_SIGNATURE_TOLERANCE_SECONDS): boolean {
  if (!header || header.length > 4096) return false;
  let t: number | null = null;
  const sigs: Buffer[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) sigs.push(Buffer.from(value, 'hex'));
  }
  if (t === null || sigs.length === 0 || Math.abs(Math.floor(nowMs / 1000) - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return sigs.some((s) => timingSafeEqual(s, expected));
}
