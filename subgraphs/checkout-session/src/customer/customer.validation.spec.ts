import { describe, expect, it } from 'vitest';
import { validateCustomer } from './customer.validation.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { extensions: { code: string; field?: string } }).extensions;
  }
  throw new Error('expected a refusal');
};

describe('validateCustomer', () => {
  it('a left-out field is unchanged, null clears, the phone is stored E.164', () => {
    expect(validateCustomer({ email: ' a@b.co ', phone: '+44 (20) 7946-0018' }, { mayNameCustomerId: true })).toEqual({ customerEmail: 'a@b.co', customerPhone: '+442079460018' });
    expect(validateCustomer({ email: null, customerId: 'cus_1', saveForLater: true }, { mayNameCustomerId: true })).toEqual({ customerEmail: null, customerId: 'cus_1', customerSaveForLater: true });
    expect(validateCustomer({}, { mayNameCustomerId: false })).toEqual({});
  });

  it('refuses bad values naming the field; the hosted page may not name a customer id', () => {
    expect(refusal(() => validateCustomer({ email: 'nope' }, { mayNameCustomerId: true }))).toEqual({ code: 'BAD_USER_INPUT', field: 'customer.email' });
    expect(refusal(() => validateCustomer({ phone: '020 7946 0018' }, { mayNameCustomerId: true }))).toEqual({ code: 'BAD_USER_INPUT', field: 'customer.phone' });
    expect(refusal(() => validateCustomer({ customerId: 'has space' }, { mayNameCustomerId: true }))).toEqual({ code: 'BAD_USER_INPUT', field: 'customer.customerId' });
    expect(refusal(() => validateCustomer({ customerId: 'cus_1' }, { mayNameCustomerId: false }))).toMatchObject({ code: 'FORBIDDEN' });
  });
});
