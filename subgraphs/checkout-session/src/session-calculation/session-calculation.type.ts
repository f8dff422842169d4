// The GraphQL face of a checkout session's calculation (the stored snapshot the totals come
// from) and of a validation pass. Every amount is Money in the session's currency, built from
// the snapshot's integer minor units; lines always add up to the totals (calculation.assemble.ts).
import { money, MoneyType, toMoneyType } from '@handoff/shared';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Blocker, Calculation, DeliveryEstimate, SelectedShipping, Shipment } from '../calculation/index.js';
import type { StoredCalculation } from '../calculation/index.js';

export enum CheckoutShippingKind {
  SHIPPING = 'SHIPPING',
  PICKUP = 'PICKUP',
}
registerEnumType(CheckoutShippingKind, { name: 'CheckoutShippingKind', description: 'Delivery by a shipping option, or store pickup.' });

@ObjectType('CheckoutBlocker', { description: 'Something that stops the session from being paid as it is.' })
export class CheckoutBlocker {
  @Field({ description: 'inventory_shortfall, tax_mismatch, promotion_invalid, address_invalid, shipping_not_selected, payment_method_not_supported.' })
  code: string;
  @Field() message: string;
  @Field(() => String, { nullable: true, description: 'promotion_invalid: the code as applied.' }) promotionCode: string | null;
  @Field(() => String, { nullable: true, description: 'promotion_invalid: unknown, expired, not_started, exhausted, below_minimum, customer_limit, customer_required, currency, not_applicable.' })
  reason: string | null;
  @Field(() => String, { nullable: true, description: 'inventory_shortfall: the line (line_<n>).' }) lineId: string | null;
}

@ObjectType('CheckoutValidation', { description: 'A validation-only pass over the session as it is now: nothing is written.' })
export class CheckoutValidation {
  @Field() valid: boolean;
  @Field(() => [CheckoutBlocker]) blockers: CheckoutBlocker[];
}

@ObjectType('CheckoutDeliveryEstimate', { description: 'In business days (Monday to Friday, UTC); dates only when asked for.' })
export class CheckoutDeliveryEstimate {
  @Field(() => Int) minDays: number;
  @Field(() => Int) maxDays: number;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' }) earliestDate: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' }) latestDate: string | null;
}

@ObjectType('CheckoutLineAdjustment', { description: "A promotion's share of a line." })
export class CheckoutLineAdjustment {
  @Field(() => ID) promotionId: string;
  @Field(() => String, { nullable: true }) code: string | null;
  @Field(() => MoneyType) amount: MoneyType;
}

@ObjectType('CheckoutCalculationLine')
export class CheckoutCalculationLine {
  @Field(() => ID, { description: 'line_<n>, n the line item’s position from 1.' }) id: string;
  @Field() name: string;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field(() => Int) quantity: number;
  @Field(() => MoneyType) unitAmount: MoneyType;
  @Field(() => MoneyType, { description: 'unitAmount × quantity.' }) base: MoneyType;
  @Field(() => MoneyType, { description: 'The sum of the adjustments.' }) discount: MoneyType;
  @Field(() => [CheckoutLineAdjustment]) adjustments: CheckoutLineAdjustment[];
  @Field() taxCategory: string;
  @Field(() => MoneyType, { description: 'Added on top, or contained in the price when taxInclusive.' }) tax: MoneyType;
  @Field() taxInclusive: boolean;
  @Field(() => MoneyType, { description: 'base − discount (+ tax when not inclusive).' }) total: MoneyType;
  @Field(() => ID) fulfilmentLocationId: string;
}

@ObjectType('CheckoutTaxLine')
export class CheckoutTaxLine {
  @Field({ description: 'LINE or SHIPPING.' }) target: string;
  @Field(() => ID, { nullable: true }) lineId: string | null;
  @Field(() => String, { nullable: true }) country: string | null;
  @Field(() => String, { nullable: true }) region: string | null;
  @Field(() => String, { nullable: true }) category: string | null;
  @Field(() => Int, { nullable: true, description: '2000 = 20 %; null when an HTTP tax provider did not say.' }) basisPoints: number | null;
  @Field(() => MoneyType) taxableBase: MoneyType;
  @Field(() => MoneyType) amount: MoneyType;
  @Field() inclusive: boolean;
}

@ObjectType('CheckoutCalculatedShipping', { description: 'The shipping option or pickup location the calculation charged.' })
export class CheckoutCalculatedShipping {
  @Field(() => CheckoutShippingKind) kind: CheckoutShippingKind;
  @Field(() => ID) id: string;
  @Field() label: string;
  @Field(() => MoneyType) amount: MoneyType;
  @Field(() => MoneyType) tax: MoneyType;
  @Field(() => CheckoutDeliveryEstimate, { nullable: true }) deliveryEstimate: CheckoutDeliveryEstimate | null;
}

@ObjectType('CheckoutAppliedPromotion')
export class CheckoutAppliedPromotion {
  @Field(() => ID) promotionId: string;
  @Field(() => String, { nullable: true, description: 'Null for an automatic promotion.' }) code: string | null;
  @Field() automatic: boolean;
  @Field(() => MoneyType) amount: MoneyType;
}

@ObjectType('CheckoutPromotionNotApplied')
export class CheckoutPromotionNotApplied {
  @Field(() => ID, { nullable: true }) promotionId: string | null;
  @Field(() => String, { nullable: true }) code: string | null;
  @Field({ description: 'As CheckoutBlocker.reason, or not_combinable.' }) reason: string;
}

@ObjectType('CheckoutShipment', { description: 'One shipment of a plan: the lines shipped together and their share of the totals.' })
export class CheckoutShipment {
  @Field(() => ID) fulfilmentLocationId: string;
  @Field(() => [ID]) lineIds: string[];
  @Field(() => MoneyType) subTotal: MoneyType;
  @Field(() => MoneyType) discount: MoneyType;
  @Field(() => MoneyType) tax: MoneyType;
  @Field(() => MoneyType) shipping: MoneyType;
  @Field(() => MoneyType) shippingTax: MoneyType;
  @Field(() => MoneyType) total: MoneyType;
}

@ObjectType('CheckoutCalculationTotals', { description: 'grandTotal = subTotal − discountTotal + taxTotal + shippingTotal, always.' })
export class CheckoutCalculationTotals {
  @Field(() => MoneyType) subTotal: MoneyType;
  @Field(() => MoneyType) discountTotal: MoneyType;
  @Field(() => MoneyType, { description: 'Tax added on top; zero when the merchant’s prices include tax.' }) taxTotal: MoneyType;
  @Field(() => MoneyType) shippingTotal: MoneyType;
  @Field(() => MoneyType) grandTotal: MoneyType;
  @Field(() => MoneyType, { description: 'Tax contained in the prices (prices including tax); zero otherwise.' }) includedTaxTotal: MoneyType;
}

@ObjectType('CheckoutPricingProviderUse', { description: 'Who answered a pricing concern, and whether the fallback was used.' })
export class CheckoutPricingProviderUse {
  @Field({ description: 'tax, shipping or promotions.' }) concern: string;
  @Field({ description: 'BUILT_IN or HTTP.' }) source: string;
  @Field() fallbackUsed: boolean;
  @Field(() => String, { nullable: true, description: 'Why the HTTP provider failed, when fallbackUsed.' }) failure: string | null;
}

@ObjectType('CheckoutCalculation', { description: 'An authoritative calculation of a checkout session: one snapshot, stored, never changed.' })
export class CheckoutCalculation {
  @Field(() => ID, { description: 'calc_…' }) id: string;
  @Field(() => Date) calculatedAt: Date;
  @Field() currency: string;
  @Field() pricesIncludeTax: boolean;
  @Field(() => [CheckoutCalculationLine]) lines: CheckoutCalculationLine[];
  @Field(() => [CheckoutTaxLine]) taxLines: CheckoutTaxLine[];
  @Field(() => CheckoutCalculatedShipping, { nullable: true }) shipping: CheckoutCalculatedShipping | null;
  @Field(() => [CheckoutAppliedPromotion]) promotions: CheckoutAppliedPromotion[];
  @Field(() => [CheckoutPromotionNotApplied]) promotionsNotApplied: CheckoutPromotionNotApplied[];
  @Field(() => [CheckoutShipment], { description: 'The shipment plan: lines grouped by fulfilment location, each with its totals.' }) shipments: CheckoutShipment[];
  @Field(() => CheckoutCalculationTotals) totals: CheckoutCalculationTotals;
  @Field(() => [CheckoutBlocker], { description: 'What stood in the way of paying when it was calculated.' }) blockers: CheckoutBlocker[];
  @Field(() => [CheckoutPricingProviderUse]) providers: CheckoutPricingProviderUse[];
  @Field({ description: 'How amounts were rounded, in words.' }) rounding: string;
}

// ── Mapping from the engine's shapes ──────────────────────────────────────────────────────────

export const blockerOf = (b: Blocker): CheckoutBlocker => ({
  code: b.code,
  message: b.message,
  promotionCode: b.promotionCode ?? null,
  reason: b.reason ?? null,
  lineId: b.lineId ?? null,
});

export const deliveryEstimateOf = (d: DeliveryEstimate | null): CheckoutDeliveryEstimate | null =>
  d ? { minDays: d.minDays, maxDays: d.maxDays, earliestDate: d.earliestDate ?? null, latestDate: d.latestDate ?? null } : null;

export function shippingOf(s: SelectedShipping | null, m: (minor: number) => MoneyType): CheckoutCalculatedShipping | null {
  if (!s) return null;
  return {
    kind: s.kind as CheckoutShippingKind,
    id: s.id,
    label: s.label,
    amount: m(s.amountMinor),
    tax: m(s.taxMinor),
    deliveryEstimate: deliveryEstimateOf(s.deliveryEstimate),
  };
}

export function shipmentOf(s: Shipment, m: (minor: number) => MoneyType): CheckoutShipment {
  return {
    fulfilmentLocationId: s.fulfilmentLocationId,
    lineIds: s.lineIds,
    subTotal: m(s.subTotalMinor),
    discount: m(s.discountMinor),
    tax: m(s.taxMinor),
    shipping: m(s.shippingMinor),
    shippingTax: m(s.shippingTaxMinor),
    total: m(s.totalMinor),
  };
}

export function calculationOf(stored: StoredCalculation): CheckoutCalculation {
  const c: Calculation = stored.calculation;
  const m = (minor: number) => toMoneyType(money(minor, c.currency));
  return {
    id: stored.id,
    calculatedAt: stored.calculatedAt,
    currency: c.currency,
    pricesIncludeTax: c.pricesIncludeTax,
    lines: c.lines.map((l) => ({
      id: l.id,
      name: l.name,
      offerId: l.offerId,
      quantity: l.quantity,
      unitAmount: m(l.unitAmountMinor),
      base: m(l.baseMinor),
      discount: m(l.discountMinor),
      adjustments: l.adjustments.map((a) => ({ promotionId: a.promotionId, code: a.code, amount: m(a.amountMinor) })),
      taxCategory: l.taxCategory,
      tax: m(l.taxMinor),
      taxInclusive: l.taxInclusive,
      total: m(l.totalMinor),
      fulfilmentLocationId: l.fulfilmentLocationId,
    })),
    taxLines: c.taxLines.map((t) => ({
      target: t.target,
      lineId: t.lineId,
      country: t.country,
      region: t.region,
      category: t.category,
      basisPoints: t.basisPoints,
      taxableBase: m(t.taxableBaseMinor),
      amount: m(t.amountMinor),
      inclusive: t.inclusive,
    })),
    shipping: shippingOf(c.shipping, m),
    promotions: c.promotions.map((p) => ({ promotionId: p.promotionId, code: p.code, automatic: p.automatic, amount: m(p.amountMinor) })),
    promotionsNotApplied: c.promotionsNotApplied.map((p) => ({ promotionId: p.promotionId, code: p.code, reason: p.reason })),
    shipments: c.shipments.map((s) => shipmentOf(s, m)),
    totals: {
      subTotal: m(c.totals.subTotal),
      discountTotal: m(c.totals.discountTotal),
      taxTotal: m(c.totals.taxTotal),
      shippingTotal: m(c.totals.shippingTotal),
      grandTotal: m(c.totals.grandTotal),
      includedTaxTotal: m(c.totals.includedTaxTotal),
    },
    blockers: c.blockers.map(blockerOf),
    providers: c.providers.map((p) => ({ concern: p.concern, source: p.source, fallbackUsed: p.fallbackUsed, failure: p.failure })),
    rounding: c.rounding,
  };
}
