// What a merchant may send as its tax configuration. Pure. A rate without a category is the
// default category's; one rate per (country, region, category).
import { badUserInput, type TaxPricingConfig } from '@handoff/shared';
import { basisPoints, boundedList, taxCategory } from '../checkout-pricing/pricing.validation.js';
import { optionalText } from '../input.js';
import { normalizeCountry } from '../merchant/merchant.validation.js';

export const DEFAULT_TAX_CATEGORY = 'standard';
export const MAX_TAX_RATES = 500;

export interface TaxRateSpec {
  country: string;
  region?: string | null;
  category?: string | null;
  basisPoints: number;
}

export interface TaxConfigSpec {
  pricesIncludeTax: boolean;
  defaultCategory?: string | null;
  rates?: TaxRateSpec[] | null;
}

export function validateTaxConfig(input: TaxConfigSpec): TaxPricingConfig {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  if (typeof input.pricesIncludeTax !== 'boolean') throw badUserInput('input.pricesIncludeTax', 'must be true or false.');
  const defaultCategory =
    input.defaultCategory === null || input.defaultCategory === undefined
      ? DEFAULT_TAX_CATEGORY
      : taxCategory(input.defaultCategory, 'input.defaultCategory');
  const seen = new Set<string>();
  const rates = boundedList(input.rates, 'input.rates', MAX_TAX_RATES).map((r, i) => {
    const field = `input.rates[${i}]`;
    if (!r || typeof r !== 'object') throw badUserInput(field, 'is required.');
    const rate = {
      country: normalizeCountry(r.country, `${field}.country`),
      region: optionalText(r.region, `${field}.region`, 100) ?? null,
      category: r.category === null || r.category === undefined ? defaultCategory : taxCategory(r.category, `${field}.category`),
      basisPoints: basisPoints(r.basisPoints, `${field}.basisPoints`),
    };
    const key = `${rate.country}:${rate.region?.toUpperCase() ?? ''}:${rate.category}`;
    if (seen.has(key)) {
      throw badUserInput(field, `another rate is already given for ${rate.country}${rate.region ? ` ${rate.region}` : ''}, category ${rate.category}.`);
    }
    seen.add(key);
    return rate;
  });
  return { pricesIncludeTax: input.pricesIncludeTax, defaultCategory, rates };
}
