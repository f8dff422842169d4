// Builders for calculation-engine tests: a merchant pricing configuration (the contract's shape)
// and a calculation input, each overridable piece by piece.
import type { CheckoutPricingConfig, PricingProviderConfig, PromotionConfig, ShippingRateConfig } from '@handoff/shared';
import type { CalculationInput } from '../src/calculation/calculation.types.js';

export const builtInProvider = (concern: PricingProviderConfig['concern']): PricingProviderConfig => ({
  concern, kind: 'BUILT_IN', endpointUrl: null, signingSecret: null, timeoutMs: null, fallback: null,
});

export function rate(over: Partial<ShippingRateConfig> & { id: string; amountMinor?: number; currency?: string }): ShippingRateConfig {
  const currency = over.currency ?? 'GBP';
  return {
    label: over.id, kind: 'FLAT', freeOver: null, carrier: null, serviceCode: null, minDays: null, maxDays: null,
    ...over,
    amount: over.amount ?? { amountMinor: over.amountMinor ?? 500, currency },
  };
}

export function promotion(over: Partial<PromotionConfig> & { id: string }): PromotionConfig {
  return {
    code: over.automatic ? null : over.id.toUpperCase(), automatic: false, percentOffBasisPoints: null, amountOff: null, scope: 'ORDER', offerIds: [],
    minSubtotal: null, startsAt: null, endsAt: null, usageLimit: null, perCustomerLimit: null, stacking: 'STACKABLE',
    ...over,
  };
}

export function pricingConfig(over: Partial<CheckoutPricingConfig> = {}, currency = 'GBP'): CheckoutPricingConfig {
  return {
    merchantId: 'mer_test',
    currency,
    shipping: {
      zones: [
        { id: 'z_uk', name: 'UK', countries: ['GB'], regions: [], rates: [rate({ id: 'std', amountMinor: 399, currency, minDays: 2, maxDays: 4 })] },
      ],
      pickupLocations: [
        {
          id: 'pick_ldn', name: 'London store', openingHours: [],
          address: { line1: '1 High St', line2: null, city: 'London', state: null, postalCode: 'EC1A 1AA', country: 'GB' },
        },
      ],
    },
    tax: { pricesIncludeTax: false, defaultCategory: 'standard', rates: [{ country: 'GB', region: null, category: 'standard', basisPoints: 2000 }] },
    promotions: [],
    providers: { tax: builtInProvider('TAX'), shipping: builtInProvider('SHIPPING'), promotions: builtInProvider('PROMOTIONS') },
    ...over,
  };
}

export function calcInput(over: Partial<CalculationInput> = {}): CalculationInput {
  const currency = over.currency ?? 'GBP';
  return {
    currency,
    lines: [{ id: 'L1', name: 'Widget', unitAmountMinor: 1000, quantity: 2, offerId: 'off_1' }],
    destination: { country: 'GB', region: null, postalCode: 'SW1A 1AA' },
    selection: { kind: 'SHIPPING', optionId: 'std' },
    promotionCodes: [],
    customerKey: null,
    config: pricingConfig({}, currency),
    usage: {},
    at: '2026-12-04T10:00:00.000Z', // a Friday
    ...over,
  };
}
