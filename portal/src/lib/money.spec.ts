import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, formatRate, toMajorDecimal } from './money';

const require = createRequire(import.meta.url);

describe('currencyExponent', () => {
  it('agrees with shared/src/money (the currency-codes data, less the no-minor-unit codes) for every currency', () => {
    const { data } = require('currency-codes') as { data: Array<{ code: string; digits: number }> };
    const noMinorUnit = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);
    const wrong = data
      .filter((c) => !noMinorUnit.has(c.code) && Number.isInteger(c.digits) && c.digits >= 0)
      .filter((c) => currencyExponent(c.code) !== c.digits)
      .map((c) => `${c.code}: ${currencyExponent(c.code)} vs ${c.digits}`);
    expect(wrong).toEqual([]);
  });
});

describe('toMajorDecimal', () => {
  it.each([
    [1234, 'GBP', '12.34'],
    [5, 'GBP', '0.05'],
    [-5, 'EUR', '-0.05'],
    [500, 'JPY', '500'],
    [1234, 'KWD', '1.234'],
    [12345, 'CLF', '1.2345'],
    [0, 'USD', '0.00'],
    [9007199254740991, 'USD', '90071992547409.91'],
  ])('%i %s -> %s', (minor, currency, decimal) => {
    expect(toMajorDecimal(minor, currency)).toBe(decimal);
  });
});

describe('formatMoney', () => {
  it('formats by the currency exponent and the locale', () => {
    expect(formatMoney({ amountMinor: 1000, currency: 'GBP' }, 'en-GB')).toBe('£10.00');
    expect(formatMoney({ amountMinor: 123456, currency: 'EUR' }, 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' }, 'en-US')).toBe('¥500');
    expect(formatMoney({ amountMinor: 1500, currency: 'XOF' }, 'fr-FR')).toMatch(/^1\s500\sF\sCFA$/);
    expect(formatMoney({ amountMinor: 1234, currency: 'KWD' }, 'en-US')).toBe('KWD\u00a01.234');
    expect(formatMoney({ amountMinor: -250, currency: 'USD' }, 'en-US')).toBe('-$2.50');
  });

  it('keeps ISO 4217 exponents where Intl would round (HUF has 2 digits in ISO 4217)', () => {
    expect(formatMoney({ amountMinor: 12345, currency: 'HUF' }, 'en-US')).toMatch(/123\.45$/);
  });

  it('formats amounts beyond float precision exactly', () => {
    expect(formatMoney({ amountMinor: 9007199254740991, currency: 'USD' }, 'en-US')).toBe('$90,071,992,547,409.91');
  });
});

describe('formatRate', () => {
  it('is a percentage, or a dash when there is no rate', () => {
    expect(formatRate(0.1234, 'en-US')).toBe('12.3%');
    expect(formatRate(null)).toBe('—');
  });
});
