// __resolveReference for PaymentIntent: other subgraphs' `{ id }` references, filtered by the
// caller exactly as the by-id query is.
import type { ReferenceResolver, SubgraphContext } from '@handoff/shared';
import type { PaymentIntentService } from './payment-intent.service.js';

export function paymentIntentReference(intents: PaymentIntentService): ReferenceResolver<SubgraphContext> {
  return (reference, ctx) => {
    const { id } = reference;
    return typeof id === 'string' ? intents.findVisible(ctx.principal, id) : null;
  };
}
