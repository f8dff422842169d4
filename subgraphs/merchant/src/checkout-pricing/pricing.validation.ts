// Input checks every checkout-pricing concept here shares (shipping, tax, promotions): amounts
// in the merchant's currency, basis points, tax categories, config ids, list sizes. Pure: the
// caller passes the merchant's currency. Each throws BAD_USER_INPUT naming the field.
import { badUserInput, moneyFromInput, type Money, type MoneyInput } from '@handoff/shared';

/** Amounts a configuration may hold: up to 10^12 minor units (ten billion pounds), far below bigint and 2^53. */
export const MAX_CONFIG_AMOUNT_MINOR = 1_000_000_000_000;

/** A tax category or config id: lower case letters, digits, `_` and `-`, 1 to 40 characters. */
const SLUG = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/**
 * Money in the merchant's `currency`, within 0..MAX_CONFIG_AMOUNT_MINOR (or from 1 when
 * `positive`). A non-integer, negative, overflowing amount or another currency is refused.
 */
export function configAmount(input: MoneyInput | null | undefined, field: string, currency: string, positive = false): Money {
  if (!input || typeof input !== 'object') throw badUserInput(field, 'is required.');
  const m = moneyFromInput(input, field);
  if (m.currency !== currency) throw badUserInput(`${field}.currency`, `must be the merchant's currency ${currency}.`);
  if (m.amountMinor < 0) throw badUserInput(`${field}.amountMinor`, 'must not be negative.');
  if (positive && m.amountMinor === 0) throw badUserInput(`${field}.amountMinor`, 'must be greater than zero.');
  if (m.amountMinor > MAX_CONFIG_AMOUNT_MINOR) throw badUserInput(`${field}.amountMinor`, `must be at most ${MAX_CONFIG_AMOUNT_MINOR}.`);
  return m;
}

export function optionalConfigAmount(
  input: MoneyInput | null | undefined,
  field: string,
  currency: string,
  positive = false,
): Money | null {
  return input === null || input === undefined ? null : configAmount(input, field, currency, positive);
}

/** Basis points: an integer from `min` (0 unless said) to 10000 (100 %). */
export function basisPoints(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 10_000) {
    throw badUserInput(field, `must be whole basis points from ${min} to 10000 (2000 = 20 %).`);
  }
  return value;
}

/** A tax category: lower-cased, `standard`, `zero`, `reduced-food`… */
export function taxCategory(value: unknown, field: string): string {
  if (typeof value !== 'string') throw badUserInput(field, 'is required.');
  const category = value.trim().toLowerCase();
  if (!SLUG.test(category)) throw badUserInput(field, 'must be 1 to 40 letters, digits, "_" or "-" (e.g. "standard", "zero").');
  return category;
}

export function optionalTaxCategory(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : taxCategory(value, field);
}

/** An id the merchant gives a rate, zone or pickup location (kept across setShippingConfig calls), else `fallback`. */
export function configId(value: unknown, field: string, fallback: () => string): string {
  if (value === null || value === undefined) return fallback();
  if (typeof value !== 'string' || !SLUG.test(value)) {
    throw badUserInput(field, 'must be 1 to 40 lower-case letters, digits, "_" or "-".');
  }
  return value;
}

/** A list of at most `max` items; null/undefined is empty. */
export function boundedList<T>(value: readonly T[] | null | undefined, field: string, max: number, min = 0): readonly T[] {
  if (value === null || value === undefined) {
    if (min > 0) throw badUserInput(field, 'is required.');
    return [];
  }
  if (!Array.isArray(value)) throw badUserInput(field, 'must be a list.');
  if (value.length > max) throw badUserInput(field, `must hold at most ${max} items.`);
  if (value.length < min) throw badUserInput(field, `must hold at least ${min} item${min === 1 ? '' : 's'}.`);
  return value;
}

/** An optional whole number from `min` to `max`. */
export function optionalInt(value: unknown, field: string, min: number, max: number): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(field, `must be a whole number from ${min} to ${max}.`);
  }
  return value;
}
