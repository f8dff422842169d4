// The pure calculation core: totals and their identity, exact allocation, zero- and
// three-decimal currencies, tax-inclusive prices, determinism and the fingerprint.
import { describe, expect, it } from 'vitest';
import { calcInput, pricingConfig, promotion } from '../../test/pricing-fixtures.js';
import { calculate } from './calculate.js';
import type { Calculation } from './calculation.types.js';

function expectConsistent(c: Calculation) {
  const t = c.totals;
  expect(t.grandTotal).toBe(t.subTotal - t.discountTotal + t.taxTotal + t.shippingTotal);
  expect(c.lines.reduce((n, l) => n + l.baseMinor, 0)).toBe(t.subTotal);
  expect(c.lines.reduce((n, l) => n + l.discountMinor, 0)).toBe(t.discountTotal);
  expect(c.promotions.reduce((n, p) => n + p.amountMinor, 0)).toBe(t.discountTotal);
  const allTax = c.taxLines.reduce((n, x) => n + x.amountMinor, 0);
  expect(allTax).toBe(t.taxTotal + t.includedTaxTotal);
  for (const l of c.lines) {
    expect(l.discountMinor).toBe(l.adjustments.reduce((n, a) => n + a.amountMinor, 0));
    expect(l.baseMinor - l.discountMinor).toBeGreaterThanOrEqual(0);
  }
  const shipTotal = c.shipments.reduce((n, s) => n + s.totalMinor, 0);
  const digital = c.lines.filter((l) => !l.requiresShipping).reduce((n, l) => n + l.totalMinor, 0);
  if (c.shipments.length > 0 && !c.pricesIncludeTax) expect(shipTotal + digital).toBe(t.grandTotal);
}

describe('calculate: totals', () => {
  it('prices lines, shipping and tax exclusive of tax: grandTotal = subTotal − discountTotal + taxTotal + shippingTotal', () => {
    const c = calculate(calcInput());
    expect(c.totals).toEqual({ currency: 'GBP', subTotal: 2000, discountTotal: 0, taxTotal: 480, shippingTotal: 399, grandTotal: 2879, includedTaxTotal: 0 });
    expect(c.lines[0]).toMatchObject({ baseMinor: 2000, taxMinor: 400, totalMinor: 2400, taxInclusive: false });
    expect(c.taxLines.map((t) => [t.target, t.taxableBaseMinor, t.amountMinor, t.basisPoints, t.unroundedMinor])).toEqual([
      ['LINE', 2000, 400, 2000, '400'],
      ['SHIPPING', 399, 80, 2000, '79.8'],
    ]);
    expect(c.shipping).toMatchObject({ kind: 'SHIPPING', id: 'std', amountMinor: 399, taxMinor: 80 });
    expect(c.blockers).toEqual([]);
    expect(c.providers.map((p) => [p.concern, p.source, p.fallbackUsed])).toEqual([
      ['promotions', 'BUILT_IN', false],
      ['shipping', 'BUILT_IN', false],
      ['tax', 'BUILT_IN', false],
    ]);
    expectConsistent(c);
  });

  it('with prices including tax, reports taxTotal 0 and the contained tax as includedTaxTotal, the identity still true', () => {
    const config = pricingConfig();
    config.tax.pricesIncludeTax = true;
    const c = calculate(calcInput({ config, lines: [{ id: 'L1', name: 'Gross', unitAmountMinor: 1200, quantity: 1 }] }));
    // 1200 gross at 20 %: net 1000, tax 200; shipping 399 gross: net 332.5 → 333, tax 66.
    expect(c.taxLines.map((t) => [t.amountMinor, t.inclusive])).toEqual([[200, true], [66, true]]);
    expect(c.totals).toEqual({ currency: 'GBP', subTotal: 1200, discountTotal: 0, taxTotal: 0, shippingTotal: 399, grandTotal: 1599, includedTaxTotal: 266 });
    expect(c.lines[0]).toMatchObject({ taxMinor: 200, taxInclusive: true, totalMinor: 1200 });
    expectConsistent(c);
  });

  it('taxes inclusive prices on the discounted amount', () => {
    const config = pricingConfig({ promotions: [promotion({ id: 'half', percentOffBasisPoints: 5000 })] });
    config.tax.pricesIncludeTax = true;
    const c = calculate(calcInput({ config, promotionCodes: ['half'], lines: [{ id: 'L1', name: 'Gross', unitAmountMinor: 1200, quantity: 1 }] }));
    expect(c.lines[0]).toMatchObject({ discountMinor: 600, taxMinor: 100, totalMinor: 600 });
    expectConsistent(c);
  });

  it('is exact in JPY (no decimals): tax and percentages round half-up to whole yen', () => {
    const config = pricingConfig({ promotions: [promotion({ id: 'p15', percentOffBasisPoints: 1500 })] }, 'JPY');
    config.tax.rates = [{ country: 'JP', region: null, category: 'standard', basisPoints: 1000 }];
    config.shipping.zones = [{ id: 'jp', name: 'JP', countries: ['JP'], regions: [], rates: [{ id: 'std', label: 'Std', kind: 'FLAT', amount: { amountMinor: 550, currency: 'JPY' }, freeOver: null, carrier: null, serviceCode: null, minDays: null, maxDays: null }] }];
    const c = calculate(calcInput({
      currency: 'JPY', config, promotionCodes: ['P15'], destination: { country: 'JP', postalCode: '100-0001' },
      lines: [{ id: 'a', name: 'A', unitAmountMinor: 1111, quantity: 3 }, { id: 'b', name: 'B', unitAmountMinor: 1, quantity: 1 }],
    }));
    // 15 % of 3334 = 500.1 → 500, split 3333:1 → 499.85 / 0.15 → 500 / 0 by largest remainder.
    expect(c.promotions[0]!.amountMinor).toBe(500);
    expect(c.lines.map((l) => l.discountMinor)).toEqual([500, 0]);
    // (3333 − 500) × 10 % = 283.3 → 283; 1 × 10 % = 0.1 → 0; shipping 55.
    expect(c.lines.map((l) => l.taxMinor)).toEqual([283, 0]);
    expect(c.totals).toMatchObject({ currency: 'JPY', subTotal: 3334, discountTotal: 500, taxTotal: 338, shippingTotal: 550, grandTotal: 3722 });
    expectConsistent(c);
  });

  it('is exact in KWD (three decimals), in fils', () => {
    const config = pricingConfig({ promotions: [promotion({ id: 'off', amountOff: { amountMinor: 1001, currency: 'KWD' } })] }, 'KWD');
    config.tax.rates = [{ country: 'KW', region: null, category: 'standard', basisPoints: 500 }];
    config.shipping.zones = [{ id: 'kw', name: 'KW', countries: ['KW'], regions: [], rates: [{ id: 'std', label: 'Std', kind: 'FLAT', amount: { amountMinor: 1500, currency: 'KWD' }, freeOver: null, carrier: null, serviceCode: null, minDays: null, maxDays: null }] }];
    const c = calculate(calcInput({
      currency: 'KWD', config, promotionCodes: ['OFF'], destination: { country: 'KW' },
      lines: [1, 1, 1].map((q, i) => ({ id: `l${i}`, name: `L${i}`, unitAmountMinor: 3333, quantity: q })),
    }));
    // 1.001 KWD off three equal lines: 333, 334, 334? largest remainder gives the first the extra fils.
    expect(c.lines.map((l) => l.discountMinor)).toEqual([334, 334, 333]);
    expect(c.totals.discountTotal).toBe(1001);
    expectConsistent(c);
  });

  it('allocates every order-level amount exactly, for many random orders', () => {
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let run = 0; run < 300; run++) {
      const currency = ['GBP', 'JPY', 'KWD'][rnd(3)]!;
      const promos = [
        promotion({ id: 'pa', percentOffBasisPoints: 1 + rnd(10000) }),
        promotion({ id: 'pb', amountOff: { amountMinor: rnd(5000), currency } }),
        promotion({ id: 'auto', automatic: true, percentOffBasisPoints: 1 + rnd(3000), stacking: rnd(2) ? 'STACKABLE' : 'EXCLUSIVE' }),
      ];
      const config = pricingConfig({ promotions: promos }, currency);
      config.tax.pricesIncludeTax = rnd(2) === 1;
      config.tax.rates = [{ country: 'GB', region: null, category: 'standard', basisPoints: rnd(3000) }, { country: 'GB', region: null, category: 'food', basisPoints: rnd(600) }];
      const lines = Array.from({ length: 1 + rnd(6) }, (_, i) => ({
        id: `l${i}`, name: `L${i}`, unitAmountMinor: rnd(10000), quantity: 1 + rnd(5), taxCategory: rnd(2) ? 'food' : null,
        requiresShipping: rnd(4) !== 0, fulfilmentLocationId: rnd(2) ? 'wh_a' : 'wh_b',
      }));
      const c = calculate(calcInput({ currency, config, lines, promotionCodes: ['PA', 'PB'] }));
      expectConsistent(c);
      if (c.shipping) {
        expect(c.shipments.reduce((n, s) => n + s.shippingMinor, 0)).toBe(c.totals.shippingTotal);
        expect(c.shipments.reduce((n, s) => n + s.shippingTaxMinor, 0)).toBe(c.shipping.taxMinor);
      }
    }
  });
});

describe('calculate: determinism', () => {
  it('gives the same output byte for byte for the same input, and a different fingerprint for a different one', () => {
    const a = JSON.stringify(calculate(calcInput()));
    const b = JSON.stringify(calculate(calcInput()));
    expect(a).toBe(b);
    const other = calculate(calcInput({ lines: [{ id: 'L1', name: 'Widget', unitAmountMinor: 1001, quantity: 2 }] }));
    expect(other.fingerprint).not.toBe(JSON.parse(a).fingerprint);
    expect(JSON.parse(a).fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves the providers\' signing secrets out of the fingerprint', () => {
    const withSecret = (secret: string) => {
      const config = pricingConfig();
      config.providers.tax = { concern: 'TAX', kind: 'HTTP', endpointUrl: 'https://tax.example/x', signingSecret: secret, timeoutMs: 1000, fallback: 'BUILT_IN' };
      return calcInput({ config });
    };
    expect(calculate(withSecret('whsec_a')).fingerprint).toBe(calculate(withSecret('whsec_b')).fingerprint);
  });

  it('does not depend on the order of object keys in the input', () => {
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    const input = calcInput({ promotionCodes: ['NOPE'] });
    const reordered = reverse(input) as typeof input;
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(input)[0]);
    expect(JSON.stringify(calculate(reordered))).toBe(JSON.stringify(calculate(input)));
  });
});

describe('calculate: bad input', () => {
  it.each([
    ['currency', { currency: 'XXX' }],
    ['lines', { lines: [] }],
    ['lines[0].quantity', { lines: [{ name: 'x', unitAmountMinor: 1, quantity: 1.5 }] }],
    ['lines[0].unitAmountMinor', { lines: [{ name: 'x', unitAmountMinor: -1, quantity: 1 }] }],
    ['lines[0].quantity', { lines: [{ name: 'x', unitAmountMinor: Number.MAX_SAFE_INTEGER, quantity: 2 }] }],
    ['lines', { lines: [{ id: 'a', name: 'x', unitAmountMinor: 1, quantity: 1 }, { id: 'a', name: 'y', unitAmountMinor: 1, quantity: 1 }] }],
    ['at', { at: 'yesterday' }],
  ])('refuses a bad %s with BAD_USER_INPUT', (field, over) => {
    let error: unknown;
    try {
      calculate(calcInput(over as never));
    } catch (err) {
      error = err;
    }
    expect((error as { extensions?: Record<string, unknown> }).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
