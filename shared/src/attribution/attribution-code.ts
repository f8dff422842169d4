// The signed attribution code (AAP code) that rides in a PSP's payment metadata:
//   aap://<issuer>/v1/<payload>.<signature>
// payload = base64url(JSON claims); signature = base64url(Ed25519 over "aap/v1|<issuer>|<payload>").
// The checkout service signs with its private key (by key id, so keys rotate); the ledger
// verifies with the public keys. At most 500 characters: Stripe's metadata value limit.
// The code names the checkout session it was issued for (`x`): the ledger pays it only for a
// payment of that session, once (codes signed before `x` existed verify with it null).
// A recommendation's attribution token (signed when the agent recommends, before any checkout)
// has no `x` either: the ledger never pays it (unbound_code); attachCheckoutAttribution verifies
// it here and binds it by signing the checkout session's own code for the same recommendation.
// A session's code is re-issued when the amount it pays changes (the buyer chose shipping or a
// promotion after the agent's checkout): same claims, the new amount, a new signature. Its
// identity (attributionCodeId) is the session's, so every issue of it is one code that pays once.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const MAX_CODE_LENGTH = 500;

export interface AttributionClaims {
  /** Key id the code was signed under. */
  kid: string;
  recommendationId: string;
  sessionId: string;
  /** The checkout session the code was issued for; null only in codes signed before it was bound. */
  checkoutSessionId: string | null;
  offerId: string;
  merchantId: string;
  agentId: string;
  amountMinor: number;
  currency: string;
  /** Unix seconds. */
  issuedAt: number;
  expiresAt: number;
}

interface WireClaims {
  v: 1;
  k: string;
  r: string;
  s: string;
  x?: string;
  o: string;
  m: string;
  a: string;
  n: number;
  c: string;
  i: number;
  e: number;
}

export interface AttributionSigner {
  issuer: string;
  keyId: string;
  privateKey: KeyObject;
}

export type AttributionVerifyResult =
  | { ok: true; claims: AttributionClaims }
  | { ok: false; reason: 'malformed' | 'wrong_issuer' | 'unknown_key' | 'bad_signature' | 'expired' };

/** Reads a base64 PKCS#8 DER (or PEM) Ed25519 private key. */
export function attributionSigner(issuer: string, keyId: string, privateKey: string): AttributionSigner {
  const key = privateKey.includes('BEGIN')
    ? createPrivateKey(privateKey)
    : createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('AAP signing key must be Ed25519');
  assertIssuer(issuer);
  return { issuer, keyId, privateKey: key };
}

/** Reads `{ kid: base64 SPKI DER or PEM }` public keys. */
export function attributionPublicKeys(keys: Record<string, string>): Map<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  for (const [kid, value] of Object.entries(keys)) {
    const key = value.includes('BEGIN')
      ? createPublicKey(value)
      : createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`AAP public key ${kid} must be Ed25519`);
    out.set(kid, key);
  }
  return out;
}

function signingInput(issuer: string, payload: string): Buffer {
  return Buffer.from(`aap/v1|${issuer}|${payload}`, 'utf8');
}

export function signAttributionCode(
  signer: AttributionSigner,
  claims: Omit<AttributionClaims, 'kid'>,
): string {
  const wire: WireClaims = {
    v: 1,
    k: signer.keyId,
    r: claims.recommendationId,
    s: claims.sessionId,
    ...(claims.checkoutSessionId ? { x: claims.checkoutSessionId } : {}),
    o: claims.offerId,
    m: claims.merchantId,
    a: claims.agentId,
    n: claims.amountMinor,
    c: claims.currency,
    i: claims.issuedAt,
    e: claims.expiresAt,
  };
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  const signature = sign(null, signingInput(signer.issuer, payload), signer.privateKey).toString('base64url');
  const code = `aap://${signer.issuer}/v1/${payload}.${signature}`;
  if (code.length > MAX_CODE_LENGTH) throw new Error(`AAP code is ${code.length} characters, over ${MAX_CODE_LENGTH}`);
  return code;
}

const CODE_PATTERN = /^aap:\/\/([a-z0-9.-]{1,100})\/v1\/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{86})$/;

export function verifyAttributionCode(
  code: unknown,
  opts: { publicKeys: Map<string, KeyObject>; issuer?: string; now?: number; /** Signature only: a subscription's renewal pays long after its code's checkout (the ledger's recurring commissions). */ ignoreExpiry?: boolean },
): AttributionVerifyResult {
  if (typeof code !== 'string' || code.length > MAX_CODE_LENGTH) return { ok: false, reason: 'malformed' };
  const m = CODE_PATTERN.exec(code);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, issuer, payload, signature] = m as unknown as [string, string, string, string];
  if (opts.issuer && issuer !== opts.issuer) return { ok: false, reason: 'wrong_issuer' };
  const wire = parseWire(payload);
  if (!wire) return { ok: false, reason: 'malformed' };
  const key = opts.publicKeys.get(wire.k);
  if (!key) return { ok: false, reason: 'unknown_key' };
  // base64url is not canonical in its last character: re-encode to refuse altered encodings.
  const sigBytes = Buffer.from(signature, 'base64url');
  if (sigBytes.toString('base64url') !== signature || sigBytes.length !== 64) return { ok: false, reason: 'bad_signature' };
  if (!verify(null, signingInput(issuer, payload), key, sigBytes)) return { ok: false, reason: 'bad_signature' };
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (now > wire.e && !opts.ignoreExpiry) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claimsOf(wire) };
}

function claimsOf(wire: WireClaims): AttributionClaims {
  return {
    kid: wire.k,
    recommendationId: wire.r,
    sessionId: wire.s,
    checkoutSessionId: wire.x ?? null,
    offerId: wire.o,
    merchantId: wire.m,
    agentId: wire.a,
    amountMinor: wire.n,
    currency: wire.c,
    issuedAt: wire.i,
    expiresAt: wire.e,
  };
}

function isWireClaims(w: unknown): w is WireClaims {
  if (!w || typeof w !== 'object') return false;
  const x = w as Record<string, unknown>;
  const str = (k: string) => typeof x[k] === 'string' && (x[k] as string).length > 0 && (x[k] as string).length <= 64;
  const int = (k: string) => Number.isSafeInteger(x[k]) && (x[k] as number) >= 0;
  return x.v === 1 && ['k', 'r', 's', 'o', 'm', 'a', 'c'].every(str) && ['n', 'i', 'e'].every(int) && (x.x === undefined || str('x'));
}

/**
 * The claims of a code as written, signature not checked: only for the issuer reading back a code
 * it stored itself (to re-issue it). Null when it does not parse. Anything else verifies.
 */
export function readAttributionClaims(code: string): AttributionClaims | null {
  const m = CODE_PATTERN.exec(code);
  if (!m) return null;
  const wire = parseWire(m[2]!);
  return wire ? claimsOf(wire) : null;
}

/**
 * A code's identity, for "one code pays at most once". A code bound to a checkout session is
 * identified by its issuer and what it attributes (recommendation, agent session, checkout
 * session, offer, merchant, agent), not by its amount, times or key: a re-issue for another
 * amount, or a copy with an altered signature, is the same code. A code without a checkout
 * session by what its signature covers (issuer and claims); anything that does not parse as a
 * code by its whole text.
 */
export function attributionCodeId(code: string): string {
  const m = CODE_PATTERN.exec(code);
  const wire = m ? parseWire(m[2]!) : null;
  const covered = !m ? code : wire?.x ? `aap/v1|${m[1]}|attribution|${JSON.stringify([wire.r, wire.s, wire.x, wire.o, wire.m, wire.a])}` : `aap/v1|${m[1]}|${m[2]}`;
  return createHash('sha256').update(covered, 'utf8').digest('hex');
}

/**
 * The six `aap_*` payment metadata keys (seed 000) of a code the issuer signed itself, read from
 * its claims (signature not checked: only for Handoff's own stored code). Null when it does not parse.
 */
export function attributionMetadataOfCode(code: string): Record<string, string> | null {
  const c = readAttributionClaims(code);
  if (!c) return null;
  return {
    aap_code: code,
    aap_recommendation_id: c.recommendationId,
    aap_session_id: c.sessionId,
    aap_offer_id: c.offerId,
    aap_merchant_id: c.merchantId,
    aap_agent_id: c.agentId,
  };
}

function parseWire(payload: string): WireClaims | null {
  try {
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return isWireClaims(wire) ? wire : null;
  } catch {
    return null;
  }
}

function assertIssuer(issuer: string): void {
  if (!/^[a-z0-9.-]{1,100}$/.test(issuer)) throw new Error(`AAP issuer must be a lowercase host name: ${issuer}`);
}
