// checkoutMetrics: a merchant's checkout KPIs for a date range (its own; an admin: one merchant's
// or every merchant's). Check the principal, map arguments, call the service.
import { requireKind } from '@handoff/shared';
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutMetricsService } from './checkout-metrics.service.js';
import { CheckoutMetrics } from './checkout-metrics.type.js';

@Resolver()
export class CheckoutMetricsResolver {
  constructor(private readonly metrics: CheckoutMetricsService) {}

  @Query(() => CheckoutMetrics, {
    description:
      'Checkout KPIs (seed 003 §16) of the sessions created in [from, to): a merchant key its own merchant\'s (another merchantId: FORBIDDEN); an admin one merchant\'s or, with none, every merchant\'s. ' +
      '`to` defaults to now, `from` to 30 days before `to`; `from` not before `to`: INVALID_DATE_RANGE; more than 366 days: DATE_RANGE_TOO_LARGE.',
  })
  async checkoutMetrics(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutMetrics> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return CheckoutMetrics.from(await this.metrics.kpis(ctx.principal, { merchantId, from, to }));
  }
}
