import { describe, expect, it } from 'vitest';
import { encodePrincipal, signRequest, verifyRequest } from './signing.js';
import type { Principal } from './principal.js';

const secret = 'a'.repeat(40);
const principal: Principal = { kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' };
const principalB64 = encodePrincipal(principal);
const body = JSON.stringify({ query: '{ viewer { role } }' });
const now = 1_800_000_000_000;

function sign(overrides: Partial<{ body: string; requestId: string; now: number; secret: string }> = {}) {
  return signRequest({
    secret: overrides.secret ?? secret,
    principalB64,
    requestId: overrides.requestId ?? 'req-12345678',
    body: overrides.body ?? body,
    now: overrides.now ?? now,
  });
}

function verify(signatureHeader: string | undefined, overrides: Partial<{ body: string; principalHeader: string; requestId: string; now: number }> = {}) {
  return verifyRequest({
    secret,
    principalHeader: overrides.principalHeader ?? principalB64,
    signatureHeader,
    requestId: overrides.requestId ?? 'req-12345678',
    body: overrides.body ?? body,
    now: overrides.now ?? now,
  });
}

describe('gateway → subgraph request signing', () => {
  it('accepts its own signature and returns the principal', () => {
    expect(verify(sign())).toEqual({ ok: true, principal });
  });

  it('accepts a signature up to 60 s old and refuses an older or future one', () => {
    expect(verify(sign(), { now: now + 60_000 }).ok).toBe(true);
    expect(verify(sign(), { now: now + 61_000 })).toEqual({ ok: false, reason: 'stale signature' });
    expect(verify(sign({ now: now + 120_000 }))).toEqual({ ok: false, reason: 'stale signature' });
  });

  it('refuses an unsigned call', () => {
    expect(verify(undefined)).toEqual({ ok: false, reason: 'unsigned' });
    expect(verify(sign(), { principalHeader: '' }).ok).toBe(false);
  });

  it('refuses a signature replayed for another body or request id', () => {
    expect(verify(sign(), { body: JSON.stringify({ query: '{ merchants { totalCount } }' }) })).toEqual({ ok: false, reason: 'bad signature' });
    expect(verify(sign(), { requestId: 'req-other-1' }).ok).toBe(false);
  });

  it('refuses a forged signature, another secret, or a swapped principal', () => {
    expect(verify(sign({ secret: 'b'.repeat(40) })).ok).toBe(false);
    expect(verify(`t=${Math.floor(now / 1000)},v1=${'0'.repeat(64)}`).ok).toBe(false);
    const admin = encodePrincipal({ kind: 'ADMIN', keyId: 'x' });
    expect(verify(sign(), { principalHeader: admin }).ok).toBe(false);
  });

  it('refuses malformed headers and principals', () => {
    expect(verify('garbage')).toEqual({ ok: false, reason: 'malformed signature' });
    const weird = Buffer.from(JSON.stringify({ kind: 'ROOT' })).toString('base64url');
    const sig = signRequest({ secret, principalB64: weird, requestId: 'req-12345678', body, now });
    expect(verify(sig, { principalHeader: weird })).toEqual({ ok: false, reason: 'malformed principal' });
  });
});
