// The GraphQL face of gift cards and store credit (issue 20 item 3).
import { MoneyInput, MoneyType } from '@handoff/shared';
import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('GiftCard', { description: "A merchant's gift card. Its code is never shown again after issue: only its last 4 characters." })
export class GiftCard {
  @Field(() => ID) id: string;
  @Field(() => String) last4: string;
  @Field(() => MoneyType, { description: 'What is left to spend (amounts held by open checkouts are not in it).' }) balance: MoneyType;
  @Field(() => MoneyType, { description: 'What the card was issued for.' }) initialBalance: MoneyType;
  @Field(() => Date, { nullable: true }) expiresAt: Date | null;
  @Field(() => ID, { nullable: true, description: "The merchant's customer the card was issued to (it is in that customer's wallet), if any." }) customerId: string | null;
}

@ObjectType('IssuedGiftCard')
export class IssuedGiftCard {
  @Field(() => String, { description: 'The code, shown once (XXXX-XXXX-XXXX-XXXX): Handoff keeps only its hash. A retry with the same idempotency key answers the same code.' })
  code: string;
  @Field(() => GiftCard) giftCard: GiftCard;
}

@InputType('IssueGiftCardInput')
export class IssueGiftCardInput {
  @Field(() => ID) merchantId: string;
  @Field(() => MoneyInput, { description: 'More than zero, at most 10,000,000 minor units.' }) balance: MoneyInput;
  @Field(() => Date, { nullable: true, description: 'In the future; null: never expires.' }) expiresAt?: Date | null;
  @Field(() => ID, { nullable: true, description: "The merchant's customer id to put the card in the wallet of." }) customerId?: string | null;
}

@ObjectType('StoreCredit', { description: "A customer's store credit with a merchant, in one currency." })
export class StoreCredit {
  @Field(() => ID) customerId: string;
  @Field(() => MoneyType, { description: 'What is left to spend (amounts held by open checkouts are not in it).' }) balance: MoneyType;
}

@InputType('GrantStoreCreditInput')
export class GrantStoreCreditInput {
  @Field(() => ID) merchantId: string;
  @Field(() => ID, { description: "The merchant's customer id (a checkout session's customer.customerId)." }) customerId: string;
  @Field(() => MoneyInput, { description: 'More than zero, at most 10,000,000 minor units; added to what the customer has.' }) amount: MoneyInput;
}
