import { generateKeyPairSync } from 'node:crypto';
import { attributionPublicKeys, attributionSigner, signAttributionCode } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { AttributionTouchStatus } from './attribution-touch.type.js';
import { verdictOf } from './token-verdict.js';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), pub: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

const k1 = keyPair();
const other = keyPair();
const signer = attributionSigner('handoff.local', 'k1', k1.priv);
const keys = { issuer: 'handoff.local', publicKeys: attributionPublicKeys({ k1: k1.pub }), now: 1_800_000_000_000 };
const claims = {
  recommendationId: 'rec_1', sessionId: 'ags_1', checkoutSessionId: null, offerId: 'off_1', merchantId: 'mer_1', agentId: 'agt_1',
  amountMinor: 1000, currency: 'GBP', issuedAt: 1_800_000_000 - 60, expiresAt: 1_800_000_000 + 1800,
};
const session = { checkoutSessionId: 'cs_1', merchantId: 'mer_1', agentId: 'agt_1', offerIds: new Set(['off_1', 'off_2']) };
const token = signAttributionCode(signer, claims);

describe('the verdict on an attached attribution token', () => {
  it('verifies a code of this issuer that fits the session', () => {
    expect(verdictOf('handoff.local', token, session, keys)).toMatchObject({ status: AttributionTouchStatus.VERIFIED, reason: null, claims: { recommendationId: 'rec_1' } });
    const forThisSession = signAttributionCode(signer, { ...claims, checkoutSessionId: 'cs_1' });
    expect(verdictOf('handoff.local', forThisSession, session, keys).status).toBe(AttributionTouchStatus.VERIFIED);
  });

  it('records another provider as unverified, never checking its token', () => {
    expect(verdictOf('impact.com', 'atp_anything', session, keys)).toEqual({ status: AttributionTouchStatus.UNVERIFIED_PROVIDER, reason: null, claims: null });
  });

  it('names why a code fails: format, issuer, key, signature, expiry', () => {
    const reason = (t: string) => verdictOf('handoff.local', t, session, keys).reason;
    expect(reason('garbage')).toBe('AAP_MALFORMED');
    expect(reason(signAttributionCode(attributionSigner('other.example', 'k1', k1.priv), claims))).toBe('AAP_WRONG_ISSUER');
    expect(reason(signAttributionCode(attributionSigner('handoff.local', 'k9', k1.priv), claims))).toBe('AAP_UNKNOWN_KEY');
    expect(reason(signAttributionCode(attributionSigner('handoff.local', 'k1', other.priv), claims))).toBe('AAP_SIGNATURE_INVALID');
    expect(reason(signAttributionCode(signer, { ...claims, expiresAt: 1_800_000_000 - 1 }))).toBe('AAP_EXPIRED');
  });

  it('refuses a code bound elsewhere: another offer, agent, merchant or checkout session', () => {
    for (const change of [{ offerId: 'off_9' }, { agentId: 'agt_9' }, { merchantId: 'mer_9' }, { checkoutSessionId: 'cs_9' }]) {
      expect(verdictOf('handoff.local', signAttributionCode(signer, { ...claims, ...change }), session, keys), JSON.stringify(change)).toEqual({
        status: AttributionTouchStatus.INVALID, reason: 'AAP_BINDING_MISMATCH', claims: null,
      });
    }
  });
});
