// Offer input checks that need no database. The price currency is checked against the
// merchant's default currency by the service, inside its transaction.
import { badUserInput, moneyFromInput, validateRecurringPrice, type Money, type MoneyInput, type RecurringPrice, type RecurringPriceInput } from '@handoff/shared';
import { optionalTaxCategory, taxCategory } from '../checkout-pricing/pricing.validation.js';
import { optionalText, requiredText } from '../input.js';

export function offerPrice(input: MoneyInput, field = 'price'): Money {
  if (!input || typeof input !== 'object') throw badUserInput(field, 'is required.');
  const price = moneyFromInput(input, field);
  if (price.amountMinor <= 0) throw badUserInput(`${field}.amountMinor`, 'must be greater than zero.');
  return price;
}

export interface OfferDraft {
  name: string;
  provider: string | undefined;
  description: string | null;
  price: Money;
  active: boolean;
  taxCategory: string | null;
  recurring: RecurringPrice | null;
}

const DESCRIPTION_MAX = 2000;

export function validateCreateOffer(input: {
  name: string;
  provider?: string | null;
  description?: string | null;
  price: MoneyInput;
  active?: boolean | null;
  taxCategory?: string | null;
  recurring?: RecurringPriceInput | null;
}): OfferDraft {
  return {
    name: requiredText(input.name, 'name'),
    provider: optionalText(input.provider, 'provider'),
    description: optionalText(input.description || undefined, 'description', DESCRIPTION_MAX) ?? null,
    price: offerPrice(input.price),
    active: input.active ?? true,
    taxCategory: optionalTaxCategory(input.taxCategory, 'taxCategory'),
    recurring: validateRecurringPrice(input.recurring, 'recurring'),
  };
}

export interface OfferChanges {
  name?: string;
  provider?: string;
  /** null: removed. */
  description?: string | null;
  price?: Money;
  active?: boolean;
  /** null: back to the merchant's default category. */
  taxCategory?: string | null;
  /** null: sold once from now on. */
  recurring?: RecurringPrice | null;
}

export function validateUpdateOffer(input: {
  name?: string | null;
  provider?: string | null;
  description?: string | null;
  price?: MoneyInput | null;
  active?: boolean | null;
  taxCategory?: string | null;
  recurring?: RecurringPriceInput | null;
  removeRecurring?: boolean | null;
}): OfferChanges {
  const changes: OfferChanges = {};
  const name = optionalText(input.name, 'name');
  if (name !== undefined) changes.name = name;
  const provider = optionalText(input.provider, 'provider');
  if (provider !== undefined) changes.provider = provider;
  if (input.description === '') changes.description = null;
  else if (input.description !== null && input.description !== undefined) changes.description = optionalText(input.description, 'description', DESCRIPTION_MAX) ?? null;
  if (input.price !== null && input.price !== undefined) changes.price = offerPrice(input.price);
  if (input.active !== null && input.active !== undefined) changes.active = input.active;
  if (input.taxCategory === '') changes.taxCategory = null;
  else if (input.taxCategory !== null && input.taxCategory !== undefined) changes.taxCategory = taxCategory(input.taxCategory, 'taxCategory');
  if (input.removeRecurring === true && input.recurring !== null && input.recurring !== undefined) {
    throw badUserInput('removeRecurring', 'give either recurring or removeRecurring, not both.');
  }
  if (input.removeRecurring === true) changes.recurring = null;
  else if (input.recurring !== null && input.recurring !== undefined) changes.recurring = validateRecurringPrice(input.recurring, 'recurring');
  return changes;
}
