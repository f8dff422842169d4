import type { PaymentIntentRecord } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { billingPeriodOf, FIRST_PAYMENT_ONLY, isRenewal, periodEarnsCommission, RecurringCommissionRule } from './recurring-commission.js';

const earning = (rule: Parameters<typeof periodEarnsCommission>[0], upTo = 8) =>
  Array.from({ length: upTo }, (_, i) => i + 1).filter((p) => periodEarnsCommission(rule, p));

describe('periodEarnsCommission', () => {
  it('FIRST_PAYMENT_ONLY: period 1 only', () => {
    expect(earning(FIRST_PAYMENT_ONLY)).toEqual([1]);
  });

  it('EVERY_RENEWAL for N periods: periods 1..N', () => {
    expect(earning({ rule: RecurringCommissionRule.EVERY_RENEWAL, periods: 3, paidPeriod: null })).toEqual([1, 2, 3]);
    expect(earning({ rule: RecurringCommissionRule.EVERY_RENEWAL, periods: 1, paidPeriod: null })).toEqual([1]);
    expect(earning({ rule: RecurringCommissionRule.EVERY_RENEWAL, periods: 12, paidPeriod: null }, 20)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('MILESTONE k: period k only, once', () => {
    expect(earning({ rule: RecurringCommissionRule.MILESTONE, periods: null, paidPeriod: 3 })).toEqual([3]);
    expect(earning({ rule: RecurringCommissionRule.MILESTONE, periods: null, paidPeriod: 1 })).toEqual([1]);
  });

  it('no period below 1 or fractional earns', () => {
    for (const rule of [FIRST_PAYMENT_ONLY, { rule: RecurringCommissionRule.EVERY_RENEWAL, periods: 5, paidPeriod: null }]) {
      expect(periodEarnsCommission(rule, 0)).toBe(false);
      expect(periodEarnsCommission(rule, -1)).toBe(false);
      expect(periodEarnsCommission(rule, 1.5)).toBe(false);
    }
  });
});

describe('billingPeriodOf (payment-intent record only)', () => {
  const intent = (recurring: unknown) => ({ id: 'pi_1', recurring }) as unknown as PaymentIntentRecord;

  it('reads subscriptionId and period; a one-off payment has none', () => {
    expect(billingPeriodOf(intent({ subscriptionId: 'bsub_1', period: 2 }))).toEqual({ subscriptionId: 'bsub_1', period: 2 });
    expect(billingPeriodOf(intent(null))).toBeNull();
    expect(billingPeriodOf(intent(undefined))).toBeNull();
    expect(billingPeriodOf(null)).toBeNull();
    expect(isRenewal({ subscriptionId: 'bsub_1', period: 1 })).toBe(false);
    expect(isRenewal({ subscriptionId: 'bsub_1', period: 2 })).toBe(true);
    expect(isRenewal(null)).toBe(false);
  });

  it.each([{ subscriptionId: '', period: 1 }, { subscriptionId: 'bsub_1', period: 0 }, { subscriptionId: 'bsub_1', period: 1.5 }, { subscriptionId: 'bsub_1' }, { period: 2 }])(
    'refuses a record that cannot be: %j',
    (r) => {
      expect(() => billingPeriodOf(intent(r))).toThrow(/invalid recurring record/);
    },
  );
});
