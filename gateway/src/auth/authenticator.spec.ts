import { describe, expect, it } from 'vitest';
import { anonymous, type Principal } from '@handoff/shared/identity/principal';
import { clientSecretFor } from '@handoff/shared/identity/client-secret';
import { encodePrincipal } from '@handoff/shared/identity/signing';
import { generateApiKey, hashApiKey } from '@handoff/shared/identity/api-key';
import { ANONYMOUS_PRINCIPAL_HEADER, Authenticator } from './authenticator.js';
import type { ApiKeyResolver } from './api-key-resolver.js';

const ADMIN_KEY = 'bootstrap-admin-key-0123456789';
const merchantKey = generateApiKey('MERCHANT').key;
const merchant: Principal = { kind: 'MERCHANT', keyId: 'k1', merchantId: 'm1' };

function resolver(known: Record<string, Principal>, fail = false): ApiKeyResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolve(hash) {
      asked.push(hash);
      if (fail) throw new Error('merchant down');
      const p = known[hash];
      return p ? { principal: p, principalHeader: encodePrincipal(p) } : null;
    },
    invalidate() {},
  };
}

describe('Authenticator', () => {
  const known = { [hashApiKey(merchantKey)]: merchant };

  it('no Authorization header (or an empty one) → the anonymous principal', async () => {
    const auth = new Authenticator(resolver(known), ADMIN_KEY);
    for (const h of [undefined, '', '   ']) {
      expect(await auth.authenticate(h)).toEqual({ ok: true, principal: anonymous, principalHeader: ANONYMOUS_PRINCIPAL_HEADER });
    }
  });

  it('the bootstrap admin key → ADMIN "bootstrap", without asking the merchant subgraph', async () => {
    const r = resolver(known);
    const result = await new Authenticator(r, ADMIN_KEY).authenticate(`Bearer ${ADMIN_KEY}`);
    expect(result).toEqual({ ok: true, principal: { kind: 'ADMIN', keyId: 'bootstrap' }, principalHeader: encodePrincipal({ kind: 'ADMIN', keyId: 'bootstrap' }) });
    expect(r.asked).toEqual([]);
  });

  it('a stored key → its principal, looked up by hash (never by the key itself)', async () => {
    const r = resolver(known);
    const result = await new Authenticator(r, ADMIN_KEY).authenticate(`bearer ${merchantKey}`);
    expect(result).toMatchObject({ ok: true, principal: merchant });
    expect(r.asked).toEqual([hashApiKey(merchantKey)]);
  });

  it('an unknown or revoked key → rejected as unknown', async () => {
    const r = resolver(known);
    expect(await new Authenticator(r, ADMIN_KEY).authenticate(`Bearer ${generateApiKey('AGENT').key}`)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('anything that is not "Bearer <key>" → rejected as malformed, without a lookup', async () => {
    const r = resolver(known);
    const auth = new Authenticator(r, ADMIN_KEY);
    for (const h of ['Basic dXNlcjpwdw==', 'Bearer', 'Bearer a b', 'Bearer not-a-handoff-key', `Bearer ${ADMIN_KEY}x`, merchantKey]) {
      expect(await auth.authenticate(h)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(r.asked).toEqual([]);
  });

  it('without a configured admin key, no bearer value is the bootstrap admin', async () => {
    const auth = new Authenticator(resolver(known));
    expect(await auth.authenticate(`Bearer ${ADMIN_KEY}`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('propagates a failed lookup (the caller answers 503, not 401)', async () => {
    await expect(new Authenticator(resolver(known, true)).authenticate(`Bearer ${merchantKey}`)).rejects.toThrow('merchant down');
  });

  describe('hosted page client secrets', () => {
    const INTERNAL = 'i'.repeat(48);

    it("a session's client secret → CLIENT of that session, without a lookup", async () => {
      const r = resolver(known);
      const result = await new Authenticator(r, ADMIN_KEY, INTERNAL).authenticate(`Bearer ${clientSecretFor('cs_01ABC', INTERNAL)}`);
      const principal: Principal = { kind: 'CLIENT', checkoutSessionId: 'cs_01ABC' };
      expect(result).toEqual({ ok: true, principal, principalHeader: encodePrincipal(principal) });
      expect(r.asked).toEqual([]);
    });

    it('a forged, tampered or foreign-secret client secret → malformed', async () => {
      const auth = new Authenticator(resolver(known), ADMIN_KEY, INTERNAL);
      const good = clientSecretFor('cs_01ABC', INTERNAL);
      for (const token of [
        clientSecretFor('cs_01ABC', 'o'.repeat(48)),
        good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A'),
        clientSecretFor('cs_OTHER', INTERNAL).replace('cs_OTHER', 'cs_01ABC'),
      ]) {
        expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ ok: false, reason: 'malformed' });
      }
    });

    it('without the internal secret, no client secret is accepted', async () => {
      const auth = new Authenticator(resolver(known), ADMIN_KEY);
      expect(await auth.authenticate(`Bearer ${clientSecretFor('cs_01ABC', INTERNAL)}`)).toEqual({ ok: false, reason: 'malformed' });
    });

    it('API keys still resolve beside client secrets', async () => {
      const result = await new Authenticator(resolver(known), ADMIN_KEY, INTERNAL).authenticate(`Bearer ${merchantKey}`);
      expect(result).toMatchObject({ ok: true, principal: merchant });
    });
  });
});
