import { describe, expect, it } from 'vitest';
import { luhnValid } from '@handoff/shared';
import { parseTestCard, TEST_CARDS } from './test-cards.js';

describe('sandbox test cards', () => {
  it('knows each documented card', () => {
    expect(parseTestCard('4242 4242 4242 4242')).toEqual({ brand: 'visa', last4: '4242', behaviour: 'succeed' });
    expect(parseTestCard('4000000000000002').behaviour).toBe('decline_generic');
    expect(parseTestCard('4000-0000-0000-9995').behaviour).toBe('decline_insufficient_funds');
    expect(parseTestCard('4000002760003184').behaviour).toBe('three_d_secure');
    expect(parseTestCard('4000000000000077').behaviour).toBe('processing');
    expect(parseTestCard('4000 0000 0000 0341').behaviour).toBe('decline_off_session');
    for (const n of Object.keys(TEST_CARDS)) expect(luhnValid(n)).toBe(true);
  });

  it('treats any other valid number as a succeeding card', () => {
    expect(parseTestCard('5555555555554444')).toEqual({ brand: 'mastercard', last4: '4444', behaviour: 'succeed' });
  });

  it('refuses invalid numbers without quoting them', () => {
    for (const bad of ['4242424242424241', '1234', 'abcd abcd abcd abcd', '']) {
      let message = '';
      try {
        parseTestCard(bad);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe('paymentMethod.testCard: is not a valid card number.');
    }
  });
});
