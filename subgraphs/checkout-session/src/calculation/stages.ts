// What each stage of a calculation (promotions → shipping → tax) is asked and answers: the
// contract between the engine and its providers, built-in or HTTP. A leaf module.
import type { CheckoutPricingConfig, Money } from '@handoff/shared';
import type {
  AppliedPromotion,
  Blocker,
  LineAdjustment,
  PromotionNotApplied,
  PromotionUsage,
  ShippingOption,
  TaxLine,
} from './calculation.types.js';

/** A line after input checks: amounts as Money in the calculation's currency. */
export interface PricedLine {
  id: string;
  name: string;
  offerId: string | null;
  quantity: number;
  unit: Money;
  /** unit × quantity */
  base: Money;
  taxCategory: string;
  requiresShipping: boolean;
  fulfilmentLocationId: string;
}

/** An address as pricing uses it: country upper-case, region and postal code trimmed. */
export interface PricingAddress {
  country: string;
  region: string | null;
  postalCode: string | null;
}

export interface PromotionStageRequest {
  merchantId: string;
  currency: string;
  at: string;
  lines: PricedLine[];
  subTotal: Money;
  /** Upper-cased, trimmed, without duplicates, in the order applied. */
  codes: string[];
  customerKey: string | null;
  config: CheckoutPricingConfig;
  usage: Record<string, PromotionUsage>;
}

export interface PromotionStageResult {
  applied: AppliedPromotion[];
  /** line id → its adjustments, in the order of `applied`. */
  adjustments: Record<string, LineAdjustment[]>;
  notApplied: PromotionNotApplied[];
  /** promotion_invalid blockers for the buyer's codes that cannot apply. */
  blockers: Blocker[];
}

export interface DiscountedLine extends PricedLine {
  discount: Money;
  /** base − discount */
  net: Money;
}

export interface ShippingStageRequest {
  merchantId: string;
  currency: string;
  at: string;
  destination: PricingAddress | null;
  lines: DiscountedLine[];
  /** Σ (base − discount) over every line: what free-over thresholds compare against. */
  discountedSubTotal: Money;
  config: CheckoutPricingConfig;
  includeDeliveryDates: boolean;
}

export interface ShippingStageResult {
  options: ShippingOption[];
}

export interface TaxStageRequest {
  merchantId: string;
  currency: string;
  pricesIncludeTax: boolean;
  /** The shipping address, or the pickup location's; null: no tax can be located. */
  address: PricingAddress | null;
  lines: DiscountedLine[];
  /** The selected shipping charge, when there is one to tax. */
  shipping: { id: string; amount: Money } | null;
  config: CheckoutPricingConfig;
}

export interface TaxStageResult {
  /** One per line (target LINE, in line order), then one for shipping when it was asked for. */
  taxLines: TaxLine[];
}
