// The payments list's GraphQL face: paymentIntents(filter:, first:, after:) (payment-intent.list.ts).
import { Connection, SafeInt } from '@handoff/shared';
import { Field, ID, InputType } from 'type-graphql';
import { PaymentIntentStatus } from './payment-intent.enums.js';
import { PaymentIntent } from './payment-intent.type.js';

@InputType('PaymentIntentFilter', { description: 'Narrows paymentIntents; every field given must match (AND). Bad values → BAD_USER_INPUT naming the field.' })
export class PaymentIntentFilter {
  @Field(() => ID, { nullable: true, description: "An admin's choice of merchant; a merchant's key lists its own whatever this says." })
  merchantId?: string | null;

  @Field(() => [PaymentIntentStatus], { nullable: true, description: 'Any of these statuses (none or empty: every status).' })
  status?: PaymentIntentStatus[] | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after this instant.' })
  createdFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before this instant (exclusive); must be after createdFrom.' })
  createdTo?: Date | null;

  @Field(() => SafeInt, { nullable: true, description: 'Amount at least this, in minor units of currency (required with it); 0 or more.' })
  amountMin?: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'Amount at most this, in minor units of currency (required with it); at least amountMin.' })
  amountMax?: number | null;

  @Field(() => String, { nullable: true, description: 'ISO 4217 code: only intents in this currency. Required with amountMin or amountMax.' })
  currency?: string | null;

  @Field(() => String, { nullable: true, description: "The buyer's email (receiptEmail): exact match, case-insensitive (lowercased before matching)." })
  customerEmail?: string | null;
}

export const PaymentIntentConnection = Connection('PaymentIntent', PaymentIntent);
