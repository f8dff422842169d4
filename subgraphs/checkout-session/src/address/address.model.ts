// An address as a checkout session stores it (jsonb), with what its validation found. A leaf
// module: the entity and the address services import it; it imports nothing of theirs.

/** VALID: the country is ISO 3166-1 and the postal code has that country's format. UNVERIFIED: no postal-code format is known for the country, so only the country was checked. */
export type AddressValidationStatus = 'VALID' | 'UNVERIFIED';

export interface StoredAddressValidation {
  status: AddressValidationStatus;
  /** Stable words for what could not be checked (e.g. `postal_code_format_unknown`); empty when VALID. */
  problems: string[];
}

export interface StoredAddress {
  name: string | null;
  line1: string;
  line2: string | null;
  city: string;
  /** State, province or region. */
  state: string | null;
  postalCode: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  validation: StoredAddressValidation;
}
