// Internal (payment-intent): a checkout session's risk signals (risk-signals.ts). @inaccessible,
// SERVICE only; docs/internal-contracts.md.
import { requireKind, SafeInt, type SubgraphContext } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { Arg, Ctx, Directive, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import { riskSignalsOf, type CheckoutRiskSignals } from './risk-signals.js';

@Directive('@inaccessible')
@ObjectType('CheckoutRiskSignals', { description: "Internal: what a checkout session tells its merchant's risk rules." })
export class CheckoutRiskSignalsType {
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => ID) merchantId: string;
  @Field() status: string;
  @Field(() => String, { nullable: true }) customerEmail: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2.' }) billingCountry: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2.' }) shippingCountry: string | null;
  @Field(() => ID, { nullable: true }) agentId: string | null;
  @Field(() => SafeInt, { description: "The session's total, minor units." }) amountMinor: number;
  @Field() currency: string;
  @Field(() => ID, { nullable: true }) paymentIntentId: string | null;
  @Field(() => SafeInt, { description: 'What its held gift cards and store credit cover, minor units (the card pays the rest).' }) tenderHeldMinor: number;
}

@Resolver()
export class CheckoutRiskSignalsResolver {
  constructor(private readonly manager: EntityManager) {}

  @Query(() => CheckoutRiskSignalsType, { nullable: true, description: "Internal (payment-intent's risk rules): the session's signals; null when it does not exist." })
  @Directive('@inaccessible')
  checkoutRiskSignals(@Arg('checkoutSessionId', () => ID) checkoutSessionId: string, @Ctx() ctx: SubgraphContext): Promise<CheckoutRiskSignals | null> {
    requireKind(ctx.principal, 'SERVICE');
    return riskSignalsOf(this.manager, checkoutSessionId);
  }
}
