import { describe, expect, it } from 'vitest';
import { cardNumberDigits, luhnValid } from './luhn.js';

describe('luhnValid', () => {
  it('accepts numbers whose checksum is 0 mod 10', () => {
    for (const n of ['4242424242424242', '4000000000000002', '5555555555554444', '378282246310005', '79927398713']) {
      expect(luhnValid(n)).toBe(true);
    }
  });

  it('refuses a number with one digit changed or two neighbours swapped', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('79927398731')).toBe(false);
  });
});

describe('cardNumberDigits', () => {
  it('strips spaces and dashes and returns the digits', () => {
    expect(cardNumberDigits('4242 4242 4242 4242')).toBe('4242424242424242');
    expect(cardNumberDigits('4000-0000-0000-9995')).toBe('4000000000009995');
  });

  it('refuses what is not 12 to 19 Luhn-valid digits', () => {
    for (const bad of ['4242424242424241', '1234', 'abcd abcd abcd abcd', '', '0'.repeat(20), '000000000000'.slice(1), 4242424242424242, null, undefined]) {
      expect(cardNumberDigits(bad)).toBeNull();
    }
    expect(cardNumberDigits('000000000000')).toBe('000000000000');
  });
});
