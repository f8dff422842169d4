// Built-in tax: rate lookup (region before country, category, default category, shipping) and
// per-line rounding, exclusive and inclusive.
import { money } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { calcInput, pricingConfig } from '../../test/pricing-fixtures.js';
import { calculate } from '../calculation/calculate.js';
import { findRate, taxOn } from './tax.rates.js';

const rates = [
  { country: 'US', region: null, category: 'standard', basisPoints: 0 },
  { country: 'US', region: 'CA', category: 'standard', basisPoints: 725 },
  { country: 'US', region: 'CA', category: 'food', basisPoints: 0 },
  { country: 'GB', region: null, category: 'standard', basisPoints: 2000 },
  { country: 'GB', region: null, category: 'books', basisPoints: 0 },
  { country: 'GB', region: null, category: 'shipping', basisPoints: 500 },
];

describe('tax rates', () => {
  it('uses the region\'s rate before the country\'s, per category; none is 0', () => {
    expect(findRate(rates, { country: 'US', region: 'ca', postalCode: null }, 'standard')?.basisPoints).toBe(725);
    expect(findRate(rates, { country: 'US', region: 'NY', postalCode: null }, 'standard')?.basisPoints).toBe(0);
    expect(findRate(rates, { country: 'US', region: 'CA', postalCode: null }, 'food')?.basisPoints).toBe(0);
    expect(findRate(rates, { country: 'FR', region: null, postalCode: null }, 'standard')).toBeNull();
  });

  it('rounds each line half-up, exclusive and inclusive', () => {
    expect(taxOn(money(1234, 'GBP'), 725, false)).toEqual({ tax: money(89, 'GBP'), unrounded: '89.465' });
    expect(taxOn(money(1000, 'GBP'), 2000, true)).toEqual({ tax: money(167, 'GBP'), unrounded: '166.666666' });
    expect(taxOn(money(0, 'GBP'), 2000, true).tax.amountMinor).toBe(0);
  });

  it('taxes lines by category (default when none) and shipping as `shipping` when the address has a rate for it', () => {
    const config = pricingConfig();
    config.tax.rates = rates;
    const c = calculate(calcInput({ config, lines: [
      { id: 'std', name: 'Std', unitAmountMinor: 1000, quantity: 1 },
      { id: 'book', name: 'Book', unitAmountMinor: 1000, quantity: 1, taxCategory: 'books' },
    ] }));
    expect(c.taxLines.map((t) => [t.lineId, t.category, t.basisPoints, t.amountMinor])).toEqual([
      ['std', 'standard', 2000, 200],
      ['book', 'books', 0, 0],
      [null, 'shipping', 500, 20],
    ]);
    expect(c.totals.taxTotal).toBe(220);
  });

  it('taxes shipping at the default category when there is no shipping rate', () => {
    const c = calculate(calcInput());
    expect(c.taxLines.at(-1)).toMatchObject({ target: 'SHIPPING', category: 'standard', amountMinor: 80 });
  });
});
