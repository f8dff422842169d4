// `viewer`: who the caller is — its role, and its merchant or agent.
import { requireAuthenticated } from '@handoff/shared';
import { Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { AgentType } from '../agent/agent.type.js';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';

@ObjectType('Viewer')
export class ViewerType {
  @Field({ description: 'ADMIN, MERCHANT, AGENT, SERVICE or CLIENT.' }) role: string;
  @Field(() => ID, { nullable: true, description: 'The API key in use, if any.' }) apiKeyId: string | null;
  merchantId: string | null;
  agentId: string | null;
}

@Resolver(() => ViewerType)
export class ViewerResolver {
  @Query(() => ViewerType)
  viewer(@Ctx() ctx: MerchantContext): ViewerType {
    const p = requireAuthenticated(ctx.principal);
    return Object.assign(new ViewerType(), {
      role: p.kind,
      apiKeyId: 'keyId' in p ? p.keyId : null,
      merchantId: p.kind === 'MERCHANT' ? p.merchantId : null,
      agentId: p.kind === 'AGENT' ? p.agentId : null,
    });
  }

  @FieldResolver(() => MerchantType, { nullable: true, description: "A merchant key's merchant." })
  async merchant(@Root() viewer: ViewerType, @Ctx() ctx: MerchantContext): Promise<MerchantType | null> {
    if (!viewer.merchantId) return null;
    const m = await ctx.loaders.merchantRefs.load(viewer.merchantId);
    return m && MerchantType.from(m);
  }

  @FieldResolver(() => AgentType, { nullable: true, description: "An agent key's agent." })
  async agent(@Root() viewer: ViewerType, @Ctx() ctx: MerchantContext): Promise<AgentType | null> {
    if (!viewer.agentId) return null;
    const a = await ctx.loaders.agentRefs.load(viewer.agentId);
    return a && AgentType.from(a);
  }
}
