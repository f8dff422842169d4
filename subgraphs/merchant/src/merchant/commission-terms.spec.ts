import { describe, expect, it } from 'vitest';
import { badField } from '../../../../test/support/errors.js';
import { resolveCommissionTerms } from './commission-terms.js';
import { CommissionType } from './merchant.enums.js';
import { FIRST_PAYMENT_ONLY } from './recurring-commission.js';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

describe('resolveCommissionTerms', () => {
  it('CPA: a positive amount in the default currency', () => {
    expect(resolveCommissionTerms({ type: CommissionType.CPA, cpa: gbp(800) }, 'GBP')).toEqual({
      type: 'CPA',
      cpa: { amountMinor: 800, currency: 'GBP' },
      percentageBps: null,
      recurring: FIRST_PAYMENT_ONLY,
    });
    // currency codes are normalized
    expect(resolveCommissionTerms({ type: 'CPA', cpa: { amountMinor: 5, currency: 'gbp' } }, 'GBP').cpa).toEqual(gbp(5));
  });

  it('PERCENTAGE: 1..10000 basis points', () => {
    expect(resolveCommissionTerms({ type: 'PERCENTAGE', percentageBps: 1 }, 'GBP')).toEqual({
      type: 'PERCENTAGE',
      cpa: null,
      percentageBps: 1,
      recurring: FIRST_PAYMENT_ONLY,
    });
    expect(resolveCommissionTerms({ type: 'PERCENTAGE', percentageBps: 10_000 }, 'GBP').percentageBps).toBe(10_000);
  });

  it('HYBRID: both', () => {
    expect(resolveCommissionTerms({ type: 'HYBRID', cpa: gbp(100), percentageBps: 250 }, 'GBP')).toEqual({
      type: 'HYBRID',
      cpa: gbp(100),
      percentageBps: 250,
      recurring: FIRST_PAYMENT_ONLY,
    });
  });

  it('names the missing part', () => {
    expect(badField(() => resolveCommissionTerms({ type: 'CPA' }, 'GBP'))).toBe('commissionTerms.cpa');
    expect(badField(() => resolveCommissionTerms({ type: 'PERCENTAGE' }, 'GBP'))).toBe('commissionTerms.percentageBps');
    expect(badField(() => resolveCommissionTerms({ type: 'HYBRID', cpa: gbp(1) }, 'GBP'))).toBe('commissionTerms.percentageBps');
    expect(badField(() => resolveCommissionTerms({ type: 'HYBRID', percentageBps: 1 }, 'GBP'))).toBe('commissionTerms.cpa');
    expect(badField(() => resolveCommissionTerms(null, 'GBP'))).toBe('commissionTerms');
  });

  it('refuses parts that do not belong to the type', () => {
    expect(badField(() => resolveCommissionTerms({ type: 'CPA', cpa: gbp(1), percentageBps: 5 }, 'GBP'))).toBe(
      'commissionTerms.percentageBps',
    );
    expect(badField(() => resolveCommissionTerms({ type: 'PERCENTAGE', percentageBps: 5, cpa: gbp(1) }, 'GBP'))).toBe(
      'commissionTerms.cpa',
    );
  });

  it.each([0, -1, 10_001, 2.5, NaN])('refuses %d basis points', (bps) => {
    expect(badField(() => resolveCommissionTerms({ type: 'PERCENTAGE', percentageBps: bps }, 'GBP'))).toBe(
      'commissionTerms.percentageBps',
    );
  });

  it('refuses a CPA in another currency than the default', () => {
    expect(badField(() => resolveCommissionTerms({ type: 'CPA', cpa: { amountMinor: 800, currency: 'EUR' } }, 'GBP'))).toBe(
      'commissionTerms.cpa.currency',
    );
  });

  it('refuses a zero, negative or fractional CPA and a bad currency', () => {
    expect(badField(() => resolveCommissionTerms({ type: 'CPA', cpa: gbp(0) }, 'GBP'))).toBe('commissionTerms.cpa.amountMinor');
    expect(badField(() => resolveCommissionTerms({ type: 'CPA', cpa: gbp(-5) }, 'GBP'))).toBe('commissionTerms.cpa.amountMinor');
    expect(badField(() => resolveCommissionTerms({ type: 'CPA', cpa: gbp(1.5) }, 'GBP'))).toBe('commissionTerms.cpa.amountMinor');
    expect(badField(() => resolveCommissionTerms({ type: 'CPA', cpa: { amountMinor: 1, currency: 'XXX' } }, 'GBP'))).toBe(
      'commissionTerms.cpa.currency',
    );
  });

  it('refuses unknown types', () => {
    expect(badField(() => resolveCommissionTerms({ type: 'REVSHARE' }, 'GBP'))).toBe('commissionTerms.type');
  });
});
