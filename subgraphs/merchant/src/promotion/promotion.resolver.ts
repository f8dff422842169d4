// createPromotion, updatePromotion and Merchant.promotions: check the principal, map arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, requireMerchantAccess, type Page } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { MerchantContext } from '../context.js';
import { MerchantType } from '../merchant/merchant.type.js';
import type { PromotionService } from './promotion.service.js';
import { CreatePromotionInput, PromotionConnection, PromotionType, UpdatePromotionInput } from './promotion.type.js';

@Resolver(() => MerchantType)
export class PromotionResolver {
  constructor(private readonly service: PromotionService) {}

  @Mutation(() => PromotionType, {
    description: 'Admin, or the merchant itself. A code already used by the merchant (in any case) is PROMOTION_CODE_TAKEN.',
  })
  async createPromotion(
    @Arg('input', () => CreatePromotionInput) input: CreatePromotionInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<PromotionType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    requireMerchantAccess(ctx.principal, input.merchantId);
    return PromotionType.from(await this.service.create(ctx.principal, input, idempotencyKeyOf(ctx, idempotencyKey)));
  }

  @Mutation(() => PromotionType, { description: 'Admin, or the merchant that owns it: deactivate, change its end, name or limits.' })
  async updatePromotion(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdatePromotionInput) input: UpdatePromotionInput,
    @Ctx() ctx: MerchantContext,
  ): Promise<PromotionType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT');
    return PromotionType.from(await this.service.update(ctx.principal, id, input));
  }

  @FieldResolver(() => PromotionConnection, {
    description: "This merchant's promotions, oldest first; empty for anyone but an admin or the merchant itself.",
  })
  async promotions(
    @Root() merchant: MerchantType,
    @Arg('active', () => Boolean, { nullable: true, description: 'Only active (true) or inactive (false) ones.' }) active: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: MerchantContext,
  ): Promise<Page<PromotionType>> {
    return mapPage(await this.service.list(ctx.principal, merchant.id, { active, first, after }), PromotionType.from);
  }
}
