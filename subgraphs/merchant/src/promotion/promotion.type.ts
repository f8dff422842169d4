// The GraphQL face of a promotion.
import { Connection, MoneyInput, MoneyType, toMoneyType } from '@handoff/shared';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { amountOffOf, minSubtotalOf, type PromotionEntity } from './promotion.entity.js';

export enum PromotionScope {
  ORDER = 'ORDER',
  OFFERS = 'OFFERS',
}
registerEnumType(PromotionScope, { name: 'PromotionScope', description: 'ORDER: off the order subtotal; OFFERS: off the named offers\' lines.' });

export enum PromotionStacking {
  STACKABLE = 'STACKABLE',
  EXCLUSIVE = 'EXCLUSIVE',
}
registerEnumType(PromotionStacking, {
  name: 'PromotionStacking',
  description: 'STACKABLE: combines with other stackable promotions; EXCLUSIVE: applies alone.',
});

@ObjectType('Promotion')
export class PromotionType {
  @Field(() => ID) id: string;
  @Field(() => String, { nullable: true }) name: string | null;
  @Field(() => String, { nullable: true, description: 'Upper-cased; buyers may type it in any case. Null when automatic.' })
  code: string | null;
  @Field({ description: 'Applies without a code when its conditions hold.' }) automatic: boolean;
  @Field(() => Int, { nullable: true, description: '1..10000 (1000 = 10 % off).' }) percentOffBasisPoints: number | null;
  @Field(() => MoneyType, { nullable: true }) amountOff: MoneyType | null;
  @Field(() => PromotionScope) scope: PromotionScope;
  @Field(() => [ID], { description: 'The offers an OFFERS promotion applies to.' }) offerIds: string[];
  @Field(() => MoneyType, { nullable: true, description: 'The order subtotal must be at least this.' }) minSubtotal: MoneyType | null;
  @Field(() => Date, { nullable: true }) startsAt: Date | null;
  @Field(() => Date, { nullable: true }) endsAt: Date | null;
  @Field(() => Int, { nullable: true, description: 'Redemptions in all; null: unlimited.' }) usageLimit: number | null;
  @Field(() => Int, { nullable: true, description: 'Redemptions per customer; null: unlimited.' }) perCustomerLimit: number | null;
  @Field(() => PromotionStacking) stacking: PromotionStacking;
  @Field({ description: 'false once deactivated.' }) active: boolean;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(p: PromotionEntity): PromotionType {
    const amountOff = amountOffOf(p);
    const minSubtotal = minSubtotalOf(p);
    return Object.assign(new PromotionType(), {
      id: p.id,
      name: p.name,
      code: p.code,
      automatic: p.automatic,
      percentOffBasisPoints: p.percentOffBps,
      amountOff: amountOff && toMoneyType(amountOff),
      scope: p.scope,
      offerIds: [...p.offerIds],
      minSubtotal: minSubtotal && toMoneyType(minSubtotal),
      startsAt: p.startsAt,
      endsAt: p.endsAt,
      usageLimit: p.usageLimit,
      perCustomerLimit: p.perCustomerLimit,
      stacking: p.stacking,
      active: p.active,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    });
  }
}

export const PromotionConnection = Connection('Promotion', PromotionType);

@InputType('CreatePromotionInput')
export class CreatePromotionInput {
  @Field(() => ID) merchantId: string;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'Unique per merchant, ignoring case; required unless automatic.' })
  code?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Defaults to false.' }) automatic?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'Exactly one of percentOffBasisPoints (1..10000) and amountOff.' })
  percentOffBasisPoints?: number | null;
  @Field(() => MoneyInput, { nullable: true, description: "In the merchant's currency." }) amountOff?: MoneyInput | null;
  @Field(() => PromotionScope, { nullable: true, description: 'Defaults to ORDER.' }) scope?: PromotionScope | null;
  @Field(() => [ID], { nullable: true, description: "For scope OFFERS: the merchant's offers." }) offerIds?: string[] | null;
  @Field(() => MoneyInput, { nullable: true }) minSubtotal?: MoneyInput | null;
  @Field(() => Date, { nullable: true }) startsAt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'After startsAt.' }) endsAt?: Date | null;
  @Field(() => Int, { nullable: true }) usageLimit?: number | null;
  @Field(() => Int, { nullable: true, description: 'At most usageLimit.' }) perCustomerLimit?: number | null;
  @Field(() => PromotionStacking, { nullable: true, description: 'Defaults to STACKABLE.' }) stacking?: PromotionStacking | null;
}

@InputType('UpdatePromotionInput', { description: 'Only the fields given change.' })
export class UpdatePromotionInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'false deactivates (true reactivates).' }) active?: boolean | null;
  @Field(() => Date, { nullable: true, description: 'After startsAt.' }) endsAt?: Date | null;
  @Field(() => Int, { nullable: true }) usageLimit?: number | null;
  @Field(() => Int, { nullable: true }) perCustomerLimit?: number | null;
}
