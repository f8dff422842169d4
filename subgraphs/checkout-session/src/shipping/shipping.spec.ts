// Shipping options: zone matching (region before country), flat / per-item / free-over rates,
// business-day estimates that skip weekends, pickup, and the split-shipment plan.
import { describe, expect, it } from 'vitest';
import { calcInput, pricingConfig, rate } from '../../test/pricing-fixtures.js';
import { calculate } from '../calculation/calculate.js';
import { addBusinessDays } from './delivery-estimate.js';

const zones = () => [
  { id: 'z_us', name: 'US', countries: ['US'], regions: [], rates: [rate({ id: 'us_std', amountMinor: 700, currency: 'GBP' })] },
  { id: 'z_ca', name: 'California', countries: [], regions: [{ country: 'US', region: 'CA' }], rates: [rate({ id: 'ca_fast', amountMinor: 300 })] },
  {
    id: 'z_uk', name: 'UK', countries: ['GB'], regions: [],
    rates: [
      rate({ id: 'flat', amountMinor: 399, minDays: 1, maxDays: 3 }),
      rate({ id: 'per_item', kind: 'PER_ITEM', amountMinor: 150 }),
      rate({ id: 'free_over', amountMinor: 499, freeOver: { amountMinor: 5000, currency: 'GBP' } }),
      rate({ id: 'euro', amount: { amountMinor: 100, currency: 'EUR' } }),
    ],
  },
];
const input = (over: Parameters<typeof calcInput>[0] = {}) => calcInput({ config: pricingConfig({ shipping: { zones: zones(), pickupLocations: pricingConfig().shipping.pickupLocations } }), ...over });

describe('shipping options', () => {
  it('prices flat per order, per item (physical items only), free over a threshold; skips rates in another currency', () => {
    const c = calculate(input({ lines: [
      { id: 'p', name: 'Phys', unitAmountMinor: 1000, quantity: 3 },
      { id: 'd', name: 'Ebook', unitAmountMinor: 500, quantity: 3, requiresShipping: false },
    ] }));
    expect(c.shippingOptions.map((o) => [o.id, o.amountMinor, o.free])).toEqual([['flat', 399, false], ['per_item', 450, false], ['free_over', 499, false]]);
    expect(c.pickupOptions).toEqual([{ id: 'pick_ldn', name: 'London store', country: 'GB', region: null, postalCode: 'EC1A 1AA' }]);
  });

  it('makes a free-over rate free at the threshold, measured after discounts', () => {
    const at = calculate(input({ lines: [{ id: 'p', name: 'P', unitAmountMinor: 5000, quantity: 1 }], selection: { kind: 'SHIPPING', optionId: 'free_over' } }));
    expect(at.shipping).toMatchObject({ id: 'free_over', amountMinor: 0 });
    expect(at.shippingOptions.find((o) => o.id === 'free_over')).toMatchObject({ amountMinor: 0, free: true });
    const config = input().config;
    config.promotions = [{ id: 'p1', code: 'ONE', automatic: false, percentOffBasisPoints: null, amountOff: { amountMinor: 1, currency: 'GBP' }, scope: 'ORDER', offerIds: [], minSubtotal: null, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null, stacking: 'STACKABLE' }];
    const below = calculate(input({ config, promotionCodes: ['ONE'], lines: [{ id: 'p', name: 'P', unitAmountMinor: 5000, quantity: 1 }], selection: { kind: 'SHIPPING', optionId: 'free_over' } }));
    expect(below.shipping).toMatchObject({ id: 'free_over', amountMinor: 499 });
  });

  it('matches a zone by region before the whole country (case-insensitively)', () => {
    expect(calculate(input({ destination: { country: 'us', region: 'ca' }, selection: null })).shippingOptions.map((o) => o.id)).toEqual(['ca_fast']);
    expect(calculate(input({ destination: { country: 'US', region: 'NY' }, selection: null })).shippingOptions.map((o) => o.id)).toEqual(['us_std']);
  });

  it('gives delivery estimates in business days and, when asked, dates that skip the weekend', () => {
    const plain = calculate(input());
    expect(plain.shippingOptions[0]!.deliveryEstimate).toEqual({ minDays: 1, maxDays: 3 });
    // Friday 2026-12-04: 1 business day → Monday 7th, 3 → Wednesday 9th.
    const dated = calculate(input({ includeDeliveryDates: true, selection: { kind: 'SHIPPING', optionId: 'flat' } }));
    expect(dated.shippingOptions[0]!.deliveryEstimate).toEqual({ minDays: 1, maxDays: 3, earliestDate: '2026-12-07', latestDate: '2026-12-09' });
    expect(dated.shipping!.deliveryEstimate).toEqual(dated.shippingOptions[0]!.deliveryEstimate);
  });

  it('addBusinessDays skips Saturdays and Sundays, starting from a weekend too', () => {
    expect(addBusinessDays(new Date('2026-12-04T23:59:59Z'), 0)).toBe('2026-12-04');
    expect(addBusinessDays(new Date('2026-12-05T08:00:00Z'), 0)).toBe('2026-12-07'); // Saturday → Monday
    expect(addBusinessDays(new Date('2026-12-05T08:00:00Z'), 1)).toBe('2026-12-08');
    expect(addBusinessDays(new Date('2026-12-06T08:00:00Z'), 5)).toBe('2026-12-14');
    expect(addBusinessDays(new Date('2026-12-31T08:00:00Z'), 2)).toBe('2027-01-04'); // Thu → Fri 1st, Mon 4th
  });

  it('prices a pickup at 0 and taxes at the pickup location', () => {
    const config = input().config;
    config.tax.rates.push({ country: 'GB', region: null, category: 'standard', basisPoints: 2000 });
    const c = calculate(input({ destination: null, selection: { kind: 'PICKUP', locationId: 'pick_ldn' } }));
    expect(c.shipping).toMatchObject({ kind: 'PICKUP', id: 'pick_ldn', amountMinor: 0 });
    expect(c.totals).toMatchObject({ shippingTotal: 0, taxTotal: 400 });
    expect(c.blockers).toEqual([]);
  });
});

describe('split-shipment plan', () => {
  it('groups the shipped lines by fulfilment location and splits the shipping exactly', () => {
    const c = calculate(input({
      selection: { kind: 'SHIPPING', optionId: 'flat' },
      lines: [
        { id: 'a', name: 'A', unitAmountMinor: 1000, quantity: 1, fulfilmentLocationId: 'wh_north' },
        { id: 'b', name: 'B', unitAmountMinor: 2000, quantity: 1, fulfilmentLocationId: 'wh_south' },
        { id: 'c', name: 'C', unitAmountMinor: 1000, quantity: 1, fulfilmentLocationId: 'wh_north' },
        { id: 'd', name: 'Download', unitAmountMinor: 100, quantity: 1, requiresShipping: false },
      ],
    }));
    expect(c.shipments.map((s) => [s.fulfilmentLocationId, s.lineIds, s.subTotalMinor, s.shippingMinor, s.shippingTaxMinor])).toEqual([
      ['wh_north', ['a', 'c'], 2000, 200, 40],
      ['wh_south', ['b'], 2000, 199, 40],
    ]);
    expect(c.shipments.reduce((n, s) => n + s.totalMinor, 0) + c.lines[3]!.totalMinor).toBe(c.totals.grandTotal);
  });

  it('has one default shipment unless locations are given, and none for digital-only orders', () => {
    expect(calculate(input()).shipments.map((s) => s.fulfilmentLocationId)).toEqual(['default']);
    expect(calculate(input({ lines: [{ id: 'd', name: 'D', unitAmountMinor: 1, quantity: 1, requiresShipping: false }], selection: null })).shipments).toEqual([]);
  });
});
