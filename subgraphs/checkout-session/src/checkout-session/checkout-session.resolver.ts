// GraphQL adapter for checkout sessions: maps arguments, calls the service, shapes the result.
import type { SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { MerchantRef } from '../federation/stubs.js';
import { CheckoutSessionStatus } from './checkout-session.enums.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CheckoutSessionService } from './checkout-session.service.js';
import { effectiveStatus } from './checkout-session.states.js';
import { CheckoutSession, Totals } from './checkout-session.type.js';

@Resolver(() => CheckoutSession)
export class CheckoutSessionResolver {
  constructor(private readonly sessions: CheckoutSessionService) {}

  @Query(() => CheckoutSession, { nullable: true, description: 'A checkout session the caller may see, else null.' })
  checkoutSession(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SubgraphContext,
  ): Promise<CheckoutSessionEntity | null> {
    return this.sessions.findVisible(ctx.principal, id);
  }

  @FieldResolver(() => CheckoutSessionStatus)
  status(@Root() session: CheckoutSessionEntity): CheckoutSessionStatus {
    return effectiveStatus(session);
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() session: CheckoutSessionEntity): MerchantRef {
    return { id: session.merchantId };
  }

  @FieldResolver(() => Totals)
  totals(@Root() session: CheckoutSessionEntity): Totals {
    return Totals.of(session);
  }

  @FieldResolver(() => String)
  url(@Root() session: CheckoutSessionEntity): string {
    return this.sessions.hostedPageUrl(session.id);
  }
}
