// The GraphQL face of the checkout KPIs (seed 003 §16): checkoutMetrics(merchantId, from, to).
import { SafeInt } from '@handoff/shared';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import type { CheckoutKpis } from './checkout-metrics.service.js';

@ObjectType('CheckoutMetrics', {
  description:
    'Checkout KPIs of the checkout sessions created in [from, to): what became of them, computed from the stored sessions and their timelines when asked (docs/api.md "Checkout metrics").',
})
export class CheckoutMetrics {
  @Field(() => ID, { nullable: true, description: "The merchant; null for an admin's figures over every merchant." }) merchantId: string | null;
  @Field(() => Date, { description: 'Inclusive.' }) from: Date;
  @Field(() => Date, { description: 'Exclusive.' }) to: Date;
  @Field(() => SafeInt, { description: 'checkout_initiated: checkout sessions created in the range.' }) checkoutInitiated: number;
  @Field(() => SafeInt, { description: 'payment_attempts: confirmations of their payments sent to the PSP (each payment.confirm_attempted timeline entry).' })
  paymentAttempts: number;
  @Field(() => SafeInt, { description: '3ds_challenges: times the PSP asked their buyers to authenticate (each payment.requires_action timeline entry).' })
  threeDSChallenges: number;
  @Field(() => SafeInt, { description: 'Of them, completed (paid).' }) completed: number;
  @Field(() => SafeInt, { description: 'Of them, ended unpaid (expired or canceled).' }) abandoned: number;
  @Field(() => SafeInt, { description: 'Of them, still open.' }) open: number;
  @Field(() => Float, { nullable: true, description: 'conversion_rate: completed / checkoutInitiated, 4 decimals; null when none was initiated.' })
  conversionRate: number | null;
  @Field(() => Float, { nullable: true, description: 'abandon_rate: abandoned / checkoutInitiated, 4 decimals; null when none was initiated.' })
  abandonRate: number | null;
  @Field(() => Float, { nullable: true, description: 'avg_time_to_purchase: mean seconds from a completed session\'s creation to its completion; null when none completed.' })
  avgTimeToPurchaseSeconds: number | null;

  static from(k: CheckoutKpis): CheckoutMetrics {
    return Object.assign(new CheckoutMetrics(), k);
  }
}
