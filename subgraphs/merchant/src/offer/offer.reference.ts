// Resolves `{ __typename: "Offer", id }` references from other subgraphs, batched per request.
// A merchant resolves only its own offers; agents and the hosted page any referred offer (a
// recommendation may point at an offer withdrawn since).
import type { ReferenceResolver } from '@handoff/shared';
import type { MerchantContext } from '../context.js';
import { OfferType } from './offer.type.js';

export const resolveOfferReference: ReferenceResolver<MerchantContext> = async (reference, ctx) => {
  if (typeof reference.id !== 'string') return null;
  const offer = await ctx.loaders.offerRefs.load(reference.id);
  return offer && OfferType.from(offer);
};
