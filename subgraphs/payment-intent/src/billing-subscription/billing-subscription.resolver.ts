// GraphQL adapter for billing subscriptions: billingSubscription(id), billingSubscriptions(…),
// CheckoutSession.billingSubscription, and the derived fields (merchant, checkout session, cycle,
// items, saved card, invoices and the intents that paid them). Reads only, all through the
// caller's scope (billing-subscription.service.ts).
import { money, optionalId, RecurringPriceType, toMoneyType, type Page, type SubgraphContext } from '@handoff/shared';
import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { CheckoutSessionRef } from '../checkout-session/checkout-session.type.js';
import { MerchantRef } from '../federation/stubs.js';
import type { PaymentIntentEntity } from '../payment-intent/payment-intent.entity.js';
import { PaymentIntentService } from '../payment-intent/payment-intent.service.js';
import { PaymentIntent } from '../payment-intent/payment-intent.type.js';
import type { BillingInvoiceEntity, BillingSubscriptionEntity } from './billing-subscription.entity.js';
import { BillingSubscriptionService } from './billing-subscription.service.js';
import { BillingSubscriptionStatus } from './billing-subscription.states.js';
import { BillingInvoiceType, BillingPaymentMethodType, BillingSubscriptionConnection, BillingSubscriptionItemType, BillingSubscriptionType } from './billing-subscription.type.js';

const cycleOf = (s: BillingSubscriptionEntity) => RecurringPriceType.of({ interval: s.interval, intervalCount: s.intervalCount, trialDays: s.trialDays })!;

export function invoiceType(i: BillingInvoiceEntity): BillingInvoiceType {
  return Object.assign(new BillingInvoiceType(), {
    id: i.id,
    period: i.period,
    status: i.status,
    amount: toMoneyType(money(i.amountMinor, i.currency)),
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    attempts: i.attempts,
    nextAttemptAt: i.nextAttemptAt,
    paidAt: i.paidAt,
    createdAt: i.createdAt,
    paymentIntentId: i.paymentIntentId,
  });
}

@Resolver(() => BillingSubscriptionType)
export class BillingSubscriptionResolver {
  constructor(private readonly subscriptions: BillingSubscriptionService) {}

  @Query(() => BillingSubscriptionType, { nullable: true, description: 'A billing subscription the caller may see (a merchant: its own), else null.' })
  billingSubscription(@Arg('id', () => ID) id: string, @Ctx() ctx: SubgraphContext): Promise<BillingSubscriptionEntity | null> {
    return this.subscriptions.findVisible(ctx.principal, id);
  }

  @Query(() => BillingSubscriptionConnection, { description: "The caller's billing subscriptions (a merchant: its own; an admin: all, or one merchant's), by id; optionally one status." })
  billingSubscriptions(
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => BillingSubscriptionStatus, { nullable: true }) status: BillingSubscriptionStatus | null,
    @Arg('merchantId', () => ID, { nullable: true, description: 'Admin: one merchant. A merchant: its own id or nothing.' }) merchantId: string | null,
    @Ctx() ctx: SubgraphContext,
  ): Promise<Page<BillingSubscriptionEntity>> {
    // A merchant naming another merchant sees nothing (its scope already pins its own).
    return this.subscriptions.list(ctx.principal, { first, after, status, merchantId: optionalId(merchantId, 'merchantId') ?? null });
  }

  @FieldResolver(() => MerchantRef)
  merchant(@Root() s: BillingSubscriptionEntity): MerchantRef {
    return { id: s.merchantId };
  }

  @FieldResolver(() => CheckoutSessionRef, { description: 'The SUBSCRIPTION checkout session that started it.' })
  checkoutSession(@Root() s: BillingSubscriptionEntity): CheckoutSessionRef {
    return { id: s.checkoutSessionId };
  }

  @FieldResolver(() => RecurringPriceType, { description: 'Its billing cycle: every intervalCount intervals; trialDays as it started.' })
  recurring(@Root() s: BillingSubscriptionEntity): RecurringPriceType {
    return cycleOf(s);
  }

  @FieldResolver(() => [BillingSubscriptionItemType])
  async items(@Root() s: BillingSubscriptionEntity): Promise<BillingSubscriptionItemType[]> {
    const [items] = await this.subscriptions.itemsOf([s.id]);
    return items!.map((i) =>
      Object.assign(new BillingSubscriptionItemType(), { name: i.name, offerId: i.offerId, unitAmount: toMoneyType(money(i.unitAmountMinor, s.currency)), quantity: i.quantity, recurring: cycleOf(s) }),
    );
  }

  @FieldResolver(() => BillingPaymentMethodType, { nullable: true, description: 'The card saved for renewals (brand and last 4 only); null when none is saved.' })
  paymentMethod(@Root() s: BillingSubscriptionEntity): BillingPaymentMethodType | null {
    if (!s.paymentMethodId) return null;
    return Object.assign(new BillingPaymentMethodType(), { brand: s.paymentMethodBrand, last4: s.paymentMethodLast4, provider: s.provider });
  }

  @FieldResolver(() => [BillingInvoiceType], { description: 'Its invoices, by period.' })
  async invoices(@Root() s: BillingSubscriptionEntity): Promise<BillingInvoiceType[]> {
    const [invoices] = await this.subscriptions.invoicesOf([s.id]);
    return invoices!.map(invoiceType);
  }
}

@Resolver(() => BillingInvoiceType)
export class BillingInvoiceResolver {
  constructor(private readonly intents: PaymentIntentService) {}

  @FieldResolver(() => PaymentIntent, { nullable: true, description: 'The payment intent that paid (or last tried to pay) it, if the caller may see it.' })
  paymentIntent(@Root() i: BillingInvoiceType, @Ctx() ctx: SubgraphContext): Promise<PaymentIntentEntity | null> | null {
    return i.paymentIntentId ? this.intents.findVisible(ctx.principal, i.paymentIntentId) : null;
  }
}

@Resolver(() => CheckoutSessionRef)
export class CheckoutSessionBillingSubscriptionResolver {
  constructor(private readonly subscriptions: BillingSubscriptionService) {}

  @FieldResolver(() => BillingSubscriptionType, { nullable: true, description: 'The billing subscription this SUBSCRIPTION session started, once paid (or its trial started).' })
  billingSubscription(@Root() session: CheckoutSessionRef, @Ctx() ctx: SubgraphContext): Promise<BillingSubscriptionEntity | null> {
    return this.subscriptions.findVisibleForCheckoutSession(ctx.principal, session.id);
  }
}
