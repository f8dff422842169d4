import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign } from 'node:crypto';
import {
  attributionCodeId,
  attributionPublicKeys,
  attributionSigner,
  MAX_CODE_LENGTH,
  readAttributionClaims,
  signAttributionCode,
  verifyAttributionCode,
} from './attribution-code.js';

function keys(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    kid,
    priv: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    pub: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

const k1 = keys('k1');
const k2 = keys('k2');
const signer = attributionSigner('handoff.local', 'k1', k1.priv);
const publicKeys = attributionPublicKeys({ k1: k1.pub, k2: k2.pub });
const now = 1_800_000_000;
const claims = {
  recommendationId: 'rec_01KN6KWQDZ6Y5HPW8KFSDPKNSQ',
  sessionId: 'ags_01KN6KV0TWMH8VS6TDS3S7V2EJ',
  checkoutSessionId: 'cs_01KN6KX2B7M1Q9R3T5V7W9Y1Z3',
  offerId: 'off_01JQXK1001SMARTY1GB000001',
  merchantId: 'mer_01JQXK0001SMARTY000000001',
  agentId: 'agt_01JQXK0001AGENT0000000001',
  amountMinor: 1000,
  currency: 'GBP',
  issuedAt: now,
  expiresAt: now + 86_400,
};

describe('attribution (AAP) codes', () => {
  const code = signAttributionCode(signer, claims);

  it('fit in a Stripe metadata value and verify with the public key', () => {
    expect(code.length).toBeLessThanOrEqual(MAX_CODE_LENGTH);
    expect(code.startsWith('aap://handoff.local/v1/')).toBe(true);
    expect(verifyAttributionCode(code, { publicKeys, now: now * 1000 })).toEqual({ ok: true, claims: { kid: 'k1', ...claims } });
  });

  it('fail when any character of the payload or signature changes', () => {
    const start = 'aap://handoff.local/v1/'.length;
    for (let i = start; i < code.length; i++) {
      if (code[i] === '.') continue;
      const altered = code.slice(0, i) + (code[i] === 'A' ? 'B' : 'A') + code.slice(i + 1);
      const result = verifyAttributionCode(altered, { publicKeys, now: now * 1000 });
      expect(result.ok, `altered at ${i}`).toBe(false);
    }
  });

  it('fail when expired, under an unknown key id, from another issuer, or signed by another key', () => {
    expect(verifyAttributionCode(code, { publicKeys, now: (now + 86_401) * 1000 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyAttributionCode(code, { publicKeys: attributionPublicKeys({ k2: k2.pub }), now: now * 1000 })).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    expect(verifyAttributionCode(code, { publicKeys, issuer: 'other.example', now: now * 1000 })).toEqual({ ok: false, reason: 'wrong_issuer' });
    const forged = signAttributionCode(attributionSigner('handoff.local', 'k1', k2.priv), claims);
    expect(verifyAttributionCode(forged, { publicKeys, now: now * 1000 })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rotate: codes under k2 verify while k1 codes still do', () => {
    const rotated = signAttributionCode(attributionSigner('handoff.local', 'k2', k2.priv), claims);
    expect(verifyAttributionCode(rotated, { publicKeys, now: now * 1000 }).ok).toBe(true);
    expect(verifyAttributionCode(code, { publicKeys, now: now * 1000 }).ok).toBe(true);
  });

  it('reject garbage without throwing', () => {
    for (const bad of [undefined, null, 42, '', 'aap://x/v1/.', 'https://evil/v1/a.b', `aap://handoff.local/v1/${'A'.repeat(600)}.x`]) {
      expect(verifyAttributionCode(bad, { publicKeys }).ok).toBe(false);
    }
  });

  it('refuse to sign a code over 500 characters', () => {
    expect(() => signAttributionCode(signer, { ...claims, offerId: 'o'.repeat(64), agentId: 'a'.repeat(64), sessionId: 's'.repeat(64) })).toThrow(/over 500/);
  });

  it('bind the checkout session they were issued for: another session id is another code', () => {
    const other = signAttributionCode(signer, { ...claims, checkoutSessionId: 'cs_01KN6KX2B7M1Q9R3T5V7W9Y1Z4' });
    expect(other).not.toBe(code);
    expect(verifyAttributionCode(other, { publicKeys, now: now * 1000 })).toMatchObject({ ok: true, claims: { checkoutSessionId: 'cs_01KN6KX2B7M1Q9R3T5V7W9Y1Z4' } });
    expect(attributionCodeId(other)).not.toBe(attributionCodeId(code));
  });

  it('read a code signed before the binding (no checkout session claim) with checkoutSessionId null', () => {
    const wire = { v: 1, k: 'k1', r: claims.recommendationId, s: claims.sessionId, o: claims.offerId, m: claims.merchantId, a: claims.agentId,
      n: claims.amountMinor, c: claims.currency, i: claims.issuedAt, e: claims.expiresAt };
    const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
    const sig = sign(null, Buffer.from(`aap/v1|handoff.local|${payload}`), signer.privateKey).toString('base64url');
    const legacy = `aap://handoff.local/v1/${payload}.${sig}`;
    expect(verifyAttributionCode(legacy, { publicKeys, now: now * 1000 })).toEqual({ ok: true, claims: { kid: 'k1', ...claims, checkoutSessionId: null } });
  });

  it('have one identity per signed payload: a copy with another signature is the same code', () => {
    const id = attributionCodeId(code);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const resigned = code.slice(0, -2) + (code.endsWith('AA') ? 'BA' : 'AA');
    expect(verifyAttributionCode(resigned, { publicKeys, now: now * 1000 }).ok).toBe(false);
    expect(attributionCodeId(resigned)).toBe(id);
    expect(attributionCodeId('not a code')).not.toBe(attributionCodeId('not a code either'));
  });

  it("have one identity per checkout session's attribution: a re-issue for another amount, later, under another key, is the same code", () => {
    const k2signer = attributionSigner('handoff.local', 'k2', k2.priv);
    const reissued = signAttributionCode(k2signer, { ...claims, amountMinor: 1499, issuedAt: now + 60, expiresAt: now + 90_000 });
    expect(reissued).not.toBe(code);
    expect(verifyAttributionCode(reissued, { publicKeys, now: now * 1000 })).toMatchObject({ ok: true, claims: { kid: 'k2', amountMinor: 1499 } });
    expect(attributionCodeId(reissued)).toBe(attributionCodeId(code));
    // What it attributes is its identity: any other recommendation, session, offer, merchant or agent is another code.
    for (const other of [{ recommendationId: 'rec_other' }, { sessionId: 'ags_other' }, { offerId: 'off_other' }, { merchantId: 'mer_other' }, { agentId: 'agt_other' }]) {
      expect(attributionCodeId(signAttributionCode(signer, { ...claims, ...other })), JSON.stringify(other)).not.toBe(attributionCodeId(code));
    }
    // Another issuer's code for the same claims is not ours.
    const elsewhere = signAttributionCode(attributionSigner('other.example', 'k1', k1.priv), claims);
    expect(attributionCodeId(elsewhere)).not.toBe(attributionCodeId(code));
  });

  it('identify a code signed before the binding (no checkout session claim) by its payload: two amounts are two codes', () => {
    const unbound = (amountMinor: number) => {
      const wire = { v: 1, k: 'k1', r: claims.recommendationId, s: claims.sessionId, o: claims.offerId, m: claims.merchantId, a: claims.agentId,
        n: amountMinor, c: claims.currency, i: claims.issuedAt, e: claims.expiresAt };
      const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
      return `aap://handoff.local/v1/${payload}.${sign(null, Buffer.from(`aap/v1|handoff.local|${payload}`), signer.privateKey).toString('base64url')}`;
    };
    expect(attributionCodeId(unbound(1000))).not.toBe(attributionCodeId(unbound(1001)));
    expect(attributionCodeId(unbound(1000))).not.toBe(attributionCodeId(code));
  });

  it('read back the claims of a stored code without checking its signature; null for what does not parse', () => {
    expect(readAttributionClaims(code)).toEqual({ kid: 'k1', ...claims });
    expect(readAttributionClaims('aap://handoff.local/v1/bm90IGpzb24.' + 'A'.repeat(86))).toBeNull();
    expect(readAttributionClaims('not a code')).toBeNull();
  });
});
