// The GraphQL face of a refund.
import { MoneyType, money } from '@handoff/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import type { RefundEntity } from './refund.entity.js';

@ObjectType('Refund')
export class RefundType {
  @Field(() => ID) id: string;
  @Field(() => ID) paymentIntentId: string;
  @Field(() => MoneyType) amount: MoneyType;
  @Field(() => String, { description: 'PENDING | SUCCEEDED | FAILED' }) status: string;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => String, { nullable: true, description: "The PSP's refund id." }) providerRefundId: string | null;
  @Field(() => Date) createdAt: Date;

  static from(r: RefundEntity): RefundType {
    return Object.assign(new RefundType(), {
      id: r.id,
      paymentIntentId: r.paymentIntentId,
      amount: MoneyType.from(money(r.amountMinor, r.currency)),
      status: r.status,
      reason: r.reason,
      providerRefundId: r.providerRefundId,
      createdAt: r.createdAt,
    });
  }
}
