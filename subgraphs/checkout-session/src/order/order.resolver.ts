// Seed 003 §8 in GraphQL: finalizeCheckout (sync), finalizeCheckoutAsync, checkoutFinalizationJob,
// rollbackCheckoutFinalization, CheckoutSession.order, and the merchant's orders read back
// (checkoutOrder, checkoutOrders). Merchant key for its own sessions and orders, admin for any.
// Check the principal, map arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, type Page, type Principal } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { optionalText, requiredId } from '../input.js';
import type { FinalizationJobs } from './finalization-jobs.service.js';
import type { FinalizationService } from './finalization.service.js';
import { CheckoutFinalizationJob, CheckoutOrder, CheckoutOrderConnection, CheckoutRollback, FinalizeCheckoutInput } from './order.type.js';

const mayReadOrder = (p: Principal) => p.kind === 'MERCHANT' || p.kind === 'ADMIN';

@Resolver(() => CheckoutSession)
export class OrderResolver {
  constructor(
    private readonly finalization: FinalizationService,
    private readonly jobs: FinalizationJobs,
  ) {}

  @Mutation(() => CheckoutOrder, {
    description:
      'Finalizes a paid checkout session: its order and receipt (lines and totals from the current calculation), handed to the merchant (order.created). ' +
      'Exactly once: a second call answers the same order. Unpaid: CHECKOUT_NOT_PAID; canceled: INVALID_STATE_TRANSITION; expired: CHECKOUT_SESSION_EXPIRED; stale calculation: CALCULATION_STALE.',
  })
  async finalizeCheckout(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('input', () => FinalizeCheckoutInput, { nullable: true }) input: FinalizeCheckoutInput | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutOrder> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return CheckoutOrder.from(await this.finalization.finalize(ctx.principal, requiredId(id, 'id'), { createOrder: input?.createOrder ?? true }));
  }

  @Mutation(() => CheckoutFinalizationJob, { description: 'Queues the finalization (the same checks first: a refusal writes nothing); poll checkoutFinalizationJob.' })
  async finalizeCheckoutAsync(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('input', () => FinalizeCheckoutInput, { nullable: true }) input: FinalizeCheckoutInput | null,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutFinalizationJob> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const job = await this.jobs.enqueueFinalize(ctx.principal, requiredId(id, 'id'), input?.createOrder ?? true, idempotencyKeyOf(ctx, idempotencyKey));
    return CheckoutFinalizationJob.from(job);
  }

  @Query(() => CheckoutFinalizationJob, { description: 'A finalization or rollback job: its status, order and last error. Unknown or another merchant\'s: FINALIZATION_NOT_FOUND.' })
  async checkoutFinalizationJob(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutFinalizationJob> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return CheckoutFinalizationJob.from(await this.jobs.job(ctx.principal, requiredId(id, 'id')));
  }

  @Query(() => CheckoutOrder, { description: "An order (ord_…) and its receipt, as finalizeCheckout answered it, with its status now. Unknown or another merchant's: ORDER_NOT_FOUND." })
  async checkoutOrder(@Arg('id', () => ID, { description: 'The order id (ord_…).' }) id: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutOrder> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return CheckoutOrder.from(await this.finalization.reads.order(ctx.principal, id));
  }

  @Query(() => CheckoutOrderConnection, { description: "Orders, oldest first. A merchant: its own (another merchant's merchantId: none); an admin: all, or one merchant's." })
  async checkoutOrders(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<Page<CheckoutOrder>> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return mapPage(await this.finalization.reads.list(ctx.principal, { merchantId, first, after }), CheckoutOrder.from);
  }

  @Mutation(() => CheckoutRollback, {
    description:
      "Rolls a finalization back: the local steps undone at once (gift-card holds released…), the payment voided (authorised) or refunded (captured) by a job retried with backoff; each step in the session's timeline. " +
      'No finalized order: INVALID_STATE_TRANSITION (order:none->ROLLED_BACK). A second call answers the rollback under way.',
  })
  async rollbackCheckoutFinalization(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why (at most 500 characters), kept on the order and in the timeline.' }) reason: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutRollback> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const r = await this.jobs.rollback(ctx.principal, requiredId(id, 'id'), optionalText(reason, 'reason', 500) ?? null);
    return Object.assign(new CheckoutRollback(), { job: CheckoutFinalizationJob.from(r.job), order: CheckoutOrder.from(r.order) });
  }

  @FieldResolver(() => CheckoutOrder, { nullable: true, description: 'The order its finalization created; null before. Its merchant and admins only.' })
  async order(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<CheckoutOrder | null> {
    if (!mayReadOrder(ctx.principal)) return null;
    const [order] = await this.finalization.orderOf([s.id]);
    return order ? CheckoutOrder.from(order) : null;
  }
}
