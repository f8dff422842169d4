// Resolves `{ __typename: "AgentSession", id }` references from other subgraphs (a conversion's
// session), batched per request and filtered by the caller as a reference.
import type { ReferenceResolver } from '@handoff/shared';
import type { CheckoutContext } from '../context.js';

export const resolveAgentSessionReference: ReferenceResolver<CheckoutContext> = (reference, ctx) =>
  typeof reference.id === 'string' ? ctx.loaders.agentSessionRefs.load(reference.id) : null;
