// ISO 4217 currencies and their exponents (digits after the decimal point), taken from the
// maintained `currency-codes` package rather than a hand table.
import currencyCodes from 'currency-codes';
import { badUserInput } from '../errors/codes.js';

/**
 * ISO 4217 lists these with minor units "N.A." (metals, bond-market units, SDR, Sucre, ADB unit,
 * testing, no currency), but `currency-codes` records them as 0 digits, which would make them
 * look like zero-decimal currencies such as XOF. They are not money we can charge or pay, so
 * they are excluded. currency.spec.ts checks this list against the package's own ISO XML.
 */
export const NO_MINOR_UNIT_CODES: ReadonlySet<string> = new Set([
  'XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX',
]);

// Built once: code → exponent, for the currencies money may be held in.
const exponents: ReadonlyMap<string, number> = new Map(
  currencyCodes.data
    .filter((c) => !NO_MINOR_UNIT_CODES.has(c.code) && Number.isInteger(c.digits) && c.digits >= 0)
    .map((c) => [c.code, c.digits] as const),
);

const CODE_SHAPE = /^[A-Z]{3}$/;

/** True when `code` (any case, surrounding spaces allowed) is a currency money may be held in. */
export function isCurrency(code: string): boolean {
  return typeof code === 'string' && exponents.has(code.trim().toUpperCase());
}

/** Uppercases and trims `code`; throws BAD_USER_INPUT unless it is a currency with an exponent. */
export function normalizeCurrency(code: string, field = 'currency'): string {
  // The common case (money's every operation normalizes): a code already as kept.
  if (exponents.has(code)) return code;
  if (typeof code !== 'string') throw badUserInput(field, 'must be an ISO 4217 currency code.');
  const normalized = code.trim().toUpperCase();
  if (!CODE_SHAPE.test(normalized)) {
    throw badUserInput(field, 'must be a three-letter ISO 4217 currency code.');
  }
  if (NO_MINOR_UNIT_CODES.has(normalized)) {
    throw badUserInput(field, `${normalized} has no minor unit and cannot hold money.`);
  }
  if (!exponents.has(normalized)) {
    throw badUserInput(field, `${normalized} is not an ISO 4217 currency code.`);
  }
  return normalized;
}

/** Digits after the decimal point: GBP 2, JPY 0, XOF 0, KWD 3, CLF 4. */
export function currencyExponent(code: string): number {
  return exponents.get(normalizeCurrency(code))!;
}
