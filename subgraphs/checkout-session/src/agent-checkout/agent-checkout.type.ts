// AgentCheckout: seed 000's checkout response, as a GraphQL type. Built from the checkout
// session the checkout created (agent-checkout.resolver.ts resolves each field).
import { MoneyType } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { AgentSession } from '../agent-session/agent-session.type.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { MerchantRef, OfferRef } from '../federation/stubs.js';

@ObjectType('AgentCheckout')
export class AgentCheckout {
  @Field(() => ID, { description: 'The checkout session id.' }) transactionId: string;
  @Field(() => ID, { description: 'The payment intent id.' }) paymentId: string;
  @Field() checkoutUrl: string;
  @Field({ description: '"awaiting_payment" while the buyer has not paid; then "complete", "expired" or "canceled".' }) status: string;
  @Field({ description: '"orchestrated": the payment goes through the merchant\'s own PSP.' }) backend: string;
  @Field({ description: '"checkout": a hosted checkout link for the buyer.' }) mode: string;
  @Field(() => MoneyType) amount: MoneyType;
  @Field(() => MerchantRef) merchant: MerchantRef;
  @Field(() => OfferRef) offer: OfferRef;
  @Field(() => AgentSession) session: AgentSession;
  @Field(() => CheckoutSession) checkoutSession: CheckoutSession;
}

@InputType('CheckoutInput')
export class CheckoutInput {
  @Field(() => ID, { nullable: true, description: 'Required; nullable so that a missing id is BAD_USER_INPUT with a message.' })
  sessionId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Required.' }) recommendationId?: string | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Reserved for vertical-specific details.' }) userDetails?: unknown;
}
