// Payment intent mutations: check the principal, map arguments, call one service method.
import { idempotencyKeyOf, requireKind, SafeInt, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, Directive, ID, Int, Mutation, Resolver } from 'type-graphql';
import { RefundService } from '../refund/refund.service.js';
import { RefundType } from '../refund/refund.type.js';
import { PaymentIntentCommands } from './payment-intent.commands.js';
import type { PaymentIntentEntity } from './payment-intent.entity.js';
import { CreatePaymentIntentForCheckoutInput, CreatePaymentIntentInput, PaymentMethodInput } from './payment-intent.input.js';
import { PaymentIntentCreation } from './payment-intent.create.js';
import { CheckoutIntentRenewal } from './checkout-renewal.js';
import { PaymentIntent } from './payment-intent.type.js';
import { RiskContextInput } from '../risk/risk.input.js';
import { validateRiskContext } from '../risk/risk-rules.validation.js';

@Resolver(() => PaymentIntent)
export class PaymentIntentMutationResolver {
  constructor(
    private readonly commands: PaymentIntentCommands,
    private readonly refunds: RefundService,
    private readonly creation: PaymentIntentCreation,
    private readonly renewal: CheckoutIntentRenewal,
  ) {}

  @Mutation(() => PaymentIntent, {
    description:
      "A merchant's intent: standalone, or its checkout session's (amount = the session's grand total, else BAD_USER_INPUT); captureMode MANUAL authorizes for a later capture. Merchant, or admin naming merchantId.",
  })
  async createPaymentIntent(
    @Arg('input', () => CreatePaymentIntentInput) input: CreatePaymentIntentInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    const principal = requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const { amount, ...rest } = input;
    // A session whose intent was canceled is paid by a fresh one (checkout-renewal.ts), then answered as the session's intent.
    if (input.checkoutSessionId) await this.renewal.renewForCreate(principal, input.checkoutSessionId, { ...amount, merchantId: input.merchantId ?? null });
    return this.creation.create(principal, { ...rest, amountMinor: amount.amountMinor, currency: amount.currency }, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => PaymentIntent, {
    description:
      "The checkout session's live payment intent: its own, or, when that was canceled and the session is still OPEN, a fresh one with the same terms (one live intent per session; concurrent calls get the same). Its merchant, an admin, or the session's hosted page (client secret). Unknown or another merchant's session: CHECKOUT_SESSION_NOT_FOUND; a session no longer open: INVALID_STATE_TRANSITION.",
  })
  renewCheckoutPaymentIntent(@Arg('checkoutSessionId', () => ID) checkoutSessionId: string, @Ctx() ctx: SubgraphContext): Promise<PaymentIntentEntity> {
    const principal = requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'CLIENT');
    return this.renewal.renewFor(principal, checkoutSessionId);
  }

  @Mutation(() => PaymentIntent, { description: 'Keeps a payment method token (pm_…) on an intent waiting for one (→ REQUIRES_CONFIRMATION); confirm without a method then pays with it.' })
  attachPaymentMethod(
    @Arg('id', () => ID) id: string,
    @Arg('paymentMethodId', () => ID) paymentMethodId: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'CLIENT', 'SERVICE');
    return this.creation.attach(ctx.principal, id, paymentMethodId, idempotencyKeyOf(ctx, idempotencyKey));
  }

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
    @Arg('paymentMethod', () => PaymentMethodInput, { nullable: true, description: 'Absent: the method attached (attachPaymentMethod).' }) paymentMethod: PaymentMethodInput | null,
    @Arg('riskContext', () => RiskContextInput, { nullable: true, description: "The buyer's IP and its country, for the merchant's risk rules (a merchant confirming server-side)." })
    riskContext: RiskContextInput | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'CLIENT', 'SERVICE');
    return this.commands.confirm(ctx.principal, id, paymentMethod, validateRiskContext(riskContext, 'riskContext'), idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => PaymentIntent, { description: 'The outcome of the 3-D Secure challenge (sandbox: approve or fail).' })
  completeThreeDSecure(
    @Arg('id', () => ID) id: string,
    @Arg('approved', () => Boolean) approved: boolean,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'CLIENT', 'SERVICE');
    return this.commands.completeThreeDSecure(ctx.principal, id, approved, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => PaymentIntent, { description: 'MANUAL capture of all or part of the authorized amount; the rest is released.' })
  capturePaymentIntent(
    @Arg('id', () => ID) id: string,
    @Arg('amountMinor', () => SafeInt, { nullable: true }) amountMinor: number | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    return this.commands.capture(ctx.principal, id, amountMinor, {}, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => PaymentIntent)
  cancelPaymentIntent(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<PaymentIntentEntity> {
    requireKind(ctx.principal, 'ADMIN', 'MERCHANT', 'SERVICE');
    return this.commands.cancel(ctx.principal, id, idempotencyKeyOf(ctx, idempotencyKey));
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
