// A buyer's address, checked: the country against ISO 3166-1 (the iso-3166 package, as the
// merchant subgraph checks merchants' countries) and the postal code against the country's format
// (the postcode-validator package). A country the package has no format for is accepted with
// status UNVERIFIED; a country that has postal codes needs one. Text fields are single-line display
// text without bidi controls (shared/src/input/display-text.ts). Every refusal is BAD_USER_INPUT
// naming the field, e.g. `shippingAddress.postalCode`.
import { badUserInput, displayText, optionalDisplayText } from '@handoff/shared';
import { iso31661 } from 'iso-3166';
import { postcodeValidator, postcodeValidatorExistsForCountry } from 'postcode-validator';
import type { StoredAddress } from './address.model.js';

const ALPHA2 = new Set(iso31661.map((c) => c.alpha2));
const MAX_POSTAL_CODE = 20;

export interface AddressInputLike {
  name?: string | null;
  line1?: string | null;
  line2?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  country?: string | null;
}

/** The country as stored (upper case) or BAD_USER_INPUT `<field>.country`. */
export function countryOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badUserInput(`${field}.country`, 'is required (ISO 3166-1 alpha-2, e.g. "GB").');
  const country = value.trim().toUpperCase();
  if (!ALPHA2.has(country)) throw badUserInput(`${field}.country`, `"${value.trim().slice(0, 10)}" is not an ISO 3166-1 alpha-2 country code.`);
  return country;
}

/** Validates and normalizes an address; `field` is the argument's name (shippingAddress, billingAddress). */
export function validateAddress(input: AddressInputLike | null | undefined, field: string): StoredAddress {
  if (!input || typeof input !== 'object') throw badUserInput(field, 'is required.');
  const country = countryOf(input.country, field);
  const name = optionalDisplayText(input.name, `${field}.name`, 200) ?? null;
  const line1 = displayText(input.line1, `${field}.line1`, 200);
  const line2 = optionalDisplayText(input.line2, `${field}.line2`, 200) ?? null;
  const city = displayText(input.city, `${field}.city`, 100);
  const state = optionalDisplayText(input.state, `${field}.state`, 100) ?? null;
  const rawPostal = optionalDisplayText(input.postalCode, `${field}.postalCode`, MAX_POSTAL_CODE) ?? null;
  const postalCode = rawPostal === null ? null : rawPostal.replace(/\s+/g, ' ').toUpperCase();

  const problems: string[] = [];
  if (postcodeValidatorExistsForCountry(country)) {
    if (postalCode === null) throw badUserInput(`${field}.postalCode`, `is required for ${country}.`);
    if (!postcodeValidator(postalCode, country)) throw badUserInput(`${field}.postalCode`, `"${postalCode}" is not a valid postal code for ${country}.`);
  } else if (postalCode !== null) {
    problems.push('postal_code_format_unknown');
  }
  return { name, line1, line2, city, state, postalCode, country, validation: { status: problems.length ? 'UNVERIFIED' : 'VALID', problems } };
}

/** Whether pricing sees a different place (country, region or postal code): the shipping options may differ. */
export function destinationChanged(before: StoredAddress | null, after: StoredAddress): boolean {
  if (!before) return true;
  const norm = (s: string | null) => (s ?? '').trim().toUpperCase();
  return before.country !== after.country || norm(before.state) !== norm(after.state) || norm(before.postalCode) !== norm(after.postalCode);
}
