// __resolveReference for CheckoutSession here: only its id is known (and needed) in this
// subgraph; whether the caller may see the session is the owner's call, whether it may see
// the intent is paymentIntent's.
import type { ReferenceResolver } from '@handoff/shared';
import type { CheckoutSessionRef } from './checkout-session.type.js';

export const checkoutSessionReference: ReferenceResolver = (reference): CheckoutSessionRef | null => {
  const { id } = reference;
  return typeof id === 'string' ? { id } : null;
};
