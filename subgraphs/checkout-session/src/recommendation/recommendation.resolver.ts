// recommend, recommendation(id), and the fields of Recommendation: check the principal, map
// arguments, call the service.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { AgentSessionEntity } from '../agent-session/agent-session.entity.js';
import { sessionNotFound } from '../agent-session/agent-session.errors.js';
import { AgentSession, RecommendInput, Recommendation } from '../agent-session/agent-session.type.js';
import type { CheckoutContext } from '../context.js';
import { AgentRef, MerchantRef, OfferRef } from '../federation/stubs.js';
import type { RecommendationEntity } from './recommendation.entity.js';
import type { RecommendationService } from './recommendation.service.js';

@Resolver(() => Recommendation)
export class RecommendationResolver {
  constructor(private readonly recommendations: RecommendationService) {}

  @Mutation(() => Recommendation, { description: 'Agent: records a recommendation of an active offer in one of its live sessions.' })
  recommend(
    @Arg('input', () => RecommendInput) input: RecommendInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<RecommendationEntity> {
    const agent = requireKind(ctx.principal, 'AGENT');
    return this.recommendations.recommend(agent, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Query(() => Recommendation, { nullable: true, description: "Null when it does not exist or is not yours (an agent's own; a merchant's offers')." })
  recommendation(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<RecommendationEntity | null> {
    requireKind(ctx.principal, 'ADMIN', 'AGENT', 'MERCHANT', 'SERVICE');
    return this.recommendations.findVisible(ctx.principal, id);
  }

  @FieldResolver(() => AgentSession)
  async session(@Root() r: RecommendationEntity, @Ctx() ctx: CheckoutContext): Promise<AgentSessionEntity> {
    const s = await ctx.loaders.agentSessionRefs.load(r.agentSessionId);
    if (!s) throw sessionNotFound(r.agentSessionId);
    return s;
  }

  @FieldResolver(() => OfferRef)
  offer(@Root() r: RecommendationEntity): OfferRef {
    return { id: r.offerId };
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() r: RecommendationEntity): MerchantRef {
    return { id: r.merchantId };
  }

  @FieldResolver(() => String, { nullable: true })
  attributionToken(@Root() r: RecommendationEntity, @Ctx() ctx: CheckoutContext): string | null {
    const p = ctx.principal;
    return p.kind === 'ADMIN' || (p.kind === 'AGENT' && p.agentId === r.agentId) ? r.attributionToken : null;
  }

  @FieldResolver(() => AgentRef)
  agent(@Root() r: RecommendationEntity): AgentRef {
    return { id: r.agentId };
  }
}
