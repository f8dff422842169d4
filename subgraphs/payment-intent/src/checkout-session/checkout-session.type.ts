// CheckoutSession is owned by the checkout-session subgraph; this subgraph adds its
// `paymentIntent` field (checkout-session.resolver.ts) and knows nothing else about it.
import { Directive, Field, ID, ObjectType } from 'type-graphql';

@ObjectType('CheckoutSession')
@Directive('@key(fields: "id")')
export class CheckoutSessionRef {
  @Field(() => ID)
  id: string;
}
