import { describe, expect, it } from 'vitest';
import { issueCheckoutToken, verifyCheckoutToken } from './checkout-token.js';

const SECRET = 'internal-secret-for-tests-0123456789';
const soon = (s: number) => new Date(Date.now() + s * 1000);

describe('checkout tokens', () => {
  it('verify for their session and kind until they expire', () => {
    const token = issueCheckoutToken('cs_01ABC', 'embed', soon(600), SECRET);
    expect(verifyCheckoutToken(token, SECRET)).toMatchObject({ checkoutSessionId: 'cs_01ABC', kind: 'embed' });
    expect(verifyCheckoutToken(token, SECRET, soon(601))).toBeUndefined();
  });

  it('refuse another secret, a changed session, kind or expiry, and garbage', () => {
    const token = issueCheckoutToken('cs_01ABC', 'hosted', soon(600), SECRET);
    expect(verifyCheckoutToken(token, 'another-secret')).toBeUndefined();
    expect(verifyCheckoutToken(token.replace('cs_01ABC', 'cs_01ABD'), SECRET)).toBeUndefined();
    expect(verifyCheckoutToken(token.replace('_hosted_', '_embed_'), SECRET)).toBeUndefined();
    const [sessionPart, expiry] = [token.split('_hosted_')[0], token.split('_hosted_')[1]!.split('_')[0]!];
    expect(verifyCheckoutToken(token.replace(`_${expiry}_`, `_${Number(expiry) + 1000}_`), SECRET)).toBeUndefined();
    expect(sessionPart).toBe('cs_01ABC');
    expect(verifyCheckoutToken('cs_01ABC_secret_abc', SECRET)).toBeUndefined();
    expect(verifyCheckoutToken('x'.repeat(300), SECRET)).toBeUndefined();
  });
});
