import { describe, expect, it } from 'vitest';
import { bearerToken, constantTimeEqual, generateApiKey, hashApiKey, looksLikeApiKey } from './api-key.js';

describe('API keys', () => {
  it('are random, carry their role in a visible prefix, and are stored only as a hash', () => {
    const a = generateApiKey('MERCHANT');
    const b = generateApiKey('MERCHANT');
    expect(a.key).not.toBe(b.key);
    expect(a.key.startsWith('hk_mer_')).toBe(true);
    expect(a.prefix).toBe(a.key.slice(0, 12));
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(looksLikeApiKey(a.key)).toBe(true);
    expect(generateApiKey('ADMIN').key.startsWith('hk_adm_')).toBe(true);
    expect(generateApiKey('AGENT').key.startsWith('hk_agt_')).toBe(true);
  });

  it('reject values that cannot be keys before any lookup', () => {
    for (const v of ['', 'hk_mer_short', 'Bearer x', 'hk_xxx_aaaaaaaaaaaaaaaaaaaaaaaa', "hk_mer_' OR 1=1 --aaaaaaaaaaaa"]) {
      expect(looksLikeApiKey(v)).toBe(false);
    }
  });

  it('parses bearer headers', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('compares in constant time without throwing on length mismatch', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
