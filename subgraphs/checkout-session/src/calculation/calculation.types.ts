// The calculation engine's input and output shapes (a leaf module: the tax, shipping and
// promotion folders import these; nothing here imports them). Amounts in the output are integer
// minor units of `currency` (one currency per calculation); the engine computes them with
// shared/src/money and only writes the integers out.
import type { CheckoutPricingConfig } from '@handoff/shared';

export interface CalculationLineInput {
  /** The caller's stable id for the line (a line item id); `L1`, `L2`, … by position when absent. */
  id?: string;
  name: string;
  /** Price of one unit in minor units: net of tax, or tax included when the merchant's prices include tax. */
  unitAmountMinor: number;
  quantity: number;
  offerId?: string | null;
  /** The tax category; the merchant's `defaultCategory` when absent. */
  taxCategory?: string | null;
  /** Physical goods need a shipping selection (or pickup); false for digital goods and services. Default true. */
  requiresShipping?: boolean;
  /** Where the line ships from; one default location when absent. Groups lines in the split-shipment plan. */
  fulfilmentLocationId?: string | null;
}

/** Where the goods go (the shipping address), as far as pricing needs it. */
export interface DestinationInput {
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** State/province/region, compared case-insensitively with the merchant's regions. */
  region?: string | null;
  postalCode?: string | null;
}

export type ShippingSelectionInput = { kind: 'SHIPPING'; optionId: string } | { kind: 'PICKUP'; locationId: string };

/** Redemptions counted by checkout-session's promotion ledger (promotion.redemption.ts). */
export interface PromotionUsage {
  /** Uses taken by all sessions. */
  used: number;
  /** Uses taken by this calculation's customer (0 without a customer key). */
  byCustomer: number;
}

export interface CalculationInput {
  currency: string;
  lines: CalculationLineInput[];
  destination: DestinationInput | null;
  selection: ShippingSelectionInput | null;
  /** Codes the buyer applied, as typed (matched case-insensitively). */
  promotionCodes: string[];
  /** Who the buyer is for per-customer limits (customer id or normalized email); null for an anonymous buyer. */
  customerKey: string | null;
  config: CheckoutPricingConfig;
  /** promotion id → its counts; a promotion absent here has no uses yet. */
  usage: Record<string, PromotionUsage>;
  /** ISO 8601 instant the calculation is made at: promotion windows and delivery dates are evaluated at it. */
  at: string;
  /** Add estimated delivery dates (business days, weekends skipped) to the shipping options. */
  includeDeliveryDates?: boolean;
  /** The payment method the buyer chose and those the merchant's PSP takes, when known. */
  payment?: { method: string; supported: string[] } | null;
}

export type BlockerCode =
  | 'inventory_shortfall'
  | 'tax_mismatch'
  | 'promotion_invalid'
  | 'address_invalid'
  | 'shipping_not_selected'
  | 'payment_method_not_supported';

export interface Blocker {
  code: BlockerCode;
  message: string;
  /** For promotion_invalid: the code as applied, and why (unknown, expired, not_started, exhausted, below_minimum, customer_limit, currency). */
  promotionCode?: string;
  reason?: string;
  /** For inventory_shortfall: the line. */
  lineId?: string;
}

export interface LineAdjustment {
  promotionId: string;
  code: string | null;
  amountMinor: number;
}

export interface CalculatedLine {
  id: string;
  name: string;
  offerId: string | null;
  quantity: number;
  unitAmountMinor: number;
  /** unit × quantity. */
  baseMinor: number;
  adjustments: LineAdjustment[];
  /** Sum of the adjustments. */
  discountMinor: number;
  taxCategory: string;
  /** This line's tax (added on top, or included when `taxInclusive`). */
  taxMinor: number;
  taxInclusive: boolean;
  /** What the buyer pays for the line: base − discount (+ tax when exclusive). */
  totalMinor: number;
  requiresShipping: boolean;
  fulfilmentLocationId: string;
}

export interface AppliedPromotion {
  promotionId: string;
  code: string | null;
  automatic: boolean;
  stacking: 'STACKABLE' | 'EXCLUSIVE';
  amountMinor: number;
  /** As configured when calculated: what redemption enforces. null: unlimited. */
  usageLimit: number | null;
  perCustomerLimit: number | null;
}

export interface PromotionNotApplied {
  promotionId: string | null;
  code: string | null;
  reason: string;
}

export interface TaxLine {
  target: 'LINE' | 'SHIPPING';
  /** The line's id for target LINE. */
  lineId: string | null;
  country: string | null;
  region: string | null;
  category: string | null;
  /** null when an HTTP tax provider did not say. */
  basisPoints: number | null;
  /** The amount taxed: the line after discounts (tax included when `inclusive`), or the shipping amount. */
  taxableBaseMinor: number;
  amountMinor: number;
  inclusive: boolean;
  /** The exact tax before rounding, in minor units as a decimal ("1234.5"), for the built-in provider. */
  unroundedMinor: string | null;
}

export interface DeliveryEstimate {
  minDays: number;
  maxDays: number;
  /** YYYY-MM-DD, business days counted from the calculation date, weekends skipped; only when asked. */
  earliestDate?: string;
  latestDate?: string;
}

export interface ShippingOption {
  id: string;
  label: string;
  carrier: string | null;
  serviceCode: string | null;
  amountMinor: number;
  /** True when the rate's free-over threshold made it free. */
  free: boolean;
  deliveryEstimate: DeliveryEstimate | null;
}

export interface PickupOption {
  id: string;
  name: string;
  country: string;
  region: string | null;
  postalCode: string | null;
}

export interface SelectedShipping {
  kind: 'SHIPPING' | 'PICKUP';
  /** The shipping option id, or the pickup location id. */
  id: string;
  label: string;
  amountMinor: number;
  taxMinor: number;
  deliveryEstimate: DeliveryEstimate | null;
}

export interface Shipment {
  fulfilmentLocationId: string;
  lineIds: string[];
  subTotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  shippingMinor: number;
  shippingTaxMinor: number;
  totalMinor: number;
}

export interface Totals {
  currency: string;
  subTotal: number;
  discountTotal: number;
  /** Tax added on top of the prices; 0 when the merchant's prices include tax. */
  taxTotal: number;
  shippingTotal: number;
  /** subTotal − discountTotal + taxTotal + shippingTotal, always. */
  grandTotal: number;
  /** Tax already contained in subTotal − discountTotal + shippingTotal (prices including tax); 0 otherwise. */
  includedTaxTotal: number;
}

export type ProviderConcern = 'tax' | 'shipping' | 'promotions' | 'inventory';

export interface ProviderUse {
  concern: ProviderConcern;
  source: 'BUILT_IN' | 'HTTP';
  /** True when the HTTP provider failed and the built-in result was used (its fallback is BUILT_IN). */
  fallbackUsed: boolean;
  /** Why the HTTP provider failed (timeout, status 500, invalid answer …) when fallbackUsed. */
  failure: string | null;
}

export interface Calculation {
  /** SHA-256 (hex) of the canonical input (secrets left out): equal inputs, equal fingerprints, equal results. */
  fingerprint: string;
  calculatedAt: string;
  currency: string;
  pricesIncludeTax: boolean;
  lines: CalculatedLine[];
  promotions: AppliedPromotion[];
  promotionsNotApplied: PromotionNotApplied[];
  taxLines: TaxLine[];
  shippingOptions: ShippingOption[];
  pickupOptions: PickupOption[];
  shipping: SelectedShipping | null;
  shipments: Shipment[];
  totals: Totals;
  blockers: Blocker[];
  providers: ProviderUse[];
  /** How amounts were rounded, in words. */
  rounding: string;
}

export const ROUNDING_EXPLANATION =
  'Per line: each line\'s tax is its taxable base × rate, rounded half-up to a whole minor unit (prices including tax: ' +
  'the net is base × 10000 / (10000 + rate) rounded half-up, the tax is base − net). A percentage promotion is rounded ' +
  'half-up once on the eligible subtotal; every order-level amount (a promotion, the shipping charge and its tax across ' +
  'shipments) is split across lines by the largest-remainder method, so lines always sum to the totals exactly.';
