// Every blocker a calculation can report, and the cases that report none.
import { describe, expect, it } from 'vitest';
import { calcInput, pricingConfig } from '../../test/pricing-fixtures.js';
import { calculate } from './calculate.js';
import { inventoryShortfall, taxMismatch } from './calculation.blockers.js';

const codes = (over: Parameters<typeof calcInput>[0]) => calculate(calcInput(over)).blockers.map((b) => b.code);
const digital = [{ id: 'd', name: 'Download', unitAmountMinor: 1000, quantity: 1, requiresShipping: false }];

describe('blockers', () => {
  it('none for a complete session', () => {
    expect(codes({})).toEqual([]);
  });

  it('shipping_not_selected: physical items and no selection, or one that is not offered', () => {
    expect(codes({ selection: null })).toEqual(['shipping_not_selected']);
    expect(codes({ selection: { kind: 'SHIPPING', optionId: 'teleport' } })).toEqual(['shipping_not_selected']);
    expect(codes({ selection: { kind: 'PICKUP', locationId: 'nowhere' } })).toEqual(['shipping_not_selected']);
    expect(calculate(calcInput({ selection: { kind: 'SHIPPING', optionId: 'teleport' } })).blockers[0]!.message).toMatch(/not available/);
  });

  it('no shipping blocker for digital-only orders; a selection is then ignored', () => {
    const c = calculate(calcInput({ lines: digital, selection: null }));
    expect(c.blockers).toEqual([]);
    expect(c.shipping).toBeNull();
    expect(calculate(calcInput({ lines: digital })).totals.shippingTotal).toBe(0);
  });

  it('address_invalid: a malformed country or postal code, an address not shipped to, none where one is needed', () => {
    expect(codes({ destination: { country: 'Britain' } })).toEqual(['address_invalid', 'shipping_not_selected']);
    expect(codes({ destination: { country: 'GB', postalCode: '<script>' } })).toEqual(['address_invalid', 'shipping_not_selected']);
    const nowhere = calculate(calcInput({ destination: { country: 'FR', postalCode: '75001' } }));
    expect(nowhere.blockers.map((b) => b.code)).toEqual(['address_invalid', 'shipping_not_selected']);
    expect(nowhere.blockers[0]!.message).toBe('The merchant does not ship to FR.');
    expect(codes({ destination: null, selection: null })).toEqual(['address_invalid', 'shipping_not_selected']);
    // Digital goods with tax rates configured still need an address to locate tax.
    expect(codes({ lines: digital, destination: null, selection: null })).toEqual(['address_invalid']);
    expect(codes({ lines: digital, destination: null, selection: null, config: pricingConfig({ tax: { pricesIncludeTax: false, defaultCategory: 'standard', rates: [] } }) })).toEqual([]);
  });

  it('promotion_invalid for a code that cannot apply (see promotion.evaluate.spec.ts for every reason)', () => {
    expect(calculate(calcInput({ promotionCodes: ['NOPE'] })).blockers).toEqual([
      { code: 'promotion_invalid', message: 'The code NOPE is not a promotion of this merchant.', promotionCode: 'NOPE', reason: 'unknown' },
    ]);
  });

  it('payment_method_not_supported when the chosen method is not one the merchant takes', () => {
    expect(codes({ payment: { method: 'klarna', supported: ['card'] } })).toEqual(['payment_method_not_supported']);
    expect(codes({ payment: { method: 'card', supported: ['card'] } })).toEqual([]);
  });

  it('tax_mismatch when the tax shown differs from a fresh calculation', () => {
    const shown = calculate(calcInput());
    const config = pricingConfig();
    config.tax.rates[0]!.basisPoints = 1750;
    const fresh = calculate(calcInput({ config }));
    expect(taxMismatch(shown, fresh)).toMatchObject({ code: 'tax_mismatch' });
    expect(taxMismatch(shown, calculate(calcInput()))).toBeNull();
    expect(taxMismatch(null, fresh)).toBeNull();
  });

  it('inventory_shortfall from an inventory check\'s answer', () => {
    expect(inventoryShortfall({ lineId: 'L1', offerId: 'off_1', requested: 3, available: 1 })).toEqual({
      code: 'inventory_shortfall', message: 'Only 1 of the 3 requested are available.', lineId: 'L1',
    });
  });
});
