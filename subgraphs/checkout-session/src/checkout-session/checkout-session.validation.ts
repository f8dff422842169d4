// Checks of a new checkout session that need no database (Stripe Checkout's rules as the
// reference): line items in one currency, amounts in whole minor units within the currency's
// range, quantity 1–999, redirect URLs, expiry window, customer email, metadata limits.
import { badUserInput, currencyExponent, moneyFromInput, sum, validateRecurringPrice, type Money, type MoneyInput, type RecurringPrice, type RecurringPriceInput } from '@handoff/shared';
import { optionalText, requiredText } from '../input.js';
import { CheckoutMode } from './checkout-session.enums.js';

export const MAX_LINE_ITEMS = 100;
export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 999;
export const MAX_NAME_LENGTH = 250;
/** At most 8 digits before the decimal point in any currency (Stripe's amount limit). */
export const MAX_MAJOR_DIGITS = 8;
export const MIN_EXPIRES_IN_SECONDS = 30 * 60;
export const MAX_EXPIRES_IN_SECONDS = 24 * 60 * 60;
export const DEFAULT_EXPIRES_IN_SECONDS = MAX_EXPIRES_IN_SECONDS;
export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;
/** Attribution keys belong to Handoff: clients can neither set nor change them. */
export const RESERVED_METADATA_PREFIX = 'aap_';
export const CHECKOUT_SESSION_ID_PLACEHOLDER = '{CHECKOUT_SESSION_ID}';
export const MAX_SKU_LENGTH = 100;
/** A tax category as the merchant's tax configuration names them: `standard`, `reduced`, `zero`… */
const TAX_CATEGORY = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface LineItemInputSpec {
  name: string;
  unitAmount: MoneyInput;
  quantity: number;
  offerId?: string | null;
  /** 1 to 40 of a-z 0-9 _ -; absent: the offer's category, else the merchant's default. */
  taxCategory?: string | null;
  /** The merchant's SKU: at most 100 characters, no control characters. */
  sku?: string | null;
  /** A recurring price (issue 22): the line bills every intervalCount intervals; absent: one-time (or its offer's recurring price). */
  recurring?: RecurringPriceInput | null;
}

export interface CreateCheckoutSessionSpec {
  lineItems: LineItemInputSpec[];
  mode?: CheckoutMode | null;
  successUrl?: string | null;
  cancelUrl?: string | null;
  expiresInSeconds?: number | null;
  customerEmail?: string | null;
  metadata?: unknown;
}

export interface LineItemDraft {
  name: string;
  unitAmountMinor: number;
  quantity: number;
  totalMinor: number;
  offerId: string | null;
  /** As given (lower case); null: resolved from the offer or the merchant's default when the line is written. */
  taxCategory: string | null;
  sku: string | null;
  /** Checked; null: a one-time line (the offer's recurring price, if any, is taken when the line is resolved: line-catalog.ts). */
  recurring?: RecurringPrice | null;
}

export interface CheckoutSessionDraft {
  lineItems: LineItemDraft[];
  currency: string;
  subtotal: Money;
  total: Money;
  mode: CheckoutMode;
  successUrl: string | null;
  cancelUrl: string | null;
  expiresInSeconds: number;
  customerEmail: string | null;
  metadata: Record<string, string>;
}

export function validateCreateCheckoutSession(input: CreateCheckoutSessionSpec): CheckoutSessionDraft {
  const items = input.lineItems;
  if (!Array.isArray(items) || items.length === 0) throw badUserInput('lineItems', 'must have at least one line item.');
  if (items.length > MAX_LINE_ITEMS) throw badUserInput('lineItems', `must have at most ${MAX_LINE_ITEMS} line items.`);
  const lineItems = items.map((item, i) => validateLineItem(item, `lineItems[${i}]`));
  const currency = lineItems[0]!.unit.currency;
  lineItems.forEach((line, i) => {
    if (line.unit.currency !== currency) {
      throw badUserInput(`lineItems[${i}].unitAmount.currency`, `every line item must be in one currency (${currency}, not ${line.unit.currency}).`);
    }
  });
  const subtotal = sum(
    lineItems.map((l) => ({ amountMinor: l.draft.totalMinor, currency })),
    currency,
  );
  return {
    lineItems: lineItems.map((l) => l.draft),
    currency,
    subtotal,
    total: subtotal,
    mode: input.mode ?? CheckoutMode.PAYMENT,
    successUrl: redirectUrl(input.successUrl, 'successUrl'),
    cancelUrl: redirectUrl(input.cancelUrl, 'cancelUrl'),
    expiresInSeconds: expiresInSeconds(input.expiresInSeconds),
    customerEmail: customerEmail(input.customerEmail),
    metadata: validateMetadata(input.metadata),
  };
}

function validateLineItem(item: LineItemInputSpec, field: string): { unit: Money; draft: LineItemDraft } {
  if (!item || typeof item !== 'object') throw badUserInput(field, 'is required.');
  const name = requiredText(item.name, `${field}.name`, MAX_NAME_LENGTH);
  const unit = lineAmount(item.unitAmount, `${field}.unitAmount`);
  const quantity = item.quantity;
  if (!Number.isInteger(quantity) || quantity < MIN_QUANTITY || quantity > MAX_QUANTITY) {
    throw badUserInput(`${field}.quantity`, `must be an integer from ${MIN_QUANTITY} to ${MAX_QUANTITY}.`);
  }
  const total = unit.amountMinor * quantity; // < 10^(8+3) × 999: a safe integer
  return {
    unit,
    draft: {
      name,
      unitAmountMinor: unit.amountMinor,
      quantity,
      totalMinor: total,
      offerId: optionalText(item.offerId, `${field}.offerId`, 200) ?? null,
      taxCategory: optionalTaxCategory(item.taxCategory, `${field}.taxCategory`),
      sku: optionalText(item.sku, `${field}.sku`, MAX_SKU_LENGTH) ?? null,
      recurring: validateRecurringPrice(item.recurring, `${field}.recurring`),
    },
  };
}

/** A tax category (trimmed, lower-cased as the merchant's configuration stores them), or null when not given. */
export function optionalTaxCategory(value: unknown, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw badUserInput(field, 'must be a string.');
  const category = value.trim().toLowerCase();
  if (!TAX_CATEGORY.test(category)) throw badUserInput(field, 'must be 1 to 40 of the letters a-z, digits, "_" or "-" (e.g. "standard", "reduced").');
  return category;
}

/** A positive amount in whole minor units with at most MAX_MAJOR_DIGITS before the decimal point. */
export function lineAmount(input: MoneyInput, field: string): Money {
  if (!input || typeof input !== 'object') throw badUserInput(field, 'is required.');
  const m = moneyFromInput(input, field);
  if (m.amountMinor <= 0) throw badUserInput(`${field}.amountMinor`, 'must be greater than zero.');
  const limit = 10 ** (MAX_MAJOR_DIGITS + currencyExponent(m.currency));
  if (m.amountMinor >= limit) {
    throw badUserInput(`${field}.amountMinor`, `must be below ${limit} (${MAX_MAJOR_DIGITS} digits of ${m.currency} before the decimal point).`);
  }
  return m;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http for a local host; at most 2048 characters; may hold {CHECKOUT_SESSION_ID}. */
export function redirectUrl(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.trim() === '') throw badUserInput(field, 'must be a URL.');
  const url = value.trim();
  if (url.length > 2048) throw badUserInput(field, 'must be at most 2048 characters.');
  let parsed: URL;
  try {
    parsed = new URL(url.replaceAll(CHECKOUT_SESSION_ID_PLACEHOLDER, 'cs_placeholder'));
  } catch {
    throw badUserInput(field, 'must be an absolute URL.');
  }
  const local = LOCAL_HOSTS.has(parsed.hostname) || parsed.hostname.endsWith('.localhost');
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local)) {
    throw badUserInput(field, 'must use https (http only for localhost).');
  }
  if (parsed.username || parsed.password) throw badUserInput(field, 'must not carry credentials.');
  return url;
}

function expiresInSeconds(value: number | null | undefined): number {
  if (value === null || value === undefined) return DEFAULT_EXPIRES_IN_SECONDS;
  if (!Number.isInteger(value) || value < MIN_EXPIRES_IN_SECONDS || value > MAX_EXPIRES_IN_SECONDS) {
    throw badUserInput('expiresInSeconds', `must be an integer from ${MIN_EXPIRES_IN_SECONDS} (30 minutes) to ${MAX_EXPIRES_IN_SECONDS} (24 hours).`);
  }
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function customerEmail(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value.trim())) {
    throw badUserInput('customerEmail', 'must be an email address.');
  }
  return value.trim();
}

/** Stripe's limits: ≤ 50 keys, key ≤ 40 characters, value ≤ 500; values are strings (numbers and booleans are stringified). */
export function validateMetadata(value: unknown): Record<string, string> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badUserInput('metadata', 'must be an object of string values.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_KEYS) throw badUserInput('metadata', `must have at most ${METADATA_MAX_KEYS} keys.`);
  const out: Record<string, string> = {};
  for (const [key, raw] of entries) {
    if (key.length === 0 || [...key].length > METADATA_MAX_KEY_LENGTH) {
      throw badUserInput('metadata', `keys must be 1 to ${METADATA_MAX_KEY_LENGTH} characters.`);
    }
    if (key.toLowerCase().startsWith(RESERVED_METADATA_PREFIX)) {
      throw badUserInput(`metadata.${key}`, `keys starting with "${RESERVED_METADATA_PREFIX}" are reserved for attribution.`);
    }
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw badUserInput(`metadata.${key}`, 'must be a string.');
    }
    const v = String(raw);
    if ([...v].length > METADATA_MAX_VALUE_LENGTH) {
      throw badUserInput(`metadata.${key}`, `must be at most ${METADATA_MAX_VALUE_LENGTH} characters.`);
    }
    out[key] = v;
  }
  return out;
}
