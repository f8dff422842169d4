// Commission maths: seed 001's example, each type, refunds, and a property test that a split
// always adds up exactly for every amount from 1 to 10^12 minor units in 0-, 2- and 3-decimal currencies.
import fc from 'fast-check';
import { formatDecimal, money } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { commissionAfterRefund, commissionAmount, CommissionType, splitCommission } from './commission.js';

describe('commission', () => {
  it("gives seed 001's example: value 10 GBP, CPA 8 → 8.00, network fee 1.60, builder payout 6.40", () => {
    const amount = commissionAmount({ type: CommissionType.CPA, cpaMinor: 800, percentageBps: null }, money(1000, 'GBP'));
    const split = splitCommission(amount, true);
    expect([split.amount, split.networkFee, split.builderPayout].map(formatDecimal)).toEqual(['8.00', '1.60', '6.40']);
    expect(split.unclaimed.amountMinor).toBe(0);
  });

  it('computes PERCENTAGE in basis points (half up) and HYBRID as both', () => {
    const value = money(12345, 'GBP');
    expect(commissionAmount({ type: CommissionType.PERCENTAGE, cpaMinor: null, percentageBps: 1000 }, value).amountMinor).toBe(1235);
    expect(commissionAmount({ type: CommissionType.HYBRID, cpaMinor: 200, percentageBps: 250 }, value).amountMinor).toBe(200 + 309);
  });

  it('holds the builder share unclaimed for an anonymous agent', () => {
    const split = splitCommission(money(800, 'GBP'), false);
    expect(split.builderPayout.amountMinor).toBe(0);
    expect(split.unclaimed.amountMinor).toBe(640);
    expect(split.networkFee.amountMinor).toBe(160);
  });

  it('splits 1 and 3 minor units exactly, and zero-decimal currencies', () => {
    expect(splitCommission(money(1, 'GBP'), true)).toMatchObject({ builderPayout: { amountMinor: 0 }, networkFee: { amountMinor: 1 } });
    expect(splitCommission(money(3, 'KWD'), true)).toMatchObject({ builderPayout: { amountMinor: 2 }, networkFee: { amountMinor: 1 } });
    expect(splitCommission(money(50001, 'XOF'), true)).toMatchObject({ builderPayout: { amountMinor: 40000 }, networkFee: { amountMinor: 10001 } });
  });

  it('reduces a percentage commission pro rata on a partial refund and leaves CPA as it is', () => {
    const value = money(10000, 'GBP');
    expect(commissionAfterRefund({ type: CommissionType.PERCENTAGE, cpaMinor: null, percentageBps: 1000 }, value, 2500).amountMinor).toBe(750);
    expect(commissionAfterRefund({ type: CommissionType.CPA, cpaMinor: 800, percentageBps: null }, value, 2500).amountMinor).toBe(800);
    expect(commissionAfterRefund({ type: CommissionType.HYBRID, cpaMinor: 100, percentageBps: 1000 }, value, 5000).amountMinor).toBe(600);
  });

  it('property: parts always sum exactly to the commission (1..10^12 minor units; JPY, GBP, KWD)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000_000 }),
        fc.constantFrom('JPY', 'XOF', 'GBP', 'EUR', 'KWD', 'BHD'),
        fc.boolean(),
        (minor, currency, registered) => {
          const amount = money(minor, currency);
          const s = splitCommission(amount, registered);
          const parts = [s.networkFee, s.builderPayout, s.unclaimed];
          expect(parts.every((p) => p.amountMinor >= 0 && p.currency === currency)).toBe(true);
          expect(s.networkFee.amountMinor + s.builderPayout.amountMinor + s.unclaimed.amountMinor).toBe(minor);
          const builderShare = registered ? s.builderPayout.amountMinor : s.unclaimed.amountMinor;
          expect(builderShare).toBe(Number((BigInt(minor) * 8000n) / 10000n));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
