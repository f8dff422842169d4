// Resolves `{ __typename: "Agent", id }` references from other subgraphs, batched per request.
// An agent resolves only itself; a merchant the agents its own entities refer to.
import type { ReferenceResolver } from '@handoff/shared';
import type { MerchantContext } from '../context.js';
import { AgentType } from './agent.type.js';

export const resolveAgentReference: ReferenceResolver<MerchantContext> = async (reference, ctx) => {
  if (typeof reference.id !== 'string') return null;
  const agent = await ctx.loaders.agentRefs.load(reference.id);
  return agent && AgentType.from(agent);
};
