// Checkout settings, capabilities and limits change field by field: absent keeps, null resets,
// bad values are BAD_USER_INPUT naming the field and nothing else changes.
import { DEFAULT_CHECKOUT_CAPABILITIES, DEFAULT_CHECKOUT_SETTINGS, NO_TRANSACTION_LIMITS } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { mergeCapabilities, mergeCheckoutSettings, mergeTransactionLimits } from './checkout-settings.validation.js';

const defaults = () => ({ ...DEFAULT_CHECKOUT_SETTINGS, branding: { ...DEFAULT_CHECKOUT_SETTINGS.branding } });
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { field?: string; code?: string } }).extensions;
  }
  throw new Error('expected a refusal');
};

describe('mergeCheckoutSettings', () => {
  it('changes what is given, keeps the rest, and null goes back to the default', () => {
    const a = mergeCheckoutSettings(defaults(), {
      defaultCaptureMode: 'MANUAL',
      maxPaymentAttempts: 3,
      allowedPaymentMethods: [{ country: 'gb', methods: ['CARD', 'paypal', 'card'] }, { country: '*', methods: ['card'] }],
      branding: { displayName: 'Kettles', accentColor: '#FF8800' },
    });
    expect(a).toMatchObject({
      defaultCaptureMode: 'MANUAL',
      maxPaymentAttempts: 3,
      allowedPaymentMethods: [{ country: 'GB', methods: ['card', 'paypal'] }, { country: '*', methods: ['card'] }],
      branding: { displayName: 'Kettles', accentColor: '#ff8800', logoUrl: null },
    });
    const b = mergeCheckoutSettings(a, { maxPaymentAttempts: null, branding: { logoUrl: 'https://cdn.example.com/logo.png' } });
    expect(b).toMatchObject({ defaultCaptureMode: 'MANUAL', maxPaymentAttempts: null, branding: { displayName: 'Kettles', logoUrl: 'https://cdn.example.com/logo.png' } });
    expect(mergeCheckoutSettings(b, { defaultCaptureMode: null, branding: null })).toMatchObject({ defaultCaptureMode: 'AUTOMATIC', branding: DEFAULT_CHECKOUT_SETTINGS.branding });
  });

  it('refuses bad values naming the field', () => {
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { defaultCaptureMode: 'LATER' }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.defaultCaptureMode' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { maxPaymentAttempts: 0 }))).toMatchObject({ field: 'input.maxPaymentAttempts' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { reservationTtlDefaultSeconds: 7200 }))).toMatchObject({ field: 'input.reservationTtlDefaultSeconds' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { allowedPaymentMethods: [{ country: 'XX', methods: ['card'] }] }))).toMatchObject({ field: 'input.allowedPaymentMethods[0].country' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { allowedPaymentMethods: [{ country: 'GB', methods: ['cash'] }] }))).toMatchObject({ field: 'input.allowedPaymentMethods[0].methods[0]' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { allowedPaymentMethods: [{ country: 'GB', methods: [] }] }))).toMatchObject({ field: 'input.allowedPaymentMethods[0].methods' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { allowedPaymentMethods: [{ country: 'GB', methods: ['card'] }, { country: 'gb', methods: ['card'] }] }))).toMatchObject({ field: 'input.allowedPaymentMethods[1].country' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { branding: { accentColor: 'red' } }))).toMatchObject({ field: 'input.branding.accentColor' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { branding: { logoUrl: 'http://example.com/a.png' } }))).toMatchObject({ field: 'input.branding.logoUrl' });
    expect(fieldOf(() => mergeCheckoutSettings(defaults(), { branding: { displayName: 'a\u202Eb' } }))).toMatchObject({ field: 'input.branding.displayName' });
  });
});

describe('mergeCapabilities', () => {
  it('sets the booleans given; null is the default', () => {
    const c = mergeCapabilities({ ...DEFAULT_CHECKOUT_CAPABILITIES }, { installments: true, threeDSecure: false });
    expect(c).toEqual({ ...DEFAULT_CHECKOUT_CAPABILITIES, installments: true, threeDSecure: false });
    expect(mergeCapabilities(c, { threeDSecure: null })).toMatchObject({ threeDSecure: true, installments: true });
  });
});

describe('mergeTransactionLimits', () => {
  const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
  it("takes positive amounts in the merchant's currency, and a per-payment limit within the day's", () => {
    const l = mergeTransactionLimits({ ...NO_TRANSACTION_LIMITS }, { maxAmountPerPayment: gbp(5000), maxAmountPerDay: gbp(20000), maxPaymentsPerEmailPerHour: 3 }, 'GBP');
    expect(l).toEqual({ maxAmountPerPayment: { amountMinor: 5000, currency: 'GBP' }, maxAmountPerDay: { amountMinor: 20000, currency: 'GBP' }, maxPaymentsPerEmailPerHour: 3 });
    expect(mergeTransactionLimits(l, { maxAmountPerDay: null }, 'GBP').maxAmountPerDay).toBeNull();
    expect(fieldOf(() => mergeTransactionLimits(l, { maxAmountPerPayment: gbp(30000) }, 'GBP'))).toMatchObject({ field: 'input.maxAmountPerPayment.amountMinor' });
    expect(fieldOf(() => mergeTransactionLimits(l, { maxAmountPerPayment: { amountMinor: 100, currency: 'EUR' } }, 'GBP'))).toMatchObject({ field: 'input.maxAmountPerPayment.currency' });
    expect(fieldOf(() => mergeTransactionLimits(l, { maxAmountPerDay: gbp(0) }, 'GBP'))).toMatchObject({ field: 'input.maxAmountPerDay.amountMinor' });
    expect(fieldOf(() => mergeTransactionLimits(l, { maxPaymentsPerEmailPerHour: 1.5 }, 'GBP'))).toMatchObject({ field: 'input.maxPaymentsPerEmailPerHour' });
  });
});
