// The gateway → subgraph identity header. The gateway signs (timestamp, principal, request id,
// SHA-256 of the exact body bytes) with HMAC-SHA256; a subgraph accepts a call only when the
// signature matches, is at most 60 s old, and was made for this very body.
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from './api-key.js';
import { isPrincipal, type Principal } from './principal.js';

export const PRINCIPAL_HEADER = 'x-handoff-principal';
export const SIGNATURE_HEADER = 'x-handoff-signature';
export const MAX_SIGNATURE_AGE_SECONDS = 60;

export function encodePrincipal(principal: Principal): string {
  return Buffer.from(JSON.stringify(principal), 'utf8').toString('base64url');
}

// The HMAC key object for the (one) secret in use: made once, not on every call.
let lastSecret: string | undefined;
let lastKey: KeyObject | undefined;
function keyOf(secret: string): KeyObject {
  if (secret !== lastSecret || !lastKey) {
    lastKey = createSecretKey(Buffer.from(secret, 'utf8'));
    lastSecret = secret;
  }
  return lastKey;
}

function mac(secret: string, t: number, principalB64: string, requestId: string, body: string | Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', keyOf(secret)).update(`${t}.${principalB64}.${requestId}.${bodyHash}`).digest('hex');
}

/** Signature header value for a request carrying `principalB64` and `body`. */
export function signRequest(opts: {
  secret: string;
  principalB64: string;
  requestId: string;
  body: string | Buffer;
  now?: number;
}): string {
  const t = Math.floor((opts.now ?? Date.now()) / 1000);
  return `t=${t},v1=${mac(opts.secret, t, opts.principalB64, opts.requestId, opts.body)}`;
}

export type VerifyResult = { ok: true; principal: Principal } | { ok: false; reason: string };

export function verifyRequest(opts: {
  secret: string;
  principalHeader: string | undefined;
  signatureHeader: string | undefined;
  requestId: string;
  body: string | Buffer;
  now?: number;
  maxAgeSeconds?: number;
}): VerifyResult {
  const { principalHeader, signatureHeader } = opts;
  if (!principalHeader || !signatureHeader) return { ok: false, reason: 'unsigned' };
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(signatureHeader);
  if (!m) return { ok: false, reason: 'malformed signature' };
  const t = Number(m[1]);
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const maxAge = opts.maxAgeSeconds ?? MAX_SIGNATURE_AGE_SECONDS;
  if (Math.abs(now - t) > maxAge) return { ok: false, reason: 'stale signature' };
  const expected = mac(opts.secret, t, principalHeader, opts.requestId, opts.body);
  if (!constantTimeEqual(expected, m[2]!)) return { ok: false, reason: 'bad signature' };
  let principal: unknown;
  try {
    principal = JSON.parse(Buffer.from(principalHeader, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed principal' };
  }
  if (!isPrincipal(principal)) return { ok: false, reason: 'malformed principal' };
  return { ok: true, principal };
}
