import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it, expect } from 'vitest';
import { HandoffError } from '../errors/codes.js';
import { currencyExponent, isCurrency, normalizeCurrency, NO_MINOR_UNIT_CODES } from './currency.js';

describe('currencyExponent', () => {
  it.each([
    ['GBP', 2], ['USD', 2], ['EUR', 2], ['JPY', 0], ['XOF', 0], ['XAF', 0], ['KWD', 3], ['BHD', 3], ['CLF', 4],
  ])('%s has %i digits', (code, digits) => {
    expect(currencyExponent(code)).toBe(digits);
  });

  it('accepts any case and surrounding spaces', () => {
    expect(currencyExponent(' gbp ')).toBe(2);
  });

  it('throws BAD_USER_INPUT for unknown codes', () => {
    expect(() => currencyExponent('ABC')).toThrow(HandoffError);
  });
});

describe('normalizeCurrency', () => {
  it('uppercases and trims', () => {
    expect(normalizeCurrency(' jpy')).toBe('JPY');
  });

  it.each(['', 'GB', 'GBPX', 'G1P', 'ABC', 'XAU', 'XXX', 'XTS', 'XDR'])('rejects %j', (code) => {
    try {
      normalizeCurrency(code);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HandoffError);
      expect((error as HandoffError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currency' });
    }
  });

  it('names the given field', () => {
    expect(() => normalizeCurrency('nope', 'price.currency')).toThrow(/^price\.currency: /);
  });

  it('rejects non-strings', () => {
    expect(() => normalizeCurrency(undefined as unknown as string)).toThrow(HandoffError);
  });
});

describe('isCurrency', () => {
  it('is true for currencies with an exponent only', () => {
    expect(isCurrency('gbp')).toBe(true);
    expect(isCurrency('XOF')).toBe(true);
    expect(isCurrency('XAU')).toBe(false);
    expect(isCurrency('ZZZ')).toBe(false);
  });
});

describe('NO_MINOR_UNIT_CODES', () => {
  // currency-codes records ISO's "N.A." minor units as 0; its bundled ISO list still says N.A.
  it('matches the N.A. entries of the ISO list shipped with currency-codes', () => {
    const require = createRequire(import.meta.url);
    const xmlPath = require.resolve('currency-codes/iso-4217-list-one.xml');
    const xml = readFileSync(xmlPath, 'utf8');
    const notApplicable = new Set<string>();
    for (const entry of xml.match(/<CcyNtry>[\s\S]*?<\/CcyNtry>/g) ?? []) {
      const code = /<Ccy>([A-Z]{3})<\/Ccy>/.exec(entry)?.[1];
      if (code && /<CcyMnrUnts>N\.A\.<\/CcyMnrUnts>/.test(entry)) notApplicable.add(code);
    }
    expect([...notApplicable].sort()).toEqual([...NO_MINOR_UNIT_CODES].sort());
  });
});
