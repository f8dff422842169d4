// A merchant's checkout settings, capabilities and transaction limits (seed 003 §17), as the
// merchant subgraph stores them and checkout-session enforces them. They travel in the one
// internal call checkout-session already makes, `checkoutPricingConfig(merchantId)`
// (pricing-config.contract.ts, its `checkout` part), so they are kept and refreshed with the
// pricing configuration: the merchant subgraph replaces the configuration's version token after
// every committed change of these too, and the next payment or calculation reads the change.
//
// Written once here: the merchant subgraph answers these shapes, checkout-session reads them and
// applies the rules below (allowedPaymentMethodsFor, the defaults).

/** Money as the internal call carries it (the pricing contract's PricingMoney). */
export interface CheckoutRulesMoney {
  amountMinor: number;
  currency: string;
}

export type DefaultCaptureMode = 'AUTOMATIC' | 'MANUAL';

/**
 * Payment method types a merchant may allow (Stripe's names). Handoff's PSPs take `card` today;
 * the others may be listed ahead of their support, and restrict nothing until a session pays with them.
 */
export const PAYMENT_METHOD_TYPES = [
  'card', 'apple_pay', 'google_pay', 'link', 'paypal', 'klarna', 'afterpay_clearpay', 'affirm', 'ideal', 'bancontact', 'eps', 'giropay',
  'sofort', 'p24', 'sepa_debit', 'bacs_debit', 'us_bank_account', 'alipay', 'wechat_pay', 'gift_card',
] as const;
export type PaymentMethodType = (typeof PAYMENT_METHOD_TYPES)[number];

/** The buy-now-pay-later methods: paying in instalments, which the merchant's `installments` capability gates. */
export const INSTALLMENT_PAYMENT_METHODS: readonly PaymentMethodType[] = ['klarna', 'afterpay_clearpay', 'affirm'];

/** The method a checkout session pays with: every session pays by card today. */
export const CHECKOUT_PAYMENT_METHOD: PaymentMethodType = 'card';

/** `country` ISO 3166-1 alpha-2 upper case, or `*` for every country not listed. */
export interface PaymentMethodsRule {
  country: string;
  methods: string[];
}

export interface CheckoutBrandingConfig {
  /** Shown on the hosted page instead of the merchant's name; null: the merchant's name. */
  displayName: string | null;
  /** `#rrggbb` (lower case): the hosted page's accent colour; null: Handoff's. */
  accentColor: string | null;
  /** An https URL of the merchant's logo, for the merchant's own surfaces (the hosted page loads nothing from third parties). */
  logoUrl: string | null;
}

export interface CheckoutSettingsConfig {
  /** The capture mode of a new checkout session that does not give one. */
  defaultCaptureMode: DefaultCaptureMode;
  /** Confirmation attempts a session may make before it is refused (PAYMENT_ATTEMPTS_EXCEEDED); null: no limit. */
  maxPaymentAttempts: number | null;
  /** Inventory holds (reservations): the TTL when a reservation does not give one, and the longest one may ask. */
  reservationTtlDefaultSeconds: number;
  reservationTtlMaxSeconds: number;
  /** Which methods pay for which billing (else shipping) country; empty: every method everywhere. */
  allowedPaymentMethods: PaymentMethodsRule[];
  branding: CheckoutBrandingConfig;
}

/** Features an ADMIN enables for a merchant (tenant); the merchant reads them. */
export interface CheckoutCapabilitiesConfig {
  threeDSecure: boolean;
  hostedPages: boolean;
  splitPayments: boolean;
  installments: boolean;
  giftCards: boolean;
}

/**
 * Limits enforced when a session commits to paying (beginCheckoutPayment), each null when not
 * set. Amount limits are in one currency (the merchant's, when set) and apply to payments in it.
 */
export interface TransactionLimitsConfig {
  /** The most one payment may be. */
  maxAmountPerPayment: CheckoutRulesMoney | null;
  /** The most the merchant's payments may add up to in one UTC day (committed and not failed, this one included). */
  maxAmountPerDay: CheckoutRulesMoney | null;
  /** How many sessions with one customer email may commit to paying within an hour (a session without an email is not counted). */
  maxPaymentsPerEmailPerHour: number | null;
}

/** The `checkout` part of checkoutPricingConfig. */
export interface CheckoutRulesConfig {
  settings: CheckoutSettingsConfig;
  capabilities: CheckoutCapabilitiesConfig;
  limits: TransactionLimitsConfig;
}

export const DEFAULT_RESERVATION_TTL_SECONDS = 900;
export const DEFAULT_RESERVATION_TTL_MAX_SECONDS = 3600;

export const DEFAULT_CHECKOUT_SETTINGS: Readonly<CheckoutSettingsConfig> = Object.freeze({
  defaultCaptureMode: 'AUTOMATIC',
  maxPaymentAttempts: null,
  reservationTtlDefaultSeconds: DEFAULT_RESERVATION_TTL_SECONDS,
  reservationTtlMaxSeconds: DEFAULT_RESERVATION_TTL_MAX_SECONDS,
  allowedPaymentMethods: [],
  branding: { displayName: null, accentColor: null, logoUrl: null },
});

/** What Handoff does for every merchant until an admin says otherwise: 3-D Secure, hosted pages and split shipments exist; installments and gift cards do not yet. */
export const DEFAULT_CHECKOUT_CAPABILITIES: Readonly<CheckoutCapabilitiesConfig> = Object.freeze({
  threeDSecure: true,
  hostedPages: true,
  splitPayments: true,
  installments: false,
  giftCards: false,
});

export const NO_TRANSACTION_LIMITS: Readonly<TransactionLimitsConfig> = Object.freeze({
  maxAmountPerPayment: null,
  maxAmountPerDay: null,
  maxPaymentsPerEmailPerHour: null,
});

export const DEFAULT_CHECKOUT_RULES: Readonly<CheckoutRulesConfig> = Object.freeze({
  settings: DEFAULT_CHECKOUT_SETTINGS,
  capabilities: DEFAULT_CHECKOUT_CAPABILITIES,
  limits: NO_TRANSACTION_LIMITS,
});

/**
 * The methods allowed for a buyer in `country` (null: no address yet): the country's rule, else
 * the `*` rule, else null (no restriction).
 */
export function allowedPaymentMethodsFor(rules: readonly PaymentMethodsRule[], country: string | null | undefined): string[] | null {
  const code = country?.toUpperCase() ?? null;
  const own = code ? rules.find((r) => r.country === code) : undefined;
  const fallback = rules.find((r) => r.country === '*');
  return (own ?? fallback)?.methods ?? null;
}

const MONEY = '{ amountMinor currency }';

/** The selection of the `checkout` part in CHECKOUT_PRICING_CONFIG_QUERY. */
export const CHECKOUT_RULES_SELECTION = `checkout {
      settings {
        defaultCaptureMode maxPaymentAttempts reservationTtlDefaultSeconds reservationTtlMaxSeconds
        allowedPaymentMethods { country methods }
        branding { displayName accentColor logoUrl }
      }
      capabilities { threeDSecure hostedPages splitPayments installments giftCards }
      limits { maxAmountPerPayment ${MONEY} maxAmountPerDay ${MONEY} maxPaymentsPerEmailPerHour }
    }`;
