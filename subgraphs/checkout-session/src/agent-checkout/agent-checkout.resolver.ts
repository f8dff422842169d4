// checkout (seed 000) and the fields of AgentCheckout, all derived from the checkout session the
// checkout created: check the principal, map arguments, call the service.
import { idempotencyKeyOf, money, MoneyType, requireKind, toMoneyType } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { AgentSessionEntity } from '../agent-session/agent-session.entity.js';
import { sessionNotFound } from '../agent-session/agent-session.errors.js';
import { AgentSession } from '../agent-session/agent-session.type.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';
import type { CheckoutSessionService } from '../checkout-session/checkout-session.service.js';
import { effectiveStatus } from '../checkout-session/checkout-session.states.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { CheckoutContext } from '../context.js';
import { MerchantRef, OfferRef } from '../federation/stubs.js';
import type { AgentCheckoutService } from './agent-checkout.service.js';
import { AgentCheckout, CheckoutInput } from './agent-checkout.type.js';

const statusWord: Record<CheckoutSessionStatus, string> = {
  [CheckoutSessionStatus.OPEN]: 'awaiting_payment',
  [CheckoutSessionStatus.COMPLETE]: 'complete',
  [CheckoutSessionStatus.EXPIRED]: 'expired',
  [CheckoutSessionStatus.CANCELED]: 'canceled',
};

@Resolver(() => AgentCheckout)
export class AgentCheckoutResolver {
  constructor(
    private readonly checkouts: AgentCheckoutService,
    private readonly sessions: CheckoutSessionService,
  ) {}

  @Mutation(() => AgentCheckout, { description: 'Agent: a checkout URL for a recommendation, with the signed attribution on its payment.' })
  checkout(
    @Arg('input', () => CheckoutInput) input: CheckoutInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    const agent = requireKind(ctx.principal, 'AGENT');
    return this.checkouts.checkout(agent, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @FieldResolver(() => ID)
  transactionId(@Root() cs: CheckoutSessionEntity): string {
    return cs.id;
  }

  @FieldResolver(() => ID)
  paymentId(@Root() cs: CheckoutSessionEntity): string {
    return cs.paymentIntentId!; // ensureIntent returns only sessions with an intent
  }

  @FieldResolver(() => String)
  checkoutUrl(@Root() cs: CheckoutSessionEntity): string {
    return this.sessions.hostedPageUrl(cs.id);
  }

  @FieldResolver(() => String)
  status(@Root() cs: CheckoutSessionEntity): string {
    return statusWord[effectiveStatus(cs)];
  }

  @FieldResolver(() => String)
  backend(): string {
    return 'orchestrated';
  }

  @FieldResolver(() => String)
  mode(): string {
    return 'checkout';
  }

  @FieldResolver(() => MoneyType)
  amount(@Root() cs: CheckoutSessionEntity): MoneyType {
    return toMoneyType(money(cs.totalMinor, cs.currency));
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() cs: CheckoutSessionEntity): MerchantRef {
    return { id: cs.merchantId };
  }

  @FieldResolver(() => OfferRef)
  offer(@Root() cs: CheckoutSessionEntity): OfferRef {
    return { id: cs.offerId! };
  }

  @FieldResolver(() => AgentSession)
  async session(@Root() cs: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<AgentSessionEntity> {
    const s = await ctx.loaders.agentSessionRefs.load(cs.agentSessionId!);
    if (!s) throw sessionNotFound(cs.agentSessionId!);
    return s;
  }

  @FieldResolver(() => CheckoutSession)
  checkoutSession(@Root() cs: CheckoutSessionEntity): CheckoutSessionEntity {
    return cs;
  }
}
