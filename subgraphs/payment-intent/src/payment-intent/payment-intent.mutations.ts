// Payment intent mutations: check the principal, map arguments, call one service method.
import { idempotencyKeyOf, requireKind, SafeInt, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, Directive, ID, Int, Mutation, Resolver } from 'type-graphql';
import { RefundService } from '../refund/refund.service.js';
import { RefundType } from '../refund/refund.type.js';
import { PaymentIntentCommands } from './payment-intent.commands.js';
import type { PaymentIntentEntity } from './payment-intent.entity.js';
import { CreatePaymentIntentForCheckoutInput, PaymentMethodInput } from './payment-intent.input.js';
import { PaymentIntent } from './payment-intent.type.js';
import { RiskContextInput } from '../risk/risk.input.js';
import { validateRiskContext } from '../risk/risk-rules.validation.js';

@Resolver(() => PaymentIntent)
export class PaymentIntentMutationResolver {
  constructor(
    private readonly commands: PaymentIntentCommands,
    private readonly refunds: RefundService,
  ) {}

  @Mutation(() => PaymentIntent, { description: 'Internal (checkout-session): the intent paying a checkout session; idempotent per session.' })
  @Directive('@inaccessible')
  createPaymentIntentForCheckout(
    @Arg('input', () => CreatePaymentIntentForCheckoutInput) input: CreatePaymentIntentForCheckoutInput,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'SERVICE');
    return this.commands.createForCheckout(input);
  }

  @Mutation(() => Int, { description: "Internal (checkout-session expiry): cancels the session's unpaid intent; how many were canceled." })
  @Directive('@inaccessible')
  cancelPaymentIntentsForCheckout(@Arg('checkoutSessionId', () => ID) checkoutSessionId: string, @Ctx() ctx: SubgraphContext): Promise<number> {
    requireKind(ctx.principal, 'SERVICE');
    return this.commands.cancelForCheckout(ctx.principal, checkoutSessionId);
  }

  @Mutation(() => PaymentIntent, {
    description: "The intent's merchant (server-side) or the hosted page (client secret). A decline → PAYMENT_DECLINED, recorded in lastPaymentError.",
  })
  confirmPaymentIntent(
    @Arg('id', () => ID) id: string,
    @Arg('paymentMethod', () => PaymentMethodInput) paymentMethod: PaymentMethodInput,
    @Arg('riskContext', () => RiskContextInput, { nullable: true, description: "The buyer's IP and its country, for the merchant's risk rules (a merchant confirming server-side)." })
    riskContext: RiskContextInput | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'CLIENT', 'SERVICE');
    return this.commands.confirm(ctx.principal, id, paymentMethod, validateRiskContext(riskContext, 'riskContext'));
  }

  @Mutation(() => PaymentIntent, { description: 'The outcome of the 3-D Secure challenge (sandbox: approve or fail).' })
  completeThreeDSecure(@Arg('id', () => ID) id: string, @Arg('approved', () => Boolean) approved: boolean, @Ctx() ctx: SubgraphContext): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'CLIENT', 'SERVICE');
    return this.commands.completeThreeDSecure(ctx.principal, id, approved);
  }

  @Mutation(() => PaymentIntent, { description: 'MANUAL capture of all or part of the authorized amount; the rest is released.' })
  capturePaymentIntent(
    @Arg('id', () => ID) id: string,
    @Arg('amountMinor', () => SafeInt, { nullable: true }) amountMinor: number | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    return this.commands.capture(ctx.principal, id, amountMinor);
  }

  @Mutation(() => PaymentIntent)
  cancelPaymentIntent(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    return this.commands.cancel(ctx.principal, id);
  }

  @Mutation(() => RefundType, { description: 'Partial or full (default: all that is left); never above what was captured.' })
  async refundPaymentIntent(
    @Arg('id', () => ID) id: string,
    @Arg('amountMinor', () => SafeInt, { nullable: true }) amountMinor: number | null,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<RefundType> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    return RefundType.from(await this.refunds.refund(ctx.principal, id, { amountMinor, reason }, idempotencyKeyOf(ctx, idempotencyKey)));
  }
}
