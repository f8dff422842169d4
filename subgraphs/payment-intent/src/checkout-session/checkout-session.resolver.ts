// CheckoutSession.paymentIntent: the intent paying a checkout session, seen through the
// caller's tenancy scope like every other read of intents.
import type { SubgraphContext } from '@handoff/shared';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { PaymentIntentService } from '../payment-intent/payment-intent.service.js';
import { PaymentIntent } from '../payment-intent/payment-intent.type.js';
import { CheckoutSessionRef } from './checkout-session.type.js';

@Resolver(() => CheckoutSessionRef)
export class CheckoutSessionPaymentIntentResolver {
  constructor(private readonly intents: PaymentIntentService) {}

  @FieldResolver(() => PaymentIntent, { nullable: true, description: 'The latest payment intent for this session.' })
  paymentIntent(@Root() session: CheckoutSessionRef, @Ctx() ctx: SubgraphContext): Promise<PaymentIntentEntity | null> {
    return this.intents.findVisibleForCheckoutSession(ctx.principal, session.id);
  }
}
