import { describe, expect, it } from 'vitest';
import { destinationChanged, validateAddress } from './address.validation.js';

const base = { line1: '10 Downing Street', city: 'London', postalCode: 'sw1a 2aa', country: 'gb' };
const fieldOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { extensions: { code: string; field: string } }).extensions;
  }
  throw new Error('expected a refusal');
};

describe('validateAddress', () => {
  it('normalizes a valid address: country and postal code upper case, VALID', () => {
    expect(validateAddress(base, 'shippingAddress')).toEqual({
      name: null, line1: '10 Downing Street', line2: null, city: 'London', state: null, postalCode: 'SW1A 2AA', country: 'GB',
      validation: { status: 'VALID', problems: [] },
    });
    expect(validateAddress({ ...base, country: 'JP', postalCode: '100-0001' }, 'x').validation.status).toBe('VALID');
  });

  it('refuses an unknown country, a malformed or missing postal code, bidi controls, naming the field', () => {
    expect(fieldOf(() => validateAddress({ ...base, country: 'XX' }, 'shippingAddress'))).toEqual({ code: 'BAD_USER_INPUT', field: 'shippingAddress.country' });
    expect(fieldOf(() => validateAddress({ ...base, country: null }, 'billingAddress'))).toEqual({ code: 'BAD_USER_INPUT', field: 'billingAddress.country' });
    expect(fieldOf(() => validateAddress({ ...base, postalCode: '12345' }, 'shippingAddress'))).toEqual({ code: 'BAD_USER_INPUT', field: 'shippingAddress.postalCode' });
    expect(fieldOf(() => validateAddress({ ...base, postalCode: undefined }, 'shippingAddress'))).toEqual({ code: 'BAD_USER_INPUT', field: 'shippingAddress.postalCode' });
    expect(fieldOf(() => validateAddress({ ...base, country: 'US', postalCode: '9410' }, 's'))).toEqual({ code: 'BAD_USER_INPUT', field: 's.postalCode' });
    expect(fieldOf(() => validateAddress({ ...base, city: 'Lon\u2066don' }, 's'))).toEqual({ code: 'BAD_USER_INPUT', field: 's.city' });
    expect(fieldOf(() => validateAddress({ ...base, line1: 'a\nb' }, 's'))).toEqual({ code: 'BAD_USER_INPUT', field: 's.line1' });
  });

  it('a country without a known postal-code format is UNVERIFIED', () => {
    expect(validateAddress({ ...base, country: 'HK', postalCode: '000' }, 's').validation).toEqual({ status: 'UNVERIFIED', problems: ['postal_code_format_unknown'] });
    expect(validateAddress({ ...base, country: 'HK', postalCode: null }, 's').validation).toEqual({ status: 'VALID', problems: [] });
  });

  it('destinationChanged: country, region or postal code, not the street', () => {
    const a = validateAddress(base, 's');
    expect(destinationChanged(null, a)).toBe(true);
    expect(destinationChanged(a, { ...a, line1: '11 Downing Street' })).toBe(false);
    expect(destinationChanged(a, { ...a, postalCode: 'EC1A 1BB' })).toBe(true);
    expect(destinationChanged(a, { ...a, state: 'England' })).toBe(true);
  });
});
