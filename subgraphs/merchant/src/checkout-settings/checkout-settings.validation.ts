// What a merchant (or an admin) may send as its checkout settings, capabilities and transaction
// limits, and how a change is merged into what is stored. Pure. Every part is changed field by
// field (seed 003's PATCH): a field not given keeps its value, a field given as null goes back to
// its default. Each check throws BAD_USER_INPUT naming the field.
import {
  badUserInput,
  DEFAULT_CHECKOUT_CAPABILITIES,
  DEFAULT_CHECKOUT_SETTINGS,
  NO_TRANSACTION_LIMITS,
  PAYMENT_METHOD_TYPES,
  type CheckoutBrandingConfig,
  type CheckoutCapabilitiesConfig,
  type CheckoutSettingsConfig,
  type MoneyInput,
  type PaymentMethodsRule,
  type TransactionLimitsConfig,
} from '@handoff/shared';
import { boundedList, configAmount } from '../checkout-pricing/pricing.validation.js';
import { requiredText } from '../input.js';
import { normalizeCountry } from '../merchant/merchant.validation.js';

export const MAX_PAYMENT_ATTEMPTS = 100;
export const MIN_RESERVATION_TTL_SECONDS = 60;
export const MAX_RESERVATION_TTL_SECONDS = 7 * 86_400;
export const MAX_PAYMENT_METHOD_RULES = 250;
export const MAX_PAYMENTS_PER_EMAIL_PER_HOUR = 10_000;
const KNOWN_METHODS: ReadonlySet<string> = new Set(PAYMENT_METHOD_TYPES);
const ACCENT = /^#[0-9a-f]{6}$/;

export interface BrandingSpec {
  displayName?: string | null;
  accentColor?: string | null;
  logoUrl?: string | null;
}

export interface PaymentMethodsRuleSpec {
  country: string;
  methods: string[];
}

export interface CheckoutSettingsSpec {
  defaultCaptureMode?: string | null;
  maxPaymentAttempts?: number | null;
  reservationTtlDefaultSeconds?: number | null;
  reservationTtlMaxSeconds?: number | null;
  allowedPaymentMethods?: PaymentMethodsRuleSpec[] | null;
  branding?: BrandingSpec | null;
}

export type CapabilitiesSpec = { [K in keyof CheckoutCapabilitiesConfig]?: boolean | null };

export interface TransactionLimitsSpec {
  maxAmountPerPayment?: MoneyInput | null;
  maxAmountPerDay?: MoneyInput | null;
  maxPaymentsPerEmailPerHour?: number | null;
}

const given = (value: unknown) => value !== undefined;

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(field, `must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

function paymentMethodRules(value: PaymentMethodsRuleSpec[], field: string): PaymentMethodsRule[] {
  const seen = new Set<string>();
  return boundedList(value, field, MAX_PAYMENT_METHOD_RULES).map((rule, i) => {
    const at = `${field}[${i}]`;
    if (!rule || typeof rule !== 'object') throw badUserInput(at, 'is required.');
    const country = rule.country === '*' ? '*' : normalizeCountry(rule.country, `${at}.country`);
    if (seen.has(country)) throw badUserInput(`${at}.country`, `${country} is listed twice.`);
    seen.add(country);
    const methods = boundedList(rule.methods, `${at}.methods`, KNOWN_METHODS.size, 1).map((m, j) => {
      const method = typeof m === 'string' ? m.trim().toLowerCase() : '';
      if (!KNOWN_METHODS.has(method)) throw badUserInput(`${at}.methods[${j}]`, `must be one of ${PAYMENT_METHOD_TYPES.join(', ')}.`);
      return method;
    });
    return { country, methods: [...new Set(methods)] };
  });
}

/** An https URL without credentials, at most 2048 characters. */
export function httpsUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw badUserInput(field, 'is required.');
  if (value.length > 2048) throw badUserInput(field, 'must be at most 2048 characters.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badUserInput(field, 'must be an absolute https URL.');
  }
  if (url.protocol !== 'https:' || !url.hostname) throw badUserInput(field, 'must be an https URL.');
  if (url.username || url.password) throw badUserInput(field, 'must not contain credentials.');
  return url.toString();
}

function branding(current: CheckoutBrandingConfig, spec: BrandingSpec | null, field: string): CheckoutBrandingConfig {
  if (spec === null) return { ...DEFAULT_CHECKOUT_SETTINGS.branding };
  if (typeof spec !== 'object') throw badUserInput(field, 'must be an object.');
  const next = { ...current };
  if (given(spec.displayName)) next.displayName = spec.displayName === null ? null : requiredText(spec.displayName, `${field}.displayName`, 100);
  if (given(spec.accentColor)) {
    if (spec.accentColor === null) next.accentColor = null;
    else {
      const colour = typeof spec.accentColor === 'string' ? spec.accentColor.trim().toLowerCase() : '';
      if (!ACCENT.test(colour)) throw badUserInput(`${field}.accentColor`, 'must be a colour as #rrggbb (e.g. #1a73e8).');
      next.accentColor = colour;
    }
  }
  if (given(spec.logoUrl)) next.logoUrl = spec.logoUrl === null ? null : httpsUrl(spec.logoUrl, `${field}.logoUrl`);
  return next;
}

/** `current` with the change `input` asks for; BAD_USER_INPUT before anything is written. */
export function mergeCheckoutSettings(current: CheckoutSettingsConfig, input: CheckoutSettingsSpec): CheckoutSettingsConfig {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const d = DEFAULT_CHECKOUT_SETTINGS;
  const next: CheckoutSettingsConfig = { ...current, branding: { ...current.branding }, allowedPaymentMethods: [...current.allowedPaymentMethods] };
  if (given(input.defaultCaptureMode)) {
    const mode = input.defaultCaptureMode ?? d.defaultCaptureMode;
    if (mode !== 'AUTOMATIC' && mode !== 'MANUAL') throw badUserInput('input.defaultCaptureMode', 'must be AUTOMATIC or MANUAL.');
    next.defaultCaptureMode = mode;
  }
  if (given(input.maxPaymentAttempts)) {
    next.maxPaymentAttempts = input.maxPaymentAttempts === null ? null : wholeNumber(input.maxPaymentAttempts, 'input.maxPaymentAttempts', 1, MAX_PAYMENT_ATTEMPTS);
  }
  const ttl = (v: number | null | undefined, field: string, fallback: number) =>
    v === null ? fallback : wholeNumber(v, field, MIN_RESERVATION_TTL_SECONDS, MAX_RESERVATION_TTL_SECONDS);
  if (given(input.reservationTtlDefaultSeconds)) {
    next.reservationTtlDefaultSeconds = ttl(input.reservationTtlDefaultSeconds, 'input.reservationTtlDefaultSeconds', d.reservationTtlDefaultSeconds);
  }
  if (given(input.reservationTtlMaxSeconds)) {
    next.reservationTtlMaxSeconds = ttl(input.reservationTtlMaxSeconds, 'input.reservationTtlMaxSeconds', d.reservationTtlMaxSeconds);
  }
  if (next.reservationTtlDefaultSeconds > next.reservationTtlMaxSeconds) {
    const field = given(input.reservationTtlDefaultSeconds) ? 'input.reservationTtlDefaultSeconds' : 'input.reservationTtlMaxSeconds';
    throw badUserInput(field, `the default hold (${next.reservationTtlDefaultSeconds} s) must not be longer than the longest (${next.reservationTtlMaxSeconds} s).`);
  }
  if (given(input.allowedPaymentMethods)) {
    next.allowedPaymentMethods = input.allowedPaymentMethods === null ? [] : paymentMethodRules(input.allowedPaymentMethods, 'input.allowedPaymentMethods');
  }
  if (given(input.branding)) next.branding = branding(current.branding, input.branding ?? null, 'input.branding');
  return next;
}

export function mergeCapabilities(current: CheckoutCapabilitiesConfig, input: CapabilitiesSpec): CheckoutCapabilitiesConfig {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const next = { ...current };
  for (const key of Object.keys(DEFAULT_CHECKOUT_CAPABILITIES) as Array<keyof CheckoutCapabilitiesConfig>) {
    const v = input[key];
    if (v === undefined) continue;
    if (v !== null && typeof v !== 'boolean') throw badUserInput(`input.${key}`, 'must be true or false.');
    next[key] = v ?? DEFAULT_CHECKOUT_CAPABILITIES[key];
  }
  return next;
}

/** Limits in `currency` (the merchant's). */
export function mergeTransactionLimits(current: TransactionLimitsConfig, input: TransactionLimitsSpec, currency: string): TransactionLimitsConfig {
  if (!input || typeof input !== 'object') throw badUserInput('input', 'is required.');
  const next = { ...current };
  const amount = (v: MoneyInput | null, field: string) => (v === null ? null : configAmount(v, field, currency, true));
  if (given(input.maxAmountPerPayment)) next.maxAmountPerPayment = amount(input.maxAmountPerPayment ?? null, 'input.maxAmountPerPayment');
  if (given(input.maxAmountPerDay)) next.maxAmountPerDay = amount(input.maxAmountPerDay ?? null, 'input.maxAmountPerDay');
  if (given(input.maxPaymentsPerEmailPerHour)) {
    next.maxPaymentsPerEmailPerHour =
      input.maxPaymentsPerEmailPerHour === null ? null : wholeNumber(input.maxPaymentsPerEmailPerHour, 'input.maxPaymentsPerEmailPerHour', 1, MAX_PAYMENTS_PER_EMAIL_PER_HOUR);
  }
  const perPayment = next.maxAmountPerPayment;
  const perDay = next.maxAmountPerDay;
  if (perPayment && perDay && perPayment.currency === perDay.currency && perPayment.amountMinor > perDay.amountMinor) {
    const field = given(input.maxAmountPerPayment) ? 'input.maxAmountPerPayment' : 'input.maxAmountPerDay';
    throw badUserInput(`${field}.amountMinor`, `one payment's limit (${perPayment.amountMinor}) must not exceed the day's (${perDay.amountMinor}).`);
  }
  return next;
}

export const noLimits = (): TransactionLimitsConfig => ({ ...NO_TRANSACTION_LIMITS });
