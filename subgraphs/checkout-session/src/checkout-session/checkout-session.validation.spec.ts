import { describe, expect, it } from 'vitest';
import { CheckoutMode } from './checkout-session.enums.js';
import { redirectUrl, validateCreateCheckoutSession, validateMetadata, type CreateCheckoutSessionSpec } from './checkout-session.validation.js';

const line = (amountMinor: number, currency = 'GBP', quantity = 1, name = 'Plan') => ({ name, unitAmount: { amountMinor, currency }, quantity });
const fieldOf = (input: CreateCheckoutSessionSpec): string | undefined => {
  try {
    validateCreateCheckoutSession(input);
    return undefined;
  } catch (err) {
    expect((err as { extensions: { code: string } }).extensions.code).toBe('BAD_USER_INPUT');
    return (err as { extensions: { field: string } }).extensions.field;
  }
};

describe('validateCreateCheckoutSession', () => {
  it('totals the lines in minor units, with defaults', () => {
    const draft = validateCreateCheckoutSession({ lineItems: [line(250, 'gbp', 3), line(1, 'GBP', 999)] });
    expect(draft).toMatchObject({
      currency: 'GBP',
      subtotal: { amountMinor: 1749, currency: 'GBP' },
      total: { amountMinor: 1749, currency: 'GBP' },
      mode: CheckoutMode.PAYMENT,
      expiresInSeconds: 86_400,
      successUrl: null,
      metadata: {},
    });
    expect(draft.lineItems.map((l) => l.totalMinor)).toEqual([750, 999]);
  });

  it.each([
    ['XOF', 50_000],
    ['JPY', 99_999_999],
    ['KWD', 99_999_999_999],
  ])('accepts %s amounts up to 8 major digits (%i minor)', (currency, minor) => {
    expect(validateCreateCheckoutSession({ lineItems: [line(minor, currency)] }).total.amountMinor).toBe(minor);
  });

  it.each<[string, CreateCheckoutSessionSpec, string]>([
    ['no lines', { lineItems: [] }, 'lineItems'],
    ['mixed currencies', { lineItems: [line(100), line(100, 'EUR')] }, 'lineItems[1].unitAmount.currency'],
    ['quantity 0', { lineItems: [line(100, 'GBP', 0)] }, 'lineItems[0].quantity'],
    ['quantity 1000', { lineItems: [line(100, 'GBP', 1000)] }, 'lineItems[0].quantity'],
    ['quantity 1.5', { lineItems: [line(100, 'GBP', 1.5)] }, 'lineItems[0].quantity'],
    ['zero amount', { lineItems: [line(0)] }, 'lineItems[0].unitAmount.amountMinor'],
    ['JPY over 8 digits', { lineItems: [line(100_000_000, 'JPY')] }, 'lineItems[0].unitAmount.amountMinor'],
    ['unknown currency', { lineItems: [line(1, 'ZZZ')] }, 'lineItems[0].unitAmount.currency'],
    ['huge name', { lineItems: [line(1, 'GBP', 1, 'n'.repeat(251))] }, 'lineItems[0].name'],
    ['blank name', { lineItems: [line(1, 'GBP', 1, '  ')] }, 'lineItems[0].name'],
    ['expiry too short', { lineItems: [line(1)], expiresInSeconds: 1799 }, 'expiresInSeconds'],
    ['expiry too long', { lineItems: [line(1)], expiresInSeconds: 86_401 }, 'expiresInSeconds'],
    ['bad email', { lineItems: [line(1)], customerEmail: 'nope' }, 'customerEmail'],
  ])('refuses %s', (_name, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('counts unicode names by code points', () => {
    expect(fieldOf({ lineItems: [line(1, 'GBP', 1, '🚀'.repeat(250))] })).toBeUndefined();
  });
});

describe('redirectUrl', () => {
  it.each(['https://shop.example/ok?id={CHECKOUT_SESSION_ID}', 'http://localhost:3000/ok', 'http://127.0.0.1/ok'])('accepts %s', (url) => {
    expect(redirectUrl(url, 'successUrl')).toBe(url);
  });
  it.each(['http://shop.example/ok', 'ftp://x.example', 'not a url', 'https://user:pw@shop.example/'])('refuses %s', (url) => {
    expect(() => redirectUrl(url, 'successUrl')).toThrow(/successUrl/);
  });
});

describe('validateMetadata', () => {
  it("keeps Stripe's limits and stringifies scalars", () => {
    expect(validateMetadata({ order: 42, gift: true, note: 'hi' })).toEqual({ order: '42', gift: 'true', note: 'hi' });
    expect(() => validateMetadata(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])))).toThrow(/50 keys/);
    expect(() => validateMetadata({ ['k'.repeat(41)]: 'v' })).toThrow(/40 characters/);
    expect(() => validateMetadata({ k: 'v'.repeat(501) })).toThrow(/500 characters/);
    expect(() => validateMetadata({ k: { nested: true } })).toThrow(/must be a string/);
    expect(() => validateMetadata({ AAP_CODE: 'forged' })).toThrow(/reserved/);
    expect(() => validateMetadata(['x'])).toThrow(/object/);
  });
});
