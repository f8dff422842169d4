import { HandoffError } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { resolveCommissionTerms } from './commission-terms.js';
import { FIRST_PAYMENT_ONLY, MAX_RECURRING_PERIOD, resolveRecurringCommission } from './recurring-commission.js';

/** The error's code, field and reason (a validation failure must be BAD_USER_INPUT with a stable reason). */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HandoffError);
    const e = (error as HandoffError).extensions;
    return { code: e.code, field: e.field, reason: e.reason };
  }
  throw new Error('expected a refusal');
}

const F = 'commissionTerms.recurring';

describe('resolveRecurringCommission', () => {
  it('omitted is FIRST_PAYMENT_ONLY (what every merchant had before)', () => {
    expect(resolveRecurringCommission(undefined, F)).toEqual(FIRST_PAYMENT_ONLY);
    expect(resolveRecurringCommission(null, F)).toEqual({ rule: 'FIRST_PAYMENT_ONLY', periods: null, paidPeriod: null });
    expect(resolveRecurringCommission({ rule: 'FIRST_PAYMENT_ONLY' }, F)).toEqual(FIRST_PAYMENT_ONLY);
    // on the terms too
    expect(resolveCommissionTerms({ type: 'PERCENTAGE', percentageBps: 500 }, 'GBP').recurring).toEqual(FIRST_PAYMENT_ONLY);
  });

  it('EVERY_RENEWAL with periods, MILESTONE with paidPeriod', () => {
    expect(resolveRecurringCommission({ rule: 'EVERY_RENEWAL', periods: 12 }, F)).toEqual({ rule: 'EVERY_RENEWAL', periods: 12, paidPeriod: null });
    expect(resolveRecurringCommission({ rule: 'MILESTONE', paidPeriod: 3 }, F)).toEqual({ rule: 'MILESTONE', periods: null, paidPeriod: 3 });
    expect(resolveRecurringCommission({ rule: 'EVERY_RENEWAL', periods: 1, paidPeriod: null }, F).periods).toBe(1);
    expect(resolveRecurringCommission({ rule: 'MILESTONE', paidPeriod: MAX_RECURRING_PERIOD }, F).paidPeriod).toBe(1000);
    expect(resolveCommissionTerms({ type: 'CPA', cpa: { amountMinor: 500, currency: 'GBP' }, recurring: { rule: 'MILESTONE', paidPeriod: 3 } }, 'GBP').recurring)
      .toEqual({ rule: 'MILESTONE', periods: null, paidPeriod: 3 });
  });

  it.each([0, -1, -12, 1.5, NaN, 1001, 1e9, Number.MAX_SAFE_INTEGER])('refuses periods %d with a stable reason', (n) => {
    expect(refusal(() => resolveRecurringCommission({ rule: 'EVERY_RENEWAL', periods: n }, F)))
      .toEqual({ code: 'BAD_USER_INPUT', field: `${F}.periods`, reason: 'recurring_commission:periods' });
  });

  it.each([0, -1, 2.5, 1001, 1e9])('refuses paidPeriod %d with a stable reason', (k) => {
    expect(refusal(() => resolveRecurringCommission({ rule: 'MILESTONE', paidPeriod: k }, F)))
      .toEqual({ code: 'BAD_USER_INPUT', field: `${F}.paidPeriod`, reason: 'recurring_commission:paid_period' });
  });

  it('refuses a missing or misplaced count, an unknown rule, a string count', () => {
    expect(refusal(() => resolveRecurringCommission({ rule: 'EVERY_RENEWAL' }, F))).toMatchObject({ field: `${F}.periods`, reason: 'recurring_commission:periods' });
    expect(refusal(() => resolveRecurringCommission({ rule: 'MILESTONE' }, F))).toMatchObject({ field: `${F}.paidPeriod`, reason: 'recurring_commission:paid_period' });
    expect(refusal(() => resolveRecurringCommission({ rule: 'MILESTONE', paidPeriod: 3, periods: 2 }, F))).toMatchObject({ field: `${F}.periods` });
    expect(refusal(() => resolveRecurringCommission({ rule: 'EVERY_RENEWAL', periods: 2, paidPeriod: 3 }, F))).toMatchObject({ field: `${F}.paidPeriod` });
    expect(refusal(() => resolveRecurringCommission({ rule: 'FIRST_PAYMENT_ONLY', periods: 2 }, F))).toMatchObject({ field: `${F}.periods` });
    expect(refusal(() => resolveRecurringCommission({ rule: 'FOREVER' }, F))).toEqual({ code: 'BAD_USER_INPUT', field: `${F}.rule`, reason: 'recurring_commission:rule' });
    expect(refusal(() => resolveRecurringCommission({ rule: 'EVERY_RENEWAL', periods: '3' as never }, F))).toMatchObject({ field: `${F}.periods` });
    expect(refusal(() => resolveCommissionTerms({ type: 'CPA', cpa: { amountMinor: 1, currency: 'GBP' }, recurring: { rule: 'EVERY_RENEWAL', periods: 0 } }, 'GBP')))
      .toMatchObject({ code: 'BAD_USER_INPUT', field: `${F}.periods` });
  });
});
