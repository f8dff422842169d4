// Webhook signatures in Stripe's scheme, written once for every side (docs/api.md, "Webhook
// signatures"): payment-intent verifies inbound PSP webhooks with it, the sandbox PSP signs its
// webhooks, checkout-session signs calls to merchants' pricing endpoints (payload-signature.ts): `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, several v1 allowed
// (secret rotation), v0 and other schemes ignored, 300 s tolerance in both directions.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 300;
export const HANDOFF_SIGNATURE_HEADER = 'handoff-signature';
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';

export interface ParsedSignature {
  timestamp: number;
  v1: string[];
}

/** null when the header is missing, malformed, or has no timestamp or no v1 signature. */
export function parseSignatureHeader(header: string | undefined | null): ParsedSignature | null {
  if (!header || header.length > 4096) return null;
  let timestamp: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) return null;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (/^[0-9a-f]{64}$/i.test(value)) v1.push(value.toLowerCase());
    }
  }
  if (timestamp === null || v1.length === 0) return null;
  return { timestamp, v1 };
}

export function computeSignature(secret: string, timestamp: number, payload: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest('hex');
}

/** The header the sandbox sends (and tests use). */
export function signatureHeader(secret: string, payload: Buffer | string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, payload)}`;
}

/** One header signed with each of `secrets`, in order: `t=…,v1=<new>,v1=<old>` while a rotated secret overlaps (outbound webhooks). */
export function signatureHeaderFor(secrets: readonly string[], payload: Buffer | string, timestamp = Math.floor(Date.now() / 1000)): string {
  if (secrets.length === 0) throw new Error('signatureHeaderFor: no secret to sign with');
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${computeSignature(secret, timestamp, payload)}`)].join(',');
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/** The timestamp must be within `tolerance` of now, past or future (stripe-node only checks the past). */
export function checkTimestamp(timestamp: number, nowMs: number, tolerance = SIGNATURE_TOLERANCE_SECONDS): SignatureCheck {
  const skew = Math.floor(nowMs / 1000) - timestamp;
  if (skew > tolerance) return { ok: false, reason: 'timestamp too old' };
  if (skew < -tolerance) return { ok: false, reason: 'timestamp in the future' };
  return { ok: true, timestamp };
}

export function verifySignature(opts: {
  payload: Buffer;
  header: string | undefined | null;
  secret: string;
  nowMs?: number;
  tolerance?: number;
}): SignatureCheck {
  const parsed = parseSignatureHeader(opts.header);
  if (!parsed) return { ok: false, reason: 'missing or malformed signature header' };
  const expected = Buffer.from(computeSignature(opts.secret, parsed.timestamp, opts.payload), 'hex');
  const matches = parsed.v1.some((sig) => timingSafeEqual(Buffer.from(sig, 'hex'), expected));
  if (!matches) return { ok: false, reason: 'no matching signature' };
  return checkTimestamp(parsed.timestamp, opts.nowMs ?? Date.now(), opts.tolerance);
}
