// Handoff's one money helper: integer minor units plus an ISO 4217 code, exact decimal parsing
// and formatting, and the one rounding function (divideRounded) every computation goes through.
// Arithmetic runs on BigInt so products never lose precision; results must fit a safe integer.
import { badUserInput } from '../errors/codes.js';
import { currencyExponent, normalizeCurrency } from './currency.js';

export interface Money {
  /** Integer minor units (pence, yen, fils), within ±Number.MAX_SAFE_INTEGER. */
  readonly amountMinor: number;
  /** Uppercase ISO 4217 code with a defined exponent. */
  readonly currency: string;
}

export type RoundingMode = 'floor' | 'half_up' | 'half_even';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INTEGER_STRING = /^-?\d+$/;
// Sign, integer digits, optional fraction. No exponents, no "+", no spaces, no bare ".5".
const DECIMAL_STRING = /^(-?)(\d+)(?:\.(\d+))?$/;
// Longer input cannot be a safe amount; checked first so huge strings are rejected cheaply.
const MAX_DECIMAL_LENGTH = 40;

// Trusted constructor for results of arithmetic on already validated Money.
function make(amount: bigint, currency: string, field = 'amount'): Money {
  if (amount > MAX_SAFE || amount < -MAX_SAFE) {
    throw badUserInput(field, 'is outside the supported range.');
  }
  return Object.freeze({ amountMinor: Number(amount), currency });
}

const big = (m: Money): bigint => BigInt(m.amountMinor);
const pow10 = (exponent: number): bigint => 10n ** BigInt(exponent);

/**
 * Validated Money. `amountMinor` may be a number, a bigint or an integer string (a bigint
 * column as the driver returns it); it must be an integer within the safe range.
 */
export function money(amountMinor: number | bigint | string, currency: string, field = 'amountMinor'): Money {
  const code = normalizeCurrency(currency);
  let amount: bigint;
  if (typeof amountMinor === 'bigint') {
    amount = amountMinor;
  } else if (typeof amountMinor === 'number') {
    if (!Number.isSafeInteger(amountMinor)) throw badUserInput(field, 'must be a safe integer of minor units.');
    amount = BigInt(amountMinor);
  } else if (typeof amountMinor === 'string' && amountMinor.length <= MAX_DECIMAL_LENGTH && INTEGER_STRING.test(amountMinor)) {
    amount = BigInt(amountMinor);
  } else {
    throw badUserInput(field, 'must be an integer number of minor units.');
  }
  return make(amount, code, field);
}

/** Zero in `currency`. */
export const zero = (currency: string): Money => money(0, currency);

/**
 * Parses an exact decimal in major units: "10.00" GBP → 1000, "10" GBP → 1000, "1.000" KWD →
 * 1000, "50000" XOF → 50000. More fraction digits than the currency has is an error, even
 * if they are zeros ("1.0" JPY), so a client never believes a precision we do not keep.
 */
export function parseDecimal(value: string, currency: string, field = 'amount'): Money {
  const code = normalizeCurrency(currency);
  const exponent = currencyExponent(code);
  const match = typeof value === 'string' && value.length <= MAX_DECIMAL_LENGTH ? DECIMAL_STRING.exec(value) : null;
  if (!match) throw badUserInput(field, 'must be a decimal number such as "10.00".');
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    throw badUserInput(field, `${code} allows at most ${exponent} decimal place${exponent === 1 ? '' : 's'}.`);
  }
  const magnitude = BigInt(whole) * pow10(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  return make(sign === '-' ? -magnitude : magnitude, code, field);
}

/** The exact decimal in major units: "10.00", "50000", "1.000", "-0.05". */
export function formatDecimal(m: Money): string {
  const exponent = currencyExponent(m.currency);
  const amount = big(m);
  const magnitude = amount < 0n ? -amount : amount;
  const sign = amount < 0n ? '-' : '';
  if (exponent === 0) return sign + magnitude.toString();
  const scale = pow10(exponent);
  const fraction = (magnitude % scale).toString().padStart(exponent, '0');
  return `${sign}${magnitude / scale}.${fraction}`;
}

/** Throws BAD_USER_INPUT when `a` and `b` are in different currencies. */
export function assertSameCurrency(a: Money, b: Money, field = 'currency'): void {
  if (a.currency !== b.currency) {
    throw badUserInput(field, `currency mismatch: ${a.currency} and ${b.currency}.`);
  }
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return make(big(a) + big(b), a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return make(big(a) - big(b), a.currency);
}

/** Sum of `list` (may be empty); every item must be in `currency`. */
export function sum(list: readonly Money[], currency: string): Money {
  const total = zero(currency);
  let amount = 0n;
  for (const m of list) {
    assertSameCurrency(total, m);
    amount += big(m);
  }
  return make(amount, total.currency);
}

export const negate = (m: Money): Money => make(-big(m), m.currency);
export const isZero = (m: Money): boolean => m.amountMinor === 0;
export const isNegative = (m: Money): boolean => m.amountMinor < 0;

/** -1, 0 or 1; both must be in the same currency. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0;
}

/**
 * The one rounding function. Divides exactly and rounds the quotient:
 * - floor: toward -infinity (-0.5 → -1);
 * - half_up: to nearest, ties away from zero (2.5 → 3, -2.5 → -3), as in Java's HALF_UP;
 * - half_even: to nearest, ties to the even neighbour (2.5 → 2, 3.5 → 4).
 * A zero denominator is a bug in the caller, not user input, so it is a RangeError.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError('divideRounded: division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncated toward zero
  const remainder = numerator % denominator; // same sign as numerator
  if (remainder === 0n) return quotient;
  const away = numerator < 0n ? quotient - 1n : quotient + 1n;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  switch (mode) {
    case 'floor':
      return numerator < 0n ? quotient - 1n : quotient;
    case 'half_up':
      return twice >= denominator ? away : quotient;
    case 'half_even':
      if (twice > denominator) return away;
      if (twice < denominator) return quotient;
      return quotient % 2n === 0n ? quotient : away;
    default:
      throw new RangeError(`divideRounded: unknown rounding mode ${String(mode)}`);
  }
}

function assertBasisPoints(bps: number, max: number, field: string): bigint {
  if (!Number.isSafeInteger(bps) || bps < 0 || bps > max) {
    throw badUserInput(field, `must be an integer number of basis points from 0 to ${max}.`);
  }
  return BigInt(bps);
}

/** `m` × bps / 10 000, rounded by `mode` (half_up unless told). bps: integer 0..1 000 000. */
export function applyBasisPoints(m: Money, bps: number, mode: RoundingMode = 'half_up'): Money {
  const rate = assertBasisPoints(bps, 1_000_000, 'bps');
  return make(divideRounded(big(m) * rate, 10_000n, mode), m.currency);
}

/**
 * Splits `m` into [share, remainder] with share = floor(m × bps / 10 000) and remainder =
 * m − share, so the parts always add up exactly. The commission split: builder payout =
 * floor of 80 %, network fee = the remainder. bps: integer 0..10 000. To reverse a split,
 * negate its parts; splitting a negative amount floors toward -infinity and differs.
 */
export function splitByBasisPoints(m: Money, bps: number): [share: Money, remainder: Money] {
  const rate = assertBasisPoints(bps, 10_000, 'bps');
  const share = divideRounded(big(m) * rate, 10_000n, 'floor');
  return [make(share, m.currency), make(big(m) - share, m.currency)];
}

/**
 * Divides `m` in proportion to `weights` (non-negative safe integers, not all zero) by the
 * largest-remainder method: each part gets the floor of its exact share, then the minor
 * units left over go one each to the parts with the largest remainders (earlier part wins a
 * tie). The parts always add up exactly to `m`; a zero weight always gets zero.
 */
export function allocate(m: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) throw badUserInput('weights', 'must not be empty.');
  if (!weights.every((w) => Number.isSafeInteger(w) && w >= 0)) {
    throw badUserInput('weights', 'must be non-negative integers.');
  }
  const total = weights.reduce((acc, w) => acc + BigInt(w), 0n);
  if (total === 0n) throw badUserInput('weights', 'must not all be zero.');

  const amount = big(m);
  const parts = weights.map((w, index) => {
    const exact = amount * BigInt(w);
    const floor = divideRounded(exact, total, 'floor');
    return { index, floor, remainder: exact - floor * total };
  });
  let leftover = amount - parts.reduce((acc, p) => acc + p.floor, 0n);
  const byRemainder = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const part of byRemainder) {
    if (leftover === 0n) break;
    part.floor += 1n;
    leftover -= 1n;
  }
  return parts.map((p) => make(p.floor, m.currency));
}
