// The GraphQL face of a checkout session's addresses.
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { StoredAddress } from './address.model.js';

export enum CheckoutAddressValidationStatus {
  VALID = 'VALID',
  UNVERIFIED = 'UNVERIFIED',
}
registerEnumType(CheckoutAddressValidationStatus, {
  name: 'CheckoutAddressValidationStatus',
  description: "VALID: ISO 3166-1 country and the country's postal-code format. UNVERIFIED: no postal-code format is known for the country; only the country was checked.",
});

@ObjectType('CheckoutAddressValidation')
export class CheckoutAddressValidation {
  @Field(() => CheckoutAddressValidationStatus) status: CheckoutAddressValidationStatus;
  @Field(() => [String], { description: 'What could not be checked (postal_code_format_unknown); empty when VALID.' }) problems: string[];
}

@ObjectType('CheckoutAddress', { description: "A buyer's address on a checkout session. An address that fails validation is refused (BAD_USER_INPUT), never stored." })
export class CheckoutAddress {
  @Field(() => String, { nullable: true }) name: string | null;
  @Field() line1: string;
  @Field(() => String, { nullable: true }) line2: string | null;
  @Field() city: string;
  @Field(() => String, { nullable: true, description: 'State, province or region.' }) state: string | null;
  @Field(() => String, { nullable: true }) postalCode: string | null;
  @Field({ description: 'ISO 3166-1 alpha-2.' }) country: string;
  @Field(() => CheckoutAddressValidation) validation: CheckoutAddressValidation;

  static of(a: StoredAddress | null | undefined): CheckoutAddress | null {
    if (!a) return null;
    return { ...a, validation: { status: a.validation.status as CheckoutAddressValidationStatus, problems: a.validation.problems } };
  }
}

@InputType('CheckoutAddressInput')
export class CheckoutAddressInput {
  @Field(() => String, { nullable: true, description: 'The recipient; ≤ 200 characters, no control or bidi characters.' }) name?: string | null;
  @Field({ description: '≤ 200 characters.' }) line1: string;
  @Field(() => String, { nullable: true }) line2?: string | null;
  @Field({ description: '≤ 100 characters.' }) city: string;
  @Field(() => String, { nullable: true, description: 'State, province or region (taxes and shipping zones may depend on it).' }) state?: string | null;
  @Field(() => String, { nullable: true, description: "In the country's format; required where the country has postal codes." }) postalCode?: string | null;
  @Field({ description: 'ISO 3166-1 alpha-2, e.g. "GB".' }) country: string;
}
