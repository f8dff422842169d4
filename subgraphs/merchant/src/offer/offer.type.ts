// The GraphQL face of an offer; `merchant` is a field resolver (offer.resolver.ts).
import { Connection, MoneyInput, MoneyType, RecurringPriceInputType, RecurringPriceType, toMoneyType } from '@handoff/shared';
import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import { priceOf, type OfferEntity } from './offer.entity.js';

@ObjectType('Offer')
@Directive('@key(fields: "id")')
export class OfferType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: "The brand or provider shown to buyers (the merchant's name unless set)." }) provider: string;
  @Field(() => String, { nullable: true, description: 'What buyers and agents read about it; offer search reads it with the name and provider.' })
  description: string | null;
  @Field(() => MoneyType) price: MoneyType;
  @Field() active: boolean;
  @Field(() => String, { nullable: true, description: "The tax category; null: the merchant's default category." })
  taxCategory: string | null;
  @Field(() => RecurringPriceType, { nullable: true, description: 'Sold by subscription: its checkout lines bill on this cycle unless they give their own; null: sold once.' })
  recurring: RecurringPriceType | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
  /** Not a GraphQL field: the `merchant` resolver loads it. */
  merchantId: string;

  static from(o: OfferEntity): OfferType {
    return Object.assign(new OfferType(), {
      id: o.id,
      name: o.name,
      provider: o.provider,
      description: o.description ?? null,
      price: toMoneyType(priceOf(o)),
      active: o.active,
      taxCategory: o.taxCategory ?? null,
      recurring: RecurringPriceType.of(o.recurring),
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      merchantId: o.merchantId,
    });
  }
}

export const OfferConnection = Connection('Offer', OfferType);

@InputType('CreateOfferInput')
export class CreateOfferInput {
  @Field(() => ID) merchantId: string;
  @Field() name: string;
  @Field(() => String, { nullable: true, description: "Defaults to the merchant's name." }) provider?: string | null;
  @Field(() => String, { nullable: true, description: 'Up to 2000 characters.' }) description?: string | null;
  @Field(() => MoneyInput, { description: "Greater than zero, in the merchant's default currency." }) price: MoneyInput;
  @Field(() => Boolean, { nullable: true, description: 'Defaults to true.' }) active?: boolean | null;
  @Field(() => String, { nullable: true, description: "e.g. \"standard\", \"zero\"; null: the merchant's default category." })
  taxCategory?: string | null;
  @Field(() => RecurringPriceInputType, { nullable: true, description: 'Sold by subscription (issue 22); absent: sold once.' })
  recurring?: RecurringPriceInputType | null;
}

@InputType('UpdateOfferInput')
export class UpdateOfferInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => String, { nullable: true, description: 'Up to 2000 characters; "" removes it.' }) description?: string | null;
  @Field(() => MoneyInput, { nullable: true }) price?: MoneyInput | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
  @Field(() => String, { nullable: true, description: 'A category; "" sets it back to the default category.' }) taxCategory?: string | null;
  @Field(() => RecurringPriceInputType, { nullable: true, description: 'A new recurring price (checkout lines written after it take it).' }) recurring?: RecurringPriceInputType | null;
  @Field(() => Boolean, { nullable: true, description: 'true: sold once from now on (not with recurring).' }) removeRecurring?: boolean | null;
}
