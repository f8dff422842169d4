// The GraphQL types of a checkout session's seed 003 terms (a leaf: checkout-session.type.ts's
// create input and checkout-lifecycle.type.ts both use them).
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum CheckoutOwnerType {
  USER = 'USER',
  GUEST = 'GUEST',
}
registerEnumType(CheckoutOwnerType, { name: 'CheckoutOwnerType', description: 'A signed-in user of the merchant, or a guest.' });

/** The same enum (name and values) as payment-intent's: the session's choice becomes its intent's. */
export enum CaptureMode {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
}
registerEnumType(CaptureMode, { name: 'CaptureMode' });

@ObjectType('CheckoutOwner', { description: 'Who the session is for (seed 003 `owner`).' })
export class CheckoutOwner {
  @Field(() => CheckoutOwnerType) type: CheckoutOwnerType;
  @Field(() => ID, { nullable: true, description: "The merchant's id of the user; optional for a guest." }) id: string | null;
}

@InputType('CheckoutOwnerInput')
export class CheckoutOwnerInput {
  @Field(() => CheckoutOwnerType) type: CheckoutOwnerType;
  @Field(() => ID, { nullable: true, description: 'Required for USER; 1 to 200 characters.' }) id?: string | null;
}
