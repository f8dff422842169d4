// The GraphQL face of a checkout session's customer.
import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('CheckoutCustomer', { description: 'Who is buying: contact details, and the merchant’s customer id for a signed-in customer.' })
export class CheckoutCustomer {
  @Field(() => String, { nullable: true }) email: string | null;
  @Field(() => String, { nullable: true, description: 'E.164, e.g. "+442079460018".' }) phone: string | null;
  @Field(() => ID, { nullable: true, description: "The merchant's id of a signed-in customer; null for the hosted page." }) customerId: string | null;
  @Field({ description: 'The buyer asked to keep their payment details for later (stored by the payment side).' }) saveForLater: boolean;
}

@InputType('CheckoutCustomerInput', { description: 'A field left out keeps its value; null clears it.' })
export class CheckoutCustomerInput {
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'International format; spaces, dots, dashes and brackets are ignored.' }) phone?: string | null;
  @Field(() => ID, { nullable: true, description: 'Merchant, admin or agent only (FORBIDDEN for the hosted page).' }) customerId?: string | null;
  @Field(() => Boolean, { nullable: true }) saveForLater?: boolean | null;
}
