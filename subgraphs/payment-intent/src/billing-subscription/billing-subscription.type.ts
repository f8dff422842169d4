// The GraphQL face of billing subscriptions (`BillingSubscription`: `Subscription` is the root
// type) and their invoices. Resolvers return the entities; derived fields are in
// billing-subscription.resolver.ts. The saved card shows only its brand and last 4.
import { Connection, MoneyType, RecurringPriceType } from '@handoff/shared';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BillingInvoiceStatus, BillingSubscriptionStatus } from './billing-subscription.states.js';

registerEnumType(BillingSubscriptionStatus, {
  name: 'BillingSubscriptionStatus',
  description:
    'TRIALING (nothing charged yet, card saved), ACTIVE (current period paid), PAST_DUE (a renewal failed, being retried), UNPAID (retries exhausted, kept), CANCELED (final), INCOMPLETE (first payment not made), PAUSED (paused by the merchant: not renewed until resumed).',
});
registerEnumType(BillingInvoiceStatus, {
  name: 'BillingInvoiceStatus',
  description: 'DRAFT (being built), OPEN (to be charged), PAID, VOID (never to be charged), UNCOLLECTIBLE (dunning gave up).',
});

@ObjectType('BillingSubscriptionItem', { description: "A recurring line of the checkout that started the subscription: charged every period." })
export class BillingSubscriptionItemType {
  @Field() name: string;
  @Field(() => ID, { nullable: true, description: "The merchant's offer, when the line named one." }) offerId: string | null;
  @Field(() => MoneyType) unitAmount: MoneyType;
  @Field(() => Int) quantity: number;
  @Field(() => RecurringPriceType, { description: "The subscription's cycle (every item bills on it)." }) recurring: RecurringPriceType;
}

@ObjectType('BillingPaymentMethod', { description: 'The card saved for renewals, masked: never its token or number.' })
export class BillingPaymentMethodType {
  @Field(() => String, { nullable: true }) brand: string | null;
  @Field(() => String, { nullable: true }) last4: string | null;
  @Field({ description: 'The PSP that keeps it: TEST (the sandbox) or STRIPE.' }) provider: string;
}

@ObjectType('BillingInvoice', { description: 'One period of a subscription to be paid: one per period, never two charges for one.' })
export class BillingInvoiceType {
  @Field(() => ID) id: string;
  @Field(() => Int, { description: '1 = the first paid period (charged at checkout, or at the trial\'s end).' }) period: number;
  @Field(() => BillingInvoiceStatus) status: BillingInvoiceStatus;
  @Field(() => MoneyType) amount: MoneyType;
  @Field(() => Date) periodStart: Date;
  @Field(() => Date) periodEnd: Date;
  @Field(() => Int, { description: 'Charge attempts made.' }) attempts: number;
  @Field(() => Date, { nullable: true, description: 'When the next retry is due (dunning); null when none is scheduled.' }) nextAttemptAt: Date | null;
  @Field(() => Date, { nullable: true }) paidAt: Date | null;
  @Field(() => Date) createdAt: Date;
  /** Not a field: the paymentIntent resolver reads it. */
  paymentIntentId: string | null;
}

@ObjectType('BillingSubscription', { description: 'A recurring billing subscription started by a SUBSCRIPTION checkout session (issue 22).' })
export class BillingSubscriptionType {
  @Field(() => ID, { description: 'bsub_…' }) id: string;
  @Field(() => BillingSubscriptionStatus) status: BillingSubscriptionStatus;
  @Field({ description: 'ISO 4217.' }) currency: string;
  @Field(() => Int, { description: 'The last period paid or being paid (1 = the first); 0 during a trial.' }) currentPeriod: number;
  @Field(() => Date, { nullable: true }) currentPeriodStart: Date | null;
  @Field(() => Date, { nullable: true }) currentPeriodEnd: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the next period is charged; null when none is due.' }) nextRenewalAt: Date | null;
  @Field(() => Date, { nullable: true }) trialStart: Date | null;
  @Field(() => Date, { nullable: true }) trialEnd: Date | null;
  @Field({ description: 'Ends at the current period\'s end instead of renewing.' }) cancelAtPeriodEnd: boolean;
  @Field(() => Date, { nullable: true }) canceledAt: Date | null;
  @Field(() => Int) version: number;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
}

export const BillingSubscriptionConnection = Connection('BillingSubscription', BillingSubscriptionType);

