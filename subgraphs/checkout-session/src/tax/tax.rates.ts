// The built-in tax stage over the merchant's rates.
//
// Rate: for a line of category C shipped to (country, region), the rate for (country, region, C)
// if there is one, else (country, whole country, C), else 0 (the pricing contract). Shipping is
// taxed as category `shipping` when the merchant has a rate for it at the address, else as the
// merchant's default category.
//
// Rounding, per line: prices exclusive of tax → tax = base × rate / 10000 rounded half-up;
// prices including tax → net = base × 10000 / (10000 + rate) rounded half-up and tax = base − net,
// so the tax is contained in the amount the buyer sees. The base is the line after discounts.
import { divideRounded, money, type Money, type TaxRateConfig } from '@handoff/shared';
import type { TaxLine } from '../calculation/calculation.types.js';
import type { PricingAddress, TaxStageRequest, TaxStageResult } from '../calculation/stages.js';

export const SHIPPING_TAX_CATEGORY = 'shipping';

const same = (a: string | null, b: string | null) => a !== null && b !== null && a.toUpperCase() === b.toUpperCase();

/** The rate that applies to `category` at `address`, or null (taxed at 0). */
export function findRate(rates: readonly TaxRateConfig[], address: PricingAddress, category: string): TaxRateConfig | null {
  const inCountry = rates.filter((r) => r.country.toUpperCase() === address.country && r.category === category);
  return inCountry.find((r) => r.region !== null && same(r.region, address.region)) ?? inCountry.find((r) => r.region === null) ?? null;
}

/** The exact quotient num/den in minor units as a decimal string, up to 6 places (then truncated). */
function exactDecimal(num: bigint, den: bigint): string {
  const scaled = divideRounded(num * 1_000_000n, den, 'floor');
  const whole = scaled / 1_000_000n;
  const frac = (scaled % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** The tax on `base` at `bps`, and its exact value before rounding. */
export function taxOn(base: Money, bps: number, inclusive: boolean): { tax: Money; unrounded: string } {
  const b = BigInt(base.amountMinor);
  const r = BigInt(bps);
  if (!inclusive) {
    return { tax: money(divideRounded(b * r, 10_000n, 'half_up'), base.currency), unrounded: exactDecimal(b * r, 10_000n) };
  }
  const net = divideRounded(b * 10_000n, 10_000n + r, 'half_up');
  return { tax: money(b - net, base.currency), unrounded: exactDecimal(b * r, 10_000n + r) };
}

function taxLine(target: 'LINE' | 'SHIPPING', lineId: string | null, base: Money, category: string, req: TaxStageRequest): TaxLine {
  const inclusive = req.pricesIncludeTax;
  const rate = req.address ? findRate(req.config.tax.rates, req.address, category) : null;
  const { tax, unrounded } = taxOn(base, rate?.basisPoints ?? 0, inclusive);
  return {
    target,
    lineId,
    country: req.address?.country ?? null,
    region: rate?.region ?? null,
    category,
    basisPoints: rate?.basisPoints ?? 0,
    taxableBaseMinor: base.amountMinor,
    amountMinor: tax.amountMinor,
    inclusive,
    unroundedMinor: unrounded,
  };
}

export function builtInTax(req: TaxStageRequest): TaxStageResult {
  const taxLines = req.lines.map((l) => taxLine('LINE', l.id, l.net, l.taxCategory, req));
  if (req.shipping) {
    const hasShippingRate = req.address !== null && findRate(req.config.tax.rates, req.address, SHIPPING_TAX_CATEGORY) !== null;
    const category = hasShippingRate ? SHIPPING_TAX_CATEGORY : req.config.tax.defaultCategory;
    taxLines.push(taxLine('SHIPPING', null, req.shipping.amount, category, req));
  }
  return { taxLines };
}
