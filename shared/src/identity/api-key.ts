// API keys: random, shown once, stored only as a SHA-256 hash, with a visible prefix.
// The keys carry 192 random bits, so a fast hash is enough (no password stretching needed).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './principal.js';

const rolePrefix: Record<Role, string> = { ADMIN: 'hk_adm_', MERCHANT: 'hk_mer_', AGENT: 'hk_agt_' };

export interface GeneratedApiKey {
  /** The whole key: shown to the caller once, never stored. */
  key: string;
  /** The first characters, stored and shown so people can tell keys apart. */
  prefix: string;
  hash: string;
}

/** A new key: 24 random bytes, or `random` (24 bytes, e.g. derived from an idempotency key with a server secret). */
export function generateApiKey(role: Role, random?: Buffer): GeneratedApiKey {
  if (random !== undefined && random.length !== 24) throw new Error('generateApiKey: random must be 24 bytes.');
  const key = rolePrefix[role] + (random ?? randomBytes(24)).toString('base64url');
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A bearer value that could be a Handoff key at all (cheap check before any lookup). */
export function looksLikeApiKey(value: string): boolean {
  return /^hk_(adm|mer|agt)_[A-Za-z0-9_-]{20,64}$/.test(value);
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab); // same work either way
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
