import { describe, expect, it } from 'vitest';
import { badField } from '../../../../test/support/errors.js';
import { CommissionType, MerchantStatus } from './merchant.enums.js';
import { normalizeCountry, validateCreateMerchant, validateUpdateMerchant, validationPeriodDays } from './merchant.validation.js';

const valid = {
  name: '  SMARTY ',
  country: 'gb',
  defaultCurrency: 'gbp',
  commissionTerms: { type: CommissionType.CPA, cpa: { amountMinor: 800, currency: 'GBP' } },
};

describe('normalizeCountry', () => {
  it.each([['GB', 'GB'], ['gb', 'GB'], [' ci ', 'CI'], ['US', 'US'], ['JP', 'JP']])('%j → %s', (input, code) => {
    expect(normalizeCountry(input)).toBe(code);
  });
  it.each(['UK', 'EU', 'XK', 'ZZ', 'GBR', 'G', '', '12'])('refuses %j', (code) => {
    expect(badField(() => normalizeCountry(code))).toBe('country');
  });
});

describe('validationPeriodDays', () => {
  it('defaults to 30 and accepts 0..365', () => {
    expect(validationPeriodDays(undefined)).toBe(30);
    expect(validationPeriodDays(null)).toBe(30);
    expect(validationPeriodDays(0)).toBe(0);
    expect(validationPeriodDays(365)).toBe(365);
  });
  it.each([-1, 366, 1.5])('refuses %d', (days) => {
    expect(badField(() => validationPeriodDays(days))).toBe('validationPeriodDays');
  });
});

describe('validateCreateMerchant', () => {
  it('normalizes and fills defaults', () => {
    expect(validateCreateMerchant(valid)).toEqual({
      name: 'SMARTY',
      country: 'GB',
      defaultCurrency: 'GBP',
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' }, percentageBps: null, recurring: { rule: 'FIRST_PAYMENT_ONLY', periods: null, paidPeriod: null } },
      validationPeriodDays: 30,
      conversionFlow: { type: 'instant_checkout', steps: ['payment_received', 'order_confirmed'], payableAfter: 'order_confirmed' },
    });
  });
  it('names the bad field', () => {
    expect(badField(() => validateCreateMerchant({ ...valid, name: '   ' }))).toBe('name');
    expect(badField(() => validateCreateMerchant({ ...valid, name: 'a\nb' }))).toBe('name');
    expect(badField(() => validateCreateMerchant({ ...valid, name: 'x'.repeat(201) }))).toBe('name');
    expect(badField(() => validateCreateMerchant({ ...valid, country: 'XX' }))).toBe('country');
    expect(badField(() => validateCreateMerchant({ ...valid, defaultCurrency: 'ABC' }))).toBe('defaultCurrency');
    expect(badField(() => validateCreateMerchant({ ...valid, defaultCurrency: 'EUR' }))).toBe('commissionTerms.cpa.currency');
    expect(badField(() => validateCreateMerchant({ ...valid, validationPeriodDays: 400 }))).toBe('validationPeriodDays');
    expect(badField(() => validateCreateMerchant({ ...valid, conversionFlow: { type: 'nope' } }))).toBe('conversionFlow.type');
  });
});

describe('validateUpdateMerchant', () => {
  it('returns only the fields given', () => {
    expect(validateUpdateMerchant({}, 'GBP')).toEqual({});
    expect(validateUpdateMerchant({ name: ' New ', status: MerchantStatus.SUSPENDED, validationPeriodDays: 0 }, 'GBP')).toEqual({
      name: 'New',
      status: 'SUSPENDED',
      validationPeriodDays: 0,
    });
  });
  it('checks commission against the merchant currency', () => {
    expect(
      badField(() => validateUpdateMerchant({ commissionTerms: { type: 'CPA', cpa: { amountMinor: 1, currency: 'USD' } } }, 'GBP')),
    ).toBe('commissionTerms.cpa.currency');
  });
});
