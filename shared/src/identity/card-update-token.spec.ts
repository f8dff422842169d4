import { describe, expect, it } from 'vitest';
import { cardUpdateTokenSignedFor, issueCardUpdateToken, parseCardUpdateToken } from './card-update-token.js';

const SECRET = 'internal-secret-for-tests-0123456789';
const SUB = 'bsub_0123456789abcdef01234567';

describe('card-update token', () => {
  it('parses its own shape and verifies only for the subscription, merchant and secret it was signed with', () => {
    const expires = new Date('2030-01-02T03:04:05.678Z');
    const token = issueCardUpdateToken(SUB, 'mer_1', expires, SECRET);
    expect(parseCardUpdateToken(token)).toMatchObject({ subscriptionId: SUB, expiresAt: new Date('2030-01-02T03:04:05.000Z') });
    expect(cardUpdateTokenSignedFor(token, 'mer_1', SECRET)).toBe(true);
    expect(cardUpdateTokenSignedFor(token, 'mer_2', SECRET)).toBe(false);
    expect(cardUpdateTokenSignedFor(token, 'mer_1', `${SECRET}x`)).toBe(false);
    // Another expiry or nonce under the same MAC: not signed.
    const [sub, seconds, nonce, mac] = token.split('.');
    expect(cardUpdateTokenSignedFor([sub, Number(seconds) + 1, nonce, mac].join('.'), 'mer_1', SECRET)).toBe(false);
    expect(cardUpdateTokenSignedFor([sub, seconds, 'A'.repeat(22), mac].join('.'), 'mer_1', SECRET)).toBe(false);
  });

  it('each link has its own nonce (one use each)', () => {
    const at = new Date(Date.now() + 60_000);
    const a = parseCardUpdateToken(issueCardUpdateToken(SUB, 'mer_1', at, SECRET))!;
    const b = parseCardUpdateToken(issueCardUpdateToken(SUB, 'mer_1', at, SECRET))!;
    expect(a.nonce).not.toBe(b.nonce);
  });

  it.each([
    ['empty', ''],
    ['not a subscription id', `cs_123.1893456000.${'A'.repeat(22)}.${'B'.repeat(43)}`],
    ['short mac', `${SUB}.1893456000.${'A'.repeat(22)}.${'B'.repeat(42)}`],
    ['sql', `${SUB}' OR 1=1`],
    ['too long', `${SUB}.${'1'.repeat(200)}`],
  ])('refuses a malformed token (%s)', (_name, token) => {
    expect(parseCardUpdateToken(token)).toBeUndefined();
    expect(cardUpdateTokenSignedFor(token, 'mer_1', SECRET)).toBe(false);
  });
});
