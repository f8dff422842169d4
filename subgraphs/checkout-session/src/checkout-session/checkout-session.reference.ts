// __resolveReference for CheckoutSession: other subgraphs' `{ id }` references, filtered by the
// caller exactly as the by-id query is.
import type { ReferenceResolver, SubgraphContext } from '@handoff/shared';
import type { CheckoutSessionService } from './checkout-session.service.js';

export function checkoutSessionReference(sessions: CheckoutSessionService): ReferenceResolver<SubgraphContext> {
  return (reference, ctx) => {
    const { id } = reference;
    return typeof id === 'string' ? sessions.findVisible(ctx.principal, id) : null;
  };
}
