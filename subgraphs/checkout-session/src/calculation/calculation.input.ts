// Checks a calculation's input and turns it into priced lines and a pricing address. Malformed
// input (a bad currency, a fractional quantity, a negative price) is the caller's bug and throws
// BAD_USER_INPUT; an address that cannot be shipped to or taxed is the buyer's to fix and comes
// back as an address_invalid blocker.
import { badUserInput, money, normalizeCurrency, type Money } from '@handoff/shared';
import type { Blocker, CalculationInput, CalculationLineInput, DestinationInput } from './calculation.types.js';
import type { PricedLine, PricingAddress } from './stages.js';

export const DEFAULT_FULFILMENT_LOCATION = 'default';
const MAX_LINES = 500;
const MAX_QUANTITY = 1_000_000;
const COUNTRY = /^[A-Z]{2}$/;
const POSTAL_CODE = /^[A-Z0-9][A-Z0-9 -]{0,14}[A-Z0-9]?$/i;
const MAX_REGION = 100;
const MAX_TEXT = 200;

function text(value: unknown, field: string, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw badUserInput(field, 'is required.');
    return null;
  }
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) {
    throw badUserInput(field, `must be a non-empty string of at most ${MAX_TEXT} characters.`);
  }
  return value.trim();
}

function pricedLine(line: CalculationLineInput, index: number, currency: string, defaultCategory: string): PricedLine {
  const field = `lines[${index}]`;
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
    throw badUserInput(`${field}.quantity`, `must be an integer from 1 to ${MAX_QUANTITY}.`);
  }
  if (!Number.isSafeInteger(line.unitAmountMinor) || line.unitAmountMinor < 0) {
    throw badUserInput(`${field}.unitAmountMinor`, 'must be a non-negative integer of minor units.');
  }
  const unit = money(line.unitAmountMinor, currency, `${field}.unitAmountMinor`);
  const base: Money = money(BigInt(line.unitAmountMinor) * BigInt(line.quantity), currency, `${field}.quantity`);
  if (line.requiresShipping !== undefined && typeof line.requiresShipping !== 'boolean') {
    throw badUserInput(`${field}.requiresShipping`, 'must be a boolean.');
  }
  return {
    id: text(line.id, `${field}.id`, false) ?? `L${index + 1}`,
    name: text(line.name, `${field}.name`, true)!,
    offerId: text(line.offerId, `${field}.offerId`, false),
    quantity: line.quantity,
    unit,
    base,
    taxCategory: text(line.taxCategory, `${field}.taxCategory`, false) ?? defaultCategory,
    requiresShipping: line.requiresShipping ?? true,
    fulfilmentLocationId: text(line.fulfilmentLocationId, `${field}.fulfilmentLocationId`, false) ?? DEFAULT_FULFILMENT_LOCATION,
  };
}

export interface CheckedInput {
  currency: string;
  lines: PricedLine[];
  at: Date;
  /** Null when absent or invalid (then `blockers` says why). */
  destination: PricingAddress | null;
  blockers: Blocker[];
}

export function checkInput(input: CalculationInput): CheckedInput {
  const currency = normalizeCurrency(input.currency);
  if (!Array.isArray(input.lines) || input.lines.length === 0 || input.lines.length > MAX_LINES) {
    throw badUserInput('lines', `must hold 1 to ${MAX_LINES} lines.`);
  }
  const lines = input.lines.map((l, i) => pricedLine(l, i, currency, input.config.tax.defaultCategory));
  const ids = new Set(lines.map((l) => l.id));
  if (ids.size !== lines.length) throw badUserInput('lines', 'line ids must be unique.');
  const at = new Date(input.at);
  if (typeof input.at !== 'string' || Number.isNaN(at.getTime())) throw badUserInput('at', 'must be an ISO 8601 instant.');
  if (!Array.isArray(input.promotionCodes) || input.promotionCodes.some((c) => typeof c !== 'string' || c.length > 64)) {
    throw badUserInput('promotionCodes', 'must be a list of codes of at most 64 characters.');
  }
  const blockers: Blocker[] = [];
  const destination = input.destination ? pricingAddress(input.destination, blockers) : null;
  return { currency, lines, at, destination, blockers };
}

/** The address as pricing compares it, or null with an address_invalid blocker. */
export function pricingAddress(d: DestinationInput, blockers: Blocker[]): PricingAddress | null {
  const country = typeof d.country === 'string' ? d.country.trim().toUpperCase() : '';
  if (!COUNTRY.test(country)) {
    blockers.push({ code: 'address_invalid', message: 'The address needs a two-letter ISO 3166-1 country code.' });
    return null;
  }
  const region = typeof d.region === 'string' && d.region.trim() !== '' ? d.region.trim() : null;
  if (region !== null && region.length > MAX_REGION) {
    blockers.push({ code: 'address_invalid', message: 'The address region is too long.' });
    return null;
  }
  const postalCode = typeof d.postalCode === 'string' && d.postalCode.trim() !== '' ? d.postalCode.trim().toUpperCase() : null;
  if (postalCode !== null && !POSTAL_CODE.test(postalCode)) {
    blockers.push({ code: 'address_invalid', message: 'The postal code is not valid.' });
    return null;
  }
  return { country, region, postalCode };
}

/** Codes as matched: trimmed, upper-cased, duplicates dropped (first kept), empty ones dropped. */
export function normalizeCodes(codes: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of codes) {
    const code = c.trim().toUpperCase();
    if (code !== '' && !out.includes(code)) out.push(code);
  }
  return out;
}
