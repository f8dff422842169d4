// Agent queries and mutations and Agent.builder: check the principal, map arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import type { AgentService } from './agent.service.js';
import { AgentConnection, AgentType, BuilderType, RegisterAgentInput } from './agent.type.js';

@Resolver(() => AgentType)
export class AgentResolver {
  constructor(private readonly service: AgentService) {}

  @Query(() => AgentType, { nullable: true, description: 'Admin: any agent; an agent: itself.' })
  async agent(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<AgentType | null> {
    requireKind(ctx.principal, 'ADMIN', 'AGENT', 'MERCHANT', 'SERVICE');
    const a = await this.service.findVisible(ctx.principal, id);
    return a && AgentType.from(a);
  }

  @Query(() => AgentConnection, { description: 'Admin: all agents; an agent: itself.' })
  async agents(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<AgentType>> {
    requireKind(ctx.principal, 'ADMIN', 'AGENT', 'SERVICE');
    return mapPage(await this.service.list(ctx.principal, { first, after }), AgentType.from);
  }

  @Mutation(() => AgentType, { description: 'Admin. Without builderName the agent is anonymous.' })
  async registerAgent(
    @Arg('input', () => RegisterAgentInput) input: RegisterAgentInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<AgentType> {
    requireKind(ctx.principal, 'ADMIN');
    return AgentType.from(await this.service.register(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey)));
  }

  @Mutation(() => AgentType, { description: 'Admin. Gives an anonymous agent its builder (found or registered by name).' })
  async registerBuilder(
    @Arg('agentId', () => ID) agentId: string,
    @Arg('builderName', () => String) builderName: string,
    @Ctx() ctx: MerchantContext,
  ): Promise<AgentType> {
    requireKind(ctx.principal, 'ADMIN');
    return AgentType.from(await this.service.registerBuilder(agentId, builderName));
  }

  @FieldResolver(() => BuilderType, { nullable: true, description: 'Null for an anonymous agent.' })
  async builder(@Root() agent: AgentType, @Ctx() ctx: MerchantContext): Promise<BuilderType | null> {
    if (!agent.builderId) return null;
    const b = await ctx.loaders.builders.load(agent.builderId);
    return b && BuilderType.from(b);
  }
}
