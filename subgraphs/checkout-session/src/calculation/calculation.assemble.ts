// The last step of a calculation: lines with their discounts and tax, the totals, and the
// split-shipment plan. Every total is a sum of line amounts, so lines always add up to it.
//
// Totals convention. Prices exclusive of tax: taxTotal is the tax added on top (lines and
// shipping), includedTaxTotal is 0. Prices including tax: subTotal, discountTotal and
// shippingTotal are the amounts as priced (tax included), taxTotal is 0 because nothing is added
// on top, and includedTaxTotal is the tax they contain (the tax lines say which part of which
// amount). Either way grandTotal = subTotal − discountTotal + taxTotal + shippingTotal.
import { add, allocate, money, subtract, sum, type Money } from '@handoff/shared';
import type { CalculatedLine, Shipment, Totals } from './calculation.types.js';
import type { DiscountedLine, PromotionStageResult, TaxStageResult } from './stages.js';

export function assembleLines(lines: readonly DiscountedLine[], promotions: PromotionStageResult, tax: TaxStageResult): CalculatedLine[] {
  return lines.map((l) => {
    const taxLine = tax.taxLines.find((t) => t.target === 'LINE' && t.lineId === l.id);
    const taxMinor = taxLine?.amountMinor ?? 0;
    const inclusive = taxLine?.inclusive ?? false;
    const total = inclusive ? l.net : add(l.net, money(taxMinor, l.net.currency));
    return {
      id: l.id,
      name: l.name,
      offerId: l.offerId,
      quantity: l.quantity,
      unitAmountMinor: l.unit.amountMinor,
      baseMinor: l.base.amountMinor,
      adjustments: promotions.adjustments[l.id] ?? [],
      discountMinor: l.discount.amountMinor,
      taxCategory: l.taxCategory,
      taxMinor,
      taxInclusive: inclusive,
      totalMinor: total.amountMinor,
      requiresShipping: l.requiresShipping,
      fulfilmentLocationId: l.fulfilmentLocationId,
    };
  });
}

export function totalsOf(currency: string, pricesIncludeTax: boolean, lines: readonly CalculatedLine[], shipping: Money, shippingTaxMinor: number): Totals {
  const of = (pick: (l: CalculatedLine) => number) => sum(lines.map((l) => money(pick(l), currency)), currency);
  const subTotal = of((l) => l.baseMinor);
  const discountTotal = of((l) => l.discountMinor);
  const allTax = add(of((l) => l.taxMinor), money(shippingTaxMinor, currency));
  const taxTotal = pricesIncludeTax ? money(0, currency) : allTax;
  const grandTotal = add(add(subtract(subTotal, discountTotal), taxTotal), shipping);
  return {
    currency,
    subTotal: subTotal.amountMinor,
    discountTotal: discountTotal.amountMinor,
    taxTotal: taxTotal.amountMinor,
    shippingTotal: shipping.amountMinor,
    grandTotal: grandTotal.amountMinor,
    includedTaxTotal: pricesIncludeTax ? allTax.amountMinor : 0,
  };
}

/**
 * The split-shipment plan: the lines that ship, grouped by fulfilment location (in order of first
 * appearance). The order's shipping charge and its tax are split across the shipments by the
 * largest-remainder method, weighted by each shipment's merchandise after discounts (by quantity
 * when that is all zero), so the shipments add up to the order's shipping exactly.
 */
export function planShipments(currency: string, lines: readonly CalculatedLine[], shipping: Money, shippingTaxMinor: number, pricesIncludeTax: boolean): Shipment[] {
  const groups = new Map<string, CalculatedLine[]>();
  for (const l of lines.filter((x) => x.requiresShipping)) {
    groups.set(l.fulfilmentLocationId, [...(groups.get(l.fulfilmentLocationId) ?? []), l]);
  }
  if (groups.size === 0) return [];
  const entries = [...groups.entries()];
  const netOf = (ls: CalculatedLine[]) => ls.reduce((n, l) => n + (l.baseMinor - l.discountMinor), 0);
  let weights = entries.map(([, ls]) => netOf(ls));
  if (weights.every((w) => w === 0)) weights = entries.map(([, ls]) => ls.reduce((n, l) => n + l.quantity, 0));
  const shippingParts = allocate(shipping, weights);
  const shippingTaxParts = allocate(money(shippingTaxMinor, currency), weights);
  return entries.map(([location, ls], i) => {
    const of = (pick: (l: CalculatedLine) => number) => sum(ls.map((l) => money(pick(l), currency)), currency);
    const sub = of((l) => l.baseMinor);
    const discount = of((l) => l.discountMinor);
    const tax = of((l) => l.taxMinor);
    const shippingPart = shippingParts[i]!;
    const shippingTax = shippingTaxParts[i]!;
    const added = pricesIncludeTax ? money(0, currency) : add(tax, shippingTax);
    return {
      fulfilmentLocationId: location,
      lineIds: ls.map((l) => l.id),
      subTotalMinor: sub.amountMinor,
      discountMinor: discount.amountMinor,
      taxMinor: tax.amountMinor,
      shippingMinor: shippingPart.amountMinor,
      shippingTaxMinor: shippingTax.amountMinor,
      totalMinor: add(add(subtract(sub, discount), added), shippingPart).amountMinor,
    };
  });
}
