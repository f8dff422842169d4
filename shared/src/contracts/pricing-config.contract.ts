// The one internal call checkout-session makes to price a session: the merchant subgraph's
// `checkoutPricingConfig(merchantId)` (SERVICE principal only, @inaccessible). Written once
// here: the merchant subgraph answers exactly this document, checkout-session's calculation
// engine sends it and reads the result as CheckoutPricingConfig.
//
// Every amount is integer minor units in the merchant's currency (`currency` below): the
// merchant subgraph refuses configuration in any other currency. Countries are ISO 3166-1
// alpha-2, upper case. Regions are compared case-insensitively with an address's `state`.
import { CHECKOUT_RULES_SELECTION, type CheckoutRulesConfig } from './checkout-settings.contract.js';

/** Money as the internal call carries it: integer minor units and an ISO 4217 code. */
export interface PricingMoney {
  amountMinor: number;
  currency: string;
}

// ── Shipping ────────────────────────────────────────────────────────────────────────────────

/** FLAT: `amount` once per order. PER_ITEM: `amount` × the total quantity of the order's lines. */
export type ShippingRateKind = 'FLAT' | 'PER_ITEM';

export interface ShippingRateConfig {
  /** Stable id of the option (the merchant's, or generated at setShippingConfig); unique within the merchant's config. */
  id: string;
  label: string;
  kind: ShippingRateKind;
  amount: PricingMoney;
  /** Free when the order's subtotal after discounts (before tax and shipping) is at least this; null: never free. */
  freeOver: PricingMoney | null;
  carrier: string | null;
  serviceCode: string | null;
  /** Delivery estimate in business days; both null when the merchant gives none, minDays ≤ maxDays. */
  minDays: number | null;
  maxDays: number | null;
}

export interface ShippingRegionConfig {
  country: string;
  region: string;
}

/**
 * Where a zone ships: whole `countries`, and/or `regions` within a country. An address
 * matches the zone whose region matches it first, else the zone listing its whole country;
 * an address no zone matches has no shipping options (pickup only).
 */
export interface ShippingZoneConfig {
  id: string;
  name: string;
  countries: string[];
  regions: ShippingRegionConfig[];
  rates: ShippingRateConfig[];
}

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

export interface OpeningHoursConfig {
  day: Weekday;
  /** "HH:MM", 24-hour, local time at the location; opens < closes. */
  opens: string;
  closes: string;
}

export interface PickupAddressConfig {
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
}

/** Store pickup: free, offered whatever the shipping address. */
export interface PickupLocationConfig {
  id: string;
  name: string;
  address: PickupAddressConfig;
  openingHours: OpeningHoursConfig[];
}

export interface ShippingPricingConfig {
  zones: ShippingZoneConfig[];
  pickupLocations: PickupLocationConfig[];
}

// ── Tax ─────────────────────────────────────────────────────────────────────────────────────

export interface TaxRateConfig {
  country: string;
  /** null: the whole country; a region rate wins over the country's for an address in it. */
  region: string | null;
  /** Always set here: a rate given without a category is stored under `defaultCategory`. */
  category: string;
  /** 0..10000 (2000 = 20 %). */
  basisPoints: number;
}

export interface TaxPricingConfig {
  /** true: offer and line amounts already include tax (extract it); false: tax is added on top. */
  pricesIncludeTax: boolean;
  /** The category of a line whose offer has no taxCategory (and of lines with none given). */
  defaultCategory: string;
  /** No rate for (country[, region], category): that line is taxed at 0. */
  rates: TaxRateConfig[];
}

// ── Promotions ──────────────────────────────────────────────────────────────────────────────

export type PromotionScope = 'ORDER' | 'OFFERS';
export type PromotionStacking = 'STACKABLE' | 'EXCLUSIVE';

/**
 * A promotion as stored. The list holds only those that are active and not yet ended at the
 * time of the call; the engine checks `startsAt`/`endsAt` against its own calculation time and
 * counts redemptions against `usageLimit`/`perCustomerLimit` itself (checkout-session counts them).
 */
export interface PromotionConfig {
  id: string;
  /** Upper-cased as stored; matching a buyer's code is case-insensitive. null for automatic promotions. */
  code: string | null;
  /** true: applies without a code when its conditions hold. Exactly one of code / automatic. */
  automatic: boolean;
  /** Exactly one of percentOffBasisPoints (1..10000) and amountOff. */
  percentOffBasisPoints: number | null;
  amountOff: PricingMoney | null;
  /** ORDER: off the order subtotal; OFFERS: off the lines whose offerId is in offerIds. */
  scope: PromotionScope;
  offerIds: string[];
  /** The order subtotal (before discounts) must be at least this; null: no minimum. */
  minSubtotal: PricingMoney | null;
  /** ISO 8601; null: no bound. */
  startsAt: string | null;
  endsAt: string | null;
  /** null: unlimited. */
  usageLimit: number | null;
  perCustomerLimit: number | null;
  /** EXCLUSIVE: applies alone (never with another promotion); STACKABLE: with other stackable ones. */
  stacking: PromotionStacking;
}

// ── Providers ───────────────────────────────────────────────────────────────────────────────

export type PricingConcern = 'TAX' | 'SHIPPING' | 'PROMOTIONS' | 'INVENTORY';
export type PricingProviderKind = 'BUILT_IN' | 'HTTP';
/** What the engine does when an HTTP provider fails or times out: use the built-in one, or fail the calculation. */
export type PricingProviderFallback = 'BUILT_IN' | 'FAIL';

/**
 * BUILT_IN: the configuration above. HTTP: POST to `endpointUrl`, signed with `signingSecret`
 * as Handoff signs its webhooks (`Handoff-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<raw body>")>`), abandoned after `timeoutMs`, then `fallback`. The HTTP fields are null
 * for BUILT_IN.
 */
export interface PricingProviderConfig {
  concern: PricingConcern;
  kind: PricingProviderKind;
  endpointUrl: string | null;
  /** Decrypted: for checkout-session's HTTP provider only. Never log it. */
  signingSecret: string | null;
  /** 100..30000 for HTTP. */
  timeoutMs: number | null;
  fallback: PricingProviderFallback | null;
}

export interface PricingProvidersConfig {
  tax: PricingProviderConfig;
  shipping: PricingProviderConfig;
  promotions: PricingProviderConfig;
  /** Who keeps stock for inventory reservations (checkout-session's reservation/); absent: BUILT_IN. */
  inventory?: PricingProviderConfig;
}

// ── The whole answer ────────────────────────────────────────────────────────────────────────

/** Everything a calculation needs from the merchant subgraph, in one call. Unconfigured parts are empty, never null. */
export interface CheckoutPricingConfig {
  merchantId: string;
  /** The merchant's currency: every amount above is in it. */
  currency: string;
  shipping: ShippingPricingConfig;
  tax: TaxPricingConfig;
  promotions: PromotionConfig[];
  providers: PricingProvidersConfig;
  /**
   * The merchant's checkout settings, capabilities and transaction limits
   * (checkout-settings.contract.ts); absent (a caller that builds a configuration by hand): the defaults.
   */
  checkout?: CheckoutRulesConfig;
}

/** `null` when the merchant does not exist. */
export interface CheckoutPricingConfigResult {
  checkoutPricingConfig: CheckoutPricingConfig | null;
}

const MONEY = '{ amountMinor currency }';
const PROVIDER = '{ concern kind endpointUrl signingSecret timeoutMs fallback }';

/** The internal operation, exactly as checkout-session sends it (variables: { merchantId }). */
export const CHECKOUT_PRICING_CONFIG_QUERY = `query CheckoutPricingConfig($merchantId: ID!) {
  checkoutPricingConfig(merchantId: $merchantId) {
    merchantId
    currency
    shipping {
      zones {
        id name countries regions { country region }
        rates { id label kind amount ${MONEY} freeOver ${MONEY} carrier serviceCode minDays maxDays }
      }
      pickupLocations {
        id name
        address { line1 line2 city state postalCode country }
        openingHours { day opens closes }
      }
    }
    tax { pricesIncludeTax defaultCategory rates { country region category basisPoints } }
    promotions {
      id code automatic percentOffBasisPoints amountOff ${MONEY} scope offerIds minSubtotal ${MONEY}
      startsAt endsAt usageLimit perCustomerLimit stacking
    }
    providers { tax ${PROVIDER} shipping ${PROVIDER} promotions ${PROVIDER} inventory ${PROVIDER} }
    ${CHECKOUT_RULES_SELECTION}
  }
}`;

// ── The configuration's version (for checkout-session's cache) ─────────────────────────────

/**
 * The Redis key holding a merchant's pricing-configuration version: an opaque token the merchant
 * subgraph replaces (SET) after every committed change to anything `checkoutPricingConfig`
 * answers (shipping, tax, promotions, providers, checkout settings, capabilities and limits),
 * before it answers the change. checkout-session keeps a merchant's configuration with the
 * token it read before fetching it and uses it only while the key still holds that token, so a
 * calculation that starts after a change was answered never prices with the old configuration.
 * A missing key (never set, or Redis flushed) is set to a new token by the reader (SET NX);
 * Redis is not the record: losing the key costs one fetch.
 */
export const pricingConfigVersionKey = (queuePrefix: string, merchantId: string) => `${queuePrefix}:pricing-config-version:${merchantId}`;
