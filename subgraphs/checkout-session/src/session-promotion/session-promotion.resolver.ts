// GraphQL adapter for promotion codes on a checkout session.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { BUYER_SURFACE_KINDS } from '../session-change/session-change.js';
import type { SessionPromotionService } from './session-promotion.service.js';

@Resolver(() => CheckoutSession)
export class SessionPromotionResolver {
  constructor(private readonly promotions: SessionPromotionService) {}

  @Mutation(() => CheckoutSession, {
    description:
      'Applies a promotion code (case-insensitive). Unknown, expired, not started, used up, below its minimum → PROMOTION_INVALID ' +
      '(extensions.reason promotion:<why>), nothing written. Applying a code already applied changes nothing. The calculation becomes stale.',
  })
  applyCheckoutPromotion(
    @Arg('id', () => ID) id: string,
    @Arg('code', () => String) code: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.promotions.apply(ctx.principal, id, code, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, { description: 'Removes an applied promotion code (BAD_USER_INPUT when it is not applied). The calculation becomes stale.' })
  removeCheckoutPromotion(
    @Arg('id', () => ID) id: string,
    @Arg('code', () => String) code: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.promotions.remove(ctx.principal, id, code, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @FieldResolver(() => [String], { description: 'The codes applied, upper case, in the order applied.' })
  promotionCodes(@Root() s: CheckoutSessionEntity): string[] {
    return s.promotionCodes ?? [];
  }
}
