// Expected failures about offers, with API.md codes.
import { badUserInput, ErrorCode, notFound } from '@handoff/shared';

export const offerNotFound = (id: string) => notFound(ErrorCode.OFFER_NOT_FOUND, `Offer ${id} was not found.`);
export const priceCurrencyMismatch = (defaultCurrency: string) =>
  badUserInput('price.currency', `must be the merchant's default currency ${defaultCurrency}.`);
