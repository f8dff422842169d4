import { describe, expect, it } from 'vitest';
import { displayCode, hashGiftCardCode, newGiftCardCode, normalizeGiftCardCode } from './gift-card.code.js';

describe('gift card codes', () => {
  it('are 16 Crockford characters, random without a seed, the same for the same seed and secret', () => {
    const a = newGiftCardCode();
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(newGiftCardCode()).not.toBe(a);
    expect(newGiftCardCode('s', 'k1')).toBe(newGiftCardCode('s', 'k1'));
    expect(newGiftCardCode('s', 'k1')).not.toBe(newGiftCardCode('s', 'k2'));
    expect(newGiftCardCode('t', 'k1')).not.toBe(newGiftCardCode('s', 'k1'));
  });

  it('typed back in any case, with dashes or spaces, hash as issued', () => {
    const code = newGiftCardCode();
    const typed = ` ${displayCode(code).toLowerCase()} `;
    expect(hashGiftCardCode(normalizeGiftCardCode(typed))).toBe(hashGiftCardCode(code));
    expect(normalizeGiftCardCode('o0-il')).toBe('0011');
  });

  it('refuses what cannot be a code as bad input', () => {
    expect(() => normalizeGiftCardCode('')).toThrow(/code: is required/);
    expect(() => normalizeGiftCardCode(42)).toThrow(/code: is required/);
    expect(() => normalizeGiftCardCode('x'.repeat(65))).toThrow(/at most 64/);
  });
});
