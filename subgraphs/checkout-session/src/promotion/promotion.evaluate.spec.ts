// Built-in promotions: every reason a code is invalid (a promotion_invalid blocker each), the
// stacking rule (exclusive vs stackable, best automatic), OFFERS scope, caps and exact splits.
import { describe, expect, it } from 'vitest';
import { calcInput, pricingConfig, promotion } from '../../test/pricing-fixtures.js';
import { calculate } from '../calculation/calculate.js';

const withPromos = (promotions: ReturnType<typeof promotion>[], over: Parameters<typeof calcInput>[0] = {}) =>
  calculate(calcInput({ config: pricingConfig({ promotions }), ...over }));

describe('promotion codes that cannot apply', () => {
  const at = '2026-12-04T10:00:00.000Z';
  it.each([
    ['unknown', [], {}],
    ['not_started', [promotion({ id: 'c', percentOffBasisPoints: 1000, startsAt: '2026-12-05T00:00:00.000Z' })], {}],
    ['expired', [promotion({ id: 'c', percentOffBasisPoints: 1000, endsAt: at })], {}],
    ['exhausted', [promotion({ id: 'c', percentOffBasisPoints: 1000, usageLimit: 10 })], { usage: { c: { used: 10, byCustomer: 0 } } }],
    ['below_minimum', [promotion({ id: 'c', percentOffBasisPoints: 1000, minSubtotal: { amountMinor: 2001, currency: 'GBP' } })], {}],
    ['customer_limit', [promotion({ id: 'c', percentOffBasisPoints: 1000, perCustomerLimit: 1 })], { customerKey: 'cus_1', usage: { c: { used: 3, byCustomer: 1 } } }],
    ['customer_required', [promotion({ id: 'c', percentOffBasisPoints: 1000, perCustomerLimit: 1 })], {}],
    ['currency', [promotion({ id: 'c', amountOff: { amountMinor: 100, currency: 'EUR' } })], {}],
    ['not_applicable', [promotion({ id: 'c', percentOffBasisPoints: 1000, scope: 'OFFERS', offerIds: ['off_other'] })], {}],
  ] as const)('%s: a promotion_invalid blocker, nothing taken off', (reason, promos, over) => {
    const c = withPromos([...promos], { promotionCodes: [' c '], ...over });
    expect(c.blockers).toEqual([expect.objectContaining({ code: 'promotion_invalid', promotionCode: 'C', reason })]);
    expect(c.totals.discountTotal).toBe(0);
    expect(c.promotionsNotApplied).toEqual([expect.objectContaining({ code: 'C', reason })]);
  });

  it('accepts a code at exactly its minimum, from its start, under its limits, case-insensitively', () => {
    const c = withPromos(
      [promotion({ id: 'c', percentOffBasisPoints: 1000, minSubtotal: { amountMinor: 2000, currency: 'GBP' }, startsAt: '2026-12-04T10:00:00.000Z', usageLimit: 10, perCustomerLimit: 2 })],
      { promotionCodes: ['c', 'C'], customerKey: 'cus_1', usage: { c: { used: 9, byCustomer: 1 } } },
    );
    expect(c.blockers).toEqual([]);
    expect(c.promotions).toEqual([expect.objectContaining({ promotionId: 'c', amountMinor: 200, usageLimit: 10, perCustomerLimit: 2 })]);
  });
});

describe('stacking', () => {
  const lines = [{ id: 'L1', name: 'A', unitAmountMinor: 10000, quantity: 1, offerId: 'off_1' }];

  it('applies every stackable code, percentages on the price before discounts, then amounts off', () => {
    const c = withPromos([promotion({ id: 'ten', percentOffBasisPoints: 1000 }), promotion({ id: 'five', amountOff: { amountMinor: 500, currency: 'GBP' } }), promotion({ id: 'twenty', percentOffBasisPoints: 2000 })], { lines, promotionCodes: ['FIVE', 'TEN', 'TWENTY'] });
    expect(c.promotions.map((p) => [p.promotionId, p.amountMinor])).toEqual([['ten', 1000], ['twenty', 2000], ['five', 500]]);
    expect(c.totals.discountTotal).toBe(3500);
  });

  it('applies an exclusive code alone when it is worth more than the stackable ones together', () => {
    const c = withPromos([promotion({ id: 'ten', percentOffBasisPoints: 1000 }), promotion({ id: 'big', percentOffBasisPoints: 3000, stacking: 'EXCLUSIVE' })], { lines, promotionCodes: ['TEN', 'BIG'] });
    expect(c.promotions.map((p) => p.promotionId)).toEqual(['big']);
    expect(c.promotionsNotApplied).toEqual([{ promotionId: 'ten', code: 'TEN', reason: 'not_combinable' }]);
    expect(c.blockers).toEqual([]);
  });

  it('keeps the stackable codes when together they beat the exclusive one (a tie keeps them too)', () => {
    const c = withPromos([promotion({ id: 'ten', percentOffBasisPoints: 1000 }), promotion({ id: 'tenb', percentOffBasisPoints: 1000 }), promotion({ id: 'ex', percentOffBasisPoints: 2000, stacking: 'EXCLUSIVE' })], { lines, promotionCodes: ['TEN', 'TENB', 'EX'] });
    expect(c.promotions.map((p) => p.promotionId)).toEqual(['ten', 'tenb']);
    expect(c.promotionsNotApplied).toEqual([{ promotionId: 'ex', code: 'EX', reason: 'not_combinable' }]);
  });

  it('considers only the best eligible automatic promotion', () => {
    const c = withPromos([
      promotion({ id: 'auto_small', automatic: true, percentOffBasisPoints: 500 }),
      promotion({ id: 'auto_big', automatic: true, percentOffBasisPoints: 1500 }),
      promotion({ id: 'auto_future', automatic: true, percentOffBasisPoints: 9000, startsAt: '2027-01-01T00:00:00.000Z' }),
      promotion({ id: 'code', amountOff: { amountMinor: 100, currency: 'GBP' } }),
    ], { lines, promotionCodes: ['CODE'] });
    expect(c.promotions.map((p) => [p.promotionId, p.automatic, p.amountMinor])).toEqual([['auto_big', true, 1500], ['code', false, 100]]);
  });

  it('an exclusive automatic promotion worth more beats the buyer\'s stackable code, which is reported not combinable', () => {
    const c = withPromos([promotion({ id: 'auto', automatic: true, percentOffBasisPoints: 2500, stacking: 'EXCLUSIVE' }), promotion({ id: 'code', percentOffBasisPoints: 1000 })], { lines, promotionCodes: ['CODE'] });
    expect(c.promotions.map((p) => p.promotionId)).toEqual(['auto']);
    expect(c.promotionsNotApplied).toEqual([{ promotionId: 'code', code: 'CODE', reason: 'not_combinable' }]);
  });
});

describe('amounts', () => {
  it('caps amounts off at what is left, so no line goes below zero', () => {
    const c = withPromos([promotion({ id: 'half', percentOffBasisPoints: 6000 }), promotion({ id: 'big', amountOff: { amountMinor: 99999, currency: 'GBP' } })], { promotionCodes: ['HALF', 'BIG'] });
    expect(c.promotions.map((p) => p.amountMinor)).toEqual([1200, 800]);
    expect(c.lines[0]).toMatchObject({ discountMinor: 2000, taxMinor: 0 });
  });

  it('takes an OFFERS promotion off its offers\' lines only, split by largest remainder', () => {
    const c = withPromos([promotion({ id: 'sku', amountOff: { amountMinor: 100, currency: 'GBP' }, scope: 'OFFERS', offerIds: ['off_a'] })], {
      promotionCodes: ['SKU'],
      lines: [
        { id: 'a1', name: 'A1', unitAmountMinor: 100, quantity: 1, offerId: 'off_a' },
        { id: 'b', name: 'B', unitAmountMinor: 500, quantity: 1, offerId: 'off_b' },
        { id: 'a2', name: 'A2', unitAmountMinor: 200, quantity: 1, offerId: 'off_a' },
      ],
    });
    // 100 over weights 100:200 → 33.3 / 66.7 → 33 / 67.
    expect(c.lines.map((l) => l.discountMinor)).toEqual([33, 0, 67]);
    expect(c.lines[2]!.adjustments).toEqual([{ promotionId: 'sku', code: 'SKU', amountMinor: 67 }]);
  });
});
