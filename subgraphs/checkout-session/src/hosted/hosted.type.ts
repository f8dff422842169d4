// The GraphQL face of hosted and embedded checkout (seed 003 §12).
import { Field, ID, ObjectType } from 'type-graphql';
import { CheckoutSessionStatus } from '../checkout-session/checkout-session.enums.js';

@ObjectType('CheckoutHostedLink', { description: 'A hosted checkout URL that expires; its id is what a redirect return asks about (checkoutHostedStatus).' })
export class CheckoutHostedLink {
  @Field(() => ID) hostedId: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field({ description: 'The hosted page, with a token that stops working at expiresAt.' }) url: string;
  @Field(() => Date) expiresAt: Date;
}

@ObjectType('CheckoutEmbedToken', { description: 'A short-lived Bearer token for an iframe or SDK: it reads and pays this one checkout session, nothing else.' })
export class CheckoutEmbedToken {
  @Field() token: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => Date) expiresAt: Date;
  @Field(() => [String], { description: 'Always ["read", "pay"].' }) scopes: string[];
}

@ObjectType('CheckoutHostedStatus', { description: "A hosted link's checkout, for a redirect return." })
export class CheckoutHostedStatus {
  @Field(() => ID) hostedId: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => CheckoutSessionStatus, { description: "The session's status now (EXPIRED once past its expiry)." }) status: CheckoutSessionStatus;
  @Field(() => ID, { nullable: true }) paymentIntentId: string | null;
  @Field(() => Date, { description: "When the link's token expires." }) expiresAt: Date;
  @Field({ description: 'True once the link has expired (the session may still be open).' }) linkExpired: boolean;
}
