// Seed 003 §4 and §13 in the routes' JSON: a stored calculation (lines with their adjustments and
// tax, tax lines, shipping, promotions, totals), blockers and shipments, from their GraphQL
// selections. Amounts are integers in minor units of the calculation's `currency`.

const M = '{ amountMinor }';

export const BLOCKER_FIELDS = 'code message promotionCode reason lineId';
export const SHIPMENT_FIELDS = `fulfilmentLocationId lineIds subTotal ${M} discount ${M} tax ${M} shipping ${M} shippingTax ${M} total ${M}`;
export const TOTALS_FIELDS = `subTotal ${M} discountTotal ${M} taxTotal ${M} shippingTotal ${M} grandTotal ${M} includedTaxTotal ${M}`;

export const CALCULATION_FIELDS = `id calculatedAt currency pricesIncludeTax rounding
  lines { id name offerId quantity unitAmount ${M} base ${M} discount ${M} adjustments { promotionId code amount ${M} }
          taxCategory tax ${M} taxInclusive total ${M} fulfilmentLocationId }
  taxLines { target lineId country region category basisPoints taxableBase ${M} amount ${M} inclusive }
  shipping { kind id label amount ${M} tax ${M} deliveryEstimate { minDays maxDays earliestDate latestDate } }
  promotions { promotionId code automatic amount ${M} }
  promotionsNotApplied { promotionId code reason }
  shipments { ${SHIPMENT_FIELDS} }
  totals { ${TOTALS_FIELDS} }
  blockers { ${BLOCKER_FIELDS} }
  providers { concern source fallbackUsed failure }`;

interface Minor {
  amountMinor: number;
}

export interface BlockerJson {
  code: string;
  message: string;
  promotionCode: string | null;
  reason: string | null;
  lineId: string | null;
}

export interface ShipmentJson {
  fulfilmentLocationId: string;
  lineIds: string[];
  subTotal: Minor;
  discount: Minor;
  tax: Minor;
  shipping: Minor;
  shippingTax: Minor;
  total: Minor;
}

export interface TotalsJson {
  subTotal: Minor;
  discountTotal: Minor;
  taxTotal: Minor;
  shippingTotal: Minor;
  grandTotal: Minor;
  includedTaxTotal: Minor;
}

export interface DeliveryEstimateJson {
  minDays: number;
  maxDays: number;
  earliestDate: string | null;
  latestDate: string | null;
}

export interface CalculationJson {
  id: string;
  calculatedAt: string;
  currency: string;
  pricesIncludeTax: boolean;
  rounding: string;
  lines: Array<{
    id: string;
    name: string;
    offerId: string | null;
    quantity: number;
    unitAmount: Minor;
    base: Minor;
    discount: Minor;
    adjustments: Array<{ promotionId: string; code: string | null; amount: Minor }>;
    taxCategory: string;
    tax: Minor;
    taxInclusive: boolean;
    total: Minor;
    fulfilmentLocationId: string;
  }>;
  taxLines: Array<{
    target: string;
    lineId: string | null;
    country: string | null;
    region: string | null;
    category: string | null;
    basisPoints: number | null;
    taxableBase: Minor;
    amount: Minor;
    inclusive: boolean;
  }>;
  shipping: { kind: string; id: string; label: string; amount: Minor; tax: Minor; deliveryEstimate: DeliveryEstimateJson | null } | null;
  promotions: Array<{ promotionId: string; code: string | null; automatic: boolean; amount: Minor }>;
  promotionsNotApplied: Array<{ promotionId: string | null; code: string | null; reason: string }>;
  shipments: ShipmentJson[];
  totals: TotalsJson;
  blockers: BlockerJson[];
  providers: Array<{ concern: string; source: string; fallbackUsed: boolean; failure: string | null }>;
}

/** A blocker: `{ code, message }`, plus `promotion_code`, `reason` and `line_id` when they apply. */
export function restBlocker(b: BlockerJson) {
  return {
    code: b.code,
    message: b.message,
    ...(b.promotionCode !== null ? { promotion_code: b.promotionCode } : {}),
    ...(b.reason !== null ? { reason: b.reason } : {}),
    ...(b.lineId !== null ? { line_id: b.lineId } : {}),
  };
}

/** Days, and the dates only when they were asked for (or computed). */
export function restDeliveryEstimate(d: DeliveryEstimateJson | null) {
  if (!d) return null;
  return {
    min_days: d.minDays,
    max_days: d.maxDays,
    ...(d.earliestDate !== null ? { earliest_date: d.earliestDate } : {}),
    ...(d.latestDate !== null ? { latest_date: d.latestDate } : {}),
  };
}

export function restTotals(t: TotalsJson, currency: string) {
  return {
    currency,
    sub_total: t.subTotal.amountMinor,
    discount_total: t.discountTotal.amountMinor,
    tax_total: t.taxTotal.amountMinor,
    shipping_total: t.shippingTotal.amountMinor,
    grand_total: t.grandTotal.amountMinor,
    included_tax_total: t.includedTaxTotal.amountMinor,
  };
}

export function restShipment(x: ShipmentJson, currency: string) {
  return {
    fulfilment_location_id: x.fulfilmentLocationId,
    line_ids: x.lineIds,
    currency,
    sub_total: x.subTotal.amountMinor,
    discount_total: x.discount.amountMinor,
    tax_total: x.tax.amountMinor,
    shipping_total: x.shipping.amountMinor,
    shipping_tax: x.shippingTax.amountMinor,
    grand_total: x.total.amountMinor,
  };
}

/** POST …/calculate's answer. */
export function restCalculation(c: CalculationJson, checkoutId: string) {
  return {
    checkout_id: checkoutId,
    calculation_id: c.id,
    calculated_at: c.calculatedAt,
    currency: c.currency,
    prices_include_tax: c.pricesIncludeTax,
    lines: c.lines.map((l) => ({
      id: l.id,
      name: l.name,
      offer_id: l.offerId,
      quantity: l.quantity,
      unit_amount: l.unitAmount.amountMinor,
      amount: l.base.amountMinor,
      discount: l.discount.amountMinor,
      tax: l.tax.amountMinor,
      tax_inclusive: l.taxInclusive,
      total: l.total.amountMinor,
      tax_category: l.taxCategory,
      fulfilment_location_id: l.fulfilmentLocationId,
      adjustments: l.adjustments.map((a) => ({ promotion_id: a.promotionId, code: a.code, amount: a.amount.amountMinor })),
    })),
    totals: restTotals(c.totals, c.currency),
    shipping: c.shipping
      ? {
          kind: c.shipping.kind.toLowerCase(),
          id: c.shipping.id,
          label: c.shipping.label,
          amount: c.shipping.amount.amountMinor,
          tax: c.shipping.tax.amountMinor,
          delivery_estimate: restDeliveryEstimate(c.shipping.deliveryEstimate),
        }
      : null,
    tax_lines: c.taxLines.map((t) => ({
      target: t.target.toLowerCase(),
      line_id: t.lineId,
      country: t.country,
      region: t.region,
      category: t.category,
      basis_points: t.basisPoints,
      taxable_amount: t.taxableBase.amountMinor,
      amount: t.amount.amountMinor,
      inclusive: t.inclusive,
    })),
    promotions: c.promotions.map((p) => ({ promotion_id: p.promotionId, code: p.code, automatic: p.automatic, amount: p.amount.amountMinor })),
    promotions_not_applied: c.promotionsNotApplied.map((p) => ({ promotion_id: p.promotionId, code: p.code, reason: p.reason })),
    shipments: c.shipments.map((x) => restShipment(x, c.currency)),
    blockers: c.blockers.map(restBlocker),
    providers: c.providers.map((p) => ({ concern: p.concern, source: p.source.toLowerCase(), fallback_used: p.fallbackUsed, failure: p.failure })),
    rounding: c.rounding,
  };
}
