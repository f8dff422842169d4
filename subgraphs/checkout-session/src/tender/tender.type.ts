// The GraphQL face of a checkout session's tender (issue 20 item 3).
import { MoneyType } from '@handoff/shared';
import { Field, ID, ObjectType } from 'type-graphql';
import { GiftCard } from '../gift-card/gift-card.type.js';

@ObjectType('TenderApplication', { description: 'What a gift card or store credit now holds on the checkout, and what is left to pay by card.' })
export class TenderApplication {
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => MoneyType, { description: 'The amount held (not yet spent) by this application; negative for a removal (what went back).' }) applied: MoneyType;
  @Field(() => MoneyType, { description: 'The grand total minus every hold: what the card payment will charge.' }) remaining: MoneyType;
}

@ObjectType('AppliedTender', { description: 'One hold on the checkout: spent when the checkout is paid, given back when its payment fails.' })
export class AppliedTender {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'GIFT_CARD or STORE_CREDIT.' }) kind: string;
  @Field(() => MoneyType) amount: MoneyType;
  @Field(() => GiftCard, { nullable: true }) giftCard: GiftCard | null;
}

@ObjectType('CheckoutWallet', { description: "The tender applied to a checkout and what its customer could still apply (seed 003 §11's wallet)." })
export class CheckoutWallet {
  @Field(() => [AppliedTender]) applied: AppliedTender[];
  @Field(() => MoneyType, { description: 'Everything held.' }) held: MoneyType;
  @Field(() => MoneyType, { description: 'The grand total minus the holds: what the card pays.' }) amountDue: MoneyType;
  @Field(() => MoneyType, { nullable: true, description: "The customer's store credit left (null when the checkout has no customer id)." }) storeCredit: MoneyType | null;
  @Field(() => [GiftCard], { description: "The customer's cards with a balance, in the checkout's currency, not expired." }) giftCards: GiftCard[];
}
