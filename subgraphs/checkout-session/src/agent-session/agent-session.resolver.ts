// startAgentSession, agentSession(id), and the fields of AgentSession: check the principal, map
// arguments, call the service.
import { idempotencyKeyOf, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, Directive, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import { AgentRef } from '../federation/stubs.js';
import type { RecommendationEntity } from '../recommendation/recommendation.entity.js';
import type { AgentSessionEntity } from './agent-session.entity.js';
import { AgentSessionStatus } from './agent-session.enums.js';
import type { AgentSessionService } from './agent-session.service.js';
import { effectiveAgentSessionStatus } from './agent-session.states.js';
import { AgentSession, AgentSessionConnection, Recommendation, StartAgentSessionInput } from './agent-session.type.js';

@Resolver(() => AgentSession)
export class AgentSessionResolver {
  constructor(private readonly sessions: AgentSessionService) {}

  @Mutation(() => AgentSession, { description: 'Agent: opens a recommendation window (default 30 minutes).' })
  startAgentSession(
    @Arg('input', () => StartAgentSessionInput, { nullable: true }) input: StartAgentSessionInput | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<AgentSessionEntity> {
    const agent = requireKind(ctx.principal, 'AGENT');
    return this.sessions.start(agent, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Query(() => AgentSession, { nullable: true, description: 'Null when it does not exist or is not yours to see.' })
  agentSession(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<AgentSessionEntity | null> {
    requireKind(ctx.principal, 'ADMIN', 'AGENT', 'MERCHANT', 'SERVICE');
    return this.sessions.findVisible(ctx.principal, id);
  }

  @Query(() => AgentSession, {
    nullable: true,
    description: "Internal (SERVICE): the session only when it holds a recommendation of one of the merchant's offers.",
  })
  @Directive('@inaccessible')
  agentSessionRecommending(
    @Arg('id', () => ID) id: string,
    @Arg('merchantId', () => ID) merchantId: string,
    @Ctx() ctx: CheckoutContext,
  ): Promise<AgentSessionEntity | null> {
    requireKind(ctx.principal, 'SERVICE');
    return this.sessions.findRecommendingMerchant(ctx.principal, id, merchantId);
  }

  @Query(() => AgentSessionConnection, { description: 'Admin: all; an agent: its own. Oldest first; status as it reads.' })
  agentSessions(
    @Arg('status', () => AgentSessionStatus, { nullable: true }) status: AgentSessionStatus | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<Page<AgentSessionEntity>> {
    requireKind(ctx.principal, 'ADMIN', 'AGENT', 'SERVICE');
    return this.sessions.list(ctx.principal, { status, first, after });
  }

  @FieldResolver(() => AgentSessionStatus)
  status(@Root() s: AgentSessionEntity): AgentSessionStatus {
    return effectiveAgentSessionStatus(s);
  }

  @FieldResolver(() => AgentRef)
  agent(@Root() s: AgentSessionEntity): AgentRef {
    return { id: s.agentId };
  }

  @FieldResolver(() => [Recommendation], { description: 'Those you may see, oldest first.' })
  recommendations(@Root() s: AgentSessionEntity, @Ctx() ctx: CheckoutContext): Promise<RecommendationEntity[]> {
    return ctx.loaders.recommendationsBySession.load(s.id);
  }
}
