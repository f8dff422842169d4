// GraphQL adapter for a checkout session's calculation: calculateCheckout, and the session's
// calculation, calculationStale and validation fields.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { BUYER_SURFACE_KINDS } from '../session-change/session-change.js';
import type { SessionCalculationService } from './session-calculation.service.js';
import { calculationOf, CheckoutCalculation, CheckoutValidation } from './session-calculation.type.js';

@Resolver(() => CheckoutSession)
export class SessionCalculationResolver {
  constructor(private readonly service: SessionCalculationService) {}

  @Mutation(() => CheckoutSession, {
    description:
      'Prices the session now (lines, promotions, shipping, tax) and stores the snapshot as its calculation; the totals follow it. ' +
      'A stale expectedVersion → VERSION_CONFLICT; a pricing provider that fails with fallback FAIL → PROVIDER_UNAVAILABLE; nothing written then.',
  })
  calculateCheckout(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, ...BUYER_SURFACE_KINDS);
    return this.service.calculate(ctx.principal, id, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @FieldResolver(() => CheckoutCalculation, { nullable: true, description: 'The current calculation (the totals come from it); null before calculateCheckout.' })
  async calculation(@Root() session: CheckoutSessionEntity): Promise<CheckoutCalculation | null> {
    const stored = await this.service.current(session);
    return stored ? calculationOf(stored) : null;
  }

  @FieldResolver(() => Boolean, { description: 'True when something that affects prices changed since the current calculation, or there is none.' })
  calculationStale(@Root() session: CheckoutSessionEntity): boolean {
    return session.calculationStale ?? true;
  }

  @FieldResolver(() => CheckoutValidation, { description: 'A validation-only pass over the session as it is now (a fresh calculation): the blockers; writes nothing.' })
  validation(@Root() session: CheckoutSessionEntity): Promise<CheckoutValidation> {
    return this.service.validate(session);
  }
}
