import { generateKeyPairSync } from 'node:crypto';
import { attributionCodeId, attributionPublicKeys, verifyAttributionCode, MAX_CODE_LENGTH } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { AAP_CODE_GRACE_SECONDS, AAP_METADATA_KEYS, attributionMetadata, reissueAttribution, signAttribution } from './attribution.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, spki: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
};
const k1 = pair();
const signer = { issuer: 'handoff.local', keyId: 'k1', privateKey: k1.privateKey };
const publicKeys = attributionPublicKeys({ k1: k1.spki });
const issuedAt = new Date('2030-01-01T00:00:00Z');
const checkoutExpiresAt = new Date('2030-01-02T00:00:00Z');
const facts = {
  recommendationId: 'rec_01KN6KWQDZ6Y5HPW8KFSDPKNSQ',
  sessionId: 'ags_01KN6KV0TWMH8VS6TDS3S7V2EJ',
  checkoutSessionId: 'cs_01KN6KX2B7M1Q9R3T5V7W9Y1Z3',
  offerId: '01JQXK1001SMARTY1GB000001',
  merchantId: '01JQXK0001SMARTY000000001',
  agentId: '01JQXK0001AGENT0000000001',
  amount: { amountMinor: 1000, currency: 'GBP' },
  issuedAt,
  checkoutExpiresAt,
};
const at = (d: Date) => d.getTime();

describe('attribution metadata', () => {
  it('carries the six aap_* keys of seed 000, the code first', () => {
    const code = signAttribution(signer, facts);
    const md = attributionMetadata(code, facts);
    expect(Object.keys(md)).toEqual([...AAP_METADATA_KEYS]);
    expect(md).toMatchObject({
      aap_recommendation_id: facts.recommendationId,
      aap_session_id: facts.sessionId,
      aap_offer_id: facts.offerId,
      aap_merchant_id: facts.merchantId,
      aap_agent_id: facts.agentId,
    });
    expect(md.aap_code).toMatch(/^aap:\/\/handoff\.local\/v1\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(md.aap_code.length).toBeLessThanOrEqual(MAX_CODE_LENGTH);
  });

  it('binds every fact, verifies with the public key, and lasts past the checkout by the grace period', () => {
    const code = signAttribution(signer, facts);
    const result = verifyAttributionCode(code, { publicKeys, issuer: 'handoff.local', now: at(issuedAt) });
    expect(result).toEqual({
      ok: true,
      claims: {
        kid: 'k1',
        recommendationId: facts.recommendationId,
        sessionId: facts.sessionId,
        checkoutSessionId: facts.checkoutSessionId,
        offerId: facts.offerId,
        merchantId: facts.merchantId,
        agentId: facts.agentId,
        amountMinor: 1000,
        currency: 'GBP',
        issuedAt: at(issuedAt) / 1000,
        expiresAt: at(checkoutExpiresAt) / 1000 + AAP_CODE_GRACE_SECONDS,
      },
    });
  });

  it('fails when any byte of payload or signature changes', () => {
    const code = signAttribution(signer, facts);
    const start = code.indexOf('/v1/') + 4;
    for (let i = start; i < code.length; i++) {
      if (code[i] === '.') continue;
      const ch = code[i] === 'A' ? 'B' : 'A';
      const tampered = code.slice(0, i) + ch + code.slice(i + 1);
      const result = verifyAttributionCode(tampered, { publicKeys, now: at(issuedAt) });
      expect(result.ok, `byte ${i}`).toBe(false);
    }
  });

  it('fails once expired, under an unknown key id, or under another key', () => {
    const code = signAttribution(signer, facts);
    const late = at(checkoutExpiresAt) + (AAP_CODE_GRACE_SECONDS + 1) * 1000;
    expect(verifyAttributionCode(code, { publicKeys, now: late })).toEqual({ ok: false, reason: 'expired' });
    const rotated = signAttribution({ ...signer, keyId: 'k2' }, facts);
    expect(verifyAttributionCode(rotated, { publicKeys, now: at(issuedAt) })).toEqual({ ok: false, reason: 'unknown_key' });
    const other = pair();
    const forged = signAttribution({ ...signer, privateKey: other.privateKey }, facts);
    expect(verifyAttributionCode(forged, { publicKeys, now: at(issuedAt) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('is re-issued for a new amount with every other claim kept, a new signature and the same identity; the same amount gives the same code', () => {
    const code = signAttribution(signer, facts);
    expect(reissueAttribution(signer, code, { amountMinor: 1000, currency: 'GBP' })).toBe(code);
    const reissued = reissueAttribution(signer, code, { amountMinor: 1714, currency: 'GBP' });
    expect(reissued).not.toBe(code);
    const before = verifyAttributionCode(code, { publicKeys, now: at(issuedAt) });
    const after = verifyAttributionCode(reissued, { publicKeys, now: at(issuedAt) });
    expect(after).toEqual({ ok: true, claims: { ...(before.ok ? before.claims : {}), amountMinor: 1714 } });
    expect(attributionCodeId(reissued)).toBe(attributionCodeId(code));
    // Deterministic: the same amount again is the same code (Ed25519 signs deterministically), and back to the first is the first.
    expect(reissueAttribution(signer, code, { amountMinor: 1714, currency: 'GBP' })).toBe(reissued);
    expect(reissueAttribution(signer, reissued, { amountMinor: 1000, currency: 'GBP' })).toBe(code);
  });

  it('refuses to re-issue what is not a code bound to its checkout session', () => {
    expect(() => reissueAttribution(signer, 'not a code', { amountMinor: 1, currency: 'GBP' })).toThrow(/does not parse/);
  });
});
