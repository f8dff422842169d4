// __resolveReference for CheckoutSession: other subgraphs' `{ id }` references, filtered by the
// caller exactly as the by-id query is.
import type { ReferenceResolver } from '@handoff/shared';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionService } from './checkout-session.service.js';

export function checkoutSessionReference(sessions: CheckoutSessionService): ReferenceResolver<CheckoutContext> {
  return (reference, ctx) => {
    const { id } = reference;
    return typeof id === 'string' ? sessions.findVisible(ctx.principal, id) : null;
  };
}
