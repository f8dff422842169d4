// Merchant queries and mutations: check the principal, map arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, requireMerchantAccess, type Page } from '@handoff/shared';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { roleForbidden } from '../merchant-user/merchant-user.errors.js';
import { CreateMerchantInput, UpdateMerchantInput } from './merchant.input.js';
import type { MerchantService } from './merchant.service.js';
import { MerchantConnection, MerchantType } from './merchant.type.js';

@Resolver(() => MerchantType)
export class MerchantResolver {
  constructor(private readonly service: MerchantService) {}

  @Query(() => MerchantType, { nullable: true, description: 'Null when it does not exist or is not yours to see.' })
  async merchant(@Arg('id', () => ID) id: string, @Ctx() ctx: MerchantContext): Promise<MerchantType | null> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'AGENT', 'SERVICE');
    const m = await this.service.findVisible(ctx.principal, id);
    return m && MerchantType.from(m);
  }

  @Query(() => MerchantConnection, { description: 'Admin: all; a merchant: itself; an agent: active merchants.' })
  async merchants(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<MerchantType>> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'AGENT', 'SERVICE');
    return mapPage(await this.service.list(ctx.principal, { first, after }), MerchantType.from);
  }

  @Mutation(() => MerchantType, { description: 'Admin.' })
  async createMerchant(
    @Arg('input', () => CreateMerchantInput) input: CreateMerchantInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<MerchantType> {
    requireKind(ctx.principal, 'ADMIN');
    return MerchantType.from(await this.service.create(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey)));
  }

  @Mutation(() => MerchantType, {
    description: 'Admin, or the merchant itself (all but status). The commercial terms agents are paid by (commissionTerms, validationPeriodDays, conversionFlow): a portal user must be an owner.',
  })
  async updateMerchant(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateMerchantInput) input: UpdateMerchantInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<MerchantType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, id);
    const p = ctx.principal;
    const commercial = input.commissionTerms != null || input.validationPeriodDays != null || input.conversionFlow != null;
    if (commercial && p.kind === 'MERCHANT' && p.userRole && p.userRole !== 'OWNER') {
      throw roleForbidden('Only an owner changes the commission terms, the validation period or the conversion flow.');
    }
    return MerchantType.from(await this.service.update(ctx.principal, id, input));
  }
}
