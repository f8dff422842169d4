// The merchant's payment rules that need no database: allowed methods by country (its own rule,
// else `*`, else no restriction), and the attempts count.
import { allowedPaymentMethodsFor, DEFAULT_CHECKOUT_SETTINGS } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { attemptsExceeded, paymentCountryOf, paymentMethodBlocker } from './payment-rules.js';

const rules = (allowedPaymentMethods: Array<{ country: string; methods: string[] }>, maxPaymentAttempts: number | null = null) => ({
  settings: { ...DEFAULT_CHECKOUT_SETTINGS, allowedPaymentMethods, maxPaymentAttempts },
});
const at = (country: string) => ({ name: 'A', line1: '1 Road', line2: null, city: 'Town', state: null, postalCode: null, country }) as never;

describe('payment rules', () => {
  it('a country rule wins over *, and no rule at all restricts nothing', () => {
    const r = [{ country: 'GB', methods: ['card'] }, { country: '*', methods: ['paypal'] }];
    expect(allowedPaymentMethodsFor(r, 'gb')).toEqual(['card']);
    expect(allowedPaymentMethodsFor(r, 'FR')).toEqual(['paypal']);
    expect(allowedPaymentMethodsFor(r, null)).toEqual(['paypal']);
    expect(allowedPaymentMethodsFor([{ country: 'GB', methods: ['card'] }], 'FR')).toBeNull();
    expect(allowedPaymentMethodsFor([], 'FR')).toBeNull();
  });

  it('blocks a card where the merchant does not take one: the billing country first, else the shipping country', () => {
    const r = rules([{ country: 'GB', methods: ['card'] }, { country: 'FR', methods: ['paypal'] }]);
    expect(paymentMethodBlocker('GB', r)).toBeNull();
    expect(paymentMethodBlocker('FR', r)).toMatchObject({ code: 'payment_method_not_supported' });
    expect(paymentMethodBlocker('DE', r)).toBeNull();
    expect(paymentCountryOf({ billingAddress: at('FR'), shippingAddress: at('GB') })).toBe('FR');
    expect(paymentCountryOf({ billingAddress: null, shippingAddress: at('GB') })).toBe('GB');
    expect(paymentCountryOf({ billingAddress: null, shippingAddress: null })).toBeNull();
  });

  it('counts attempts against the maximum; none set is no limit', () => {
    expect(attemptsExceeded(1, rules([], 2))).toBe(false);
    expect(attemptsExceeded(2, rules([], 2))).toBe(true);
    expect(attemptsExceeded(1000, rules([], null))).toBe(false);
  });
});
