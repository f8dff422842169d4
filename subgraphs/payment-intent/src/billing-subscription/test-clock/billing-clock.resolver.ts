// GraphQL adapter for the billing clock (billing-clock.ts): sandbox and test deployments only.
import type { SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { BillingSubscriptionEntity } from '../billing-subscription.entity.js';
import { BillingSubscriptionType } from '../billing-subscription.type.js';
import type { BillingClock } from './billing-clock.js';

@Resolver(() => BillingSubscriptionType)
export class BillingClockResolver {
  constructor(private readonly clock: BillingClock) {}

  @Mutation(() => BillingSubscriptionType, {
    description:
      "Sandbox and test deployments only (BILLING_CLOCK_UNAVAILABLE in production and for a subscription Stripe bills): makes the subscription's next renewal, or its next dunning retry, due now by moving its timeline (cycle anchor, periods, invoices) back, and enqueues that renewal on the renewal queue, where it runs as in production. A merchant its own, an admin any. Idempotent: when the renewal is already due nothing moves. Returns the subscription as moved; read it again for the renewal's outcome (its invoices).",
  })
  async advanceBillingClock(
    @Arg('id', () => ID) id: string,
    @Arg('period', () => Int, {
      nullable: true,
      description:
        "The period whose charge to make due (the subscription's next, currentPeriod + 1). A call that finds the subscription already past it (a retried or racing call arriving after that renewal ran) moves nothing; without it, every call makes the next charge due. A period beyond the next: BAD_USER_INPUT.",
    })
    period: number | null | undefined,
    @Ctx() ctx: SubgraphContext,
  ): Promise<BillingSubscriptionEntity> {
    return (await this.clock.advance(ctx.principal, id, period ?? undefined)).subscription;
  }
}
