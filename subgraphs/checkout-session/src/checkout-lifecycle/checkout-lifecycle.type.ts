// The inputs of updateCheckoutSession. The fields on CheckoutSession itself are field resolvers in
// checkout-lifecycle.resolver.ts; the terms' types are in terms.type.ts.
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { LineItemInput } from '../checkout-session/checkout-session.type.js';
import { CaptureMode, CheckoutOwnerInput } from './terms.type.js';

export { CaptureMode, CheckoutOwner, CheckoutOwnerInput, CheckoutOwnerType } from './terms.type.js';

@InputType('UpdateCheckoutSessionInput', { description: 'Only the fields given change; null clears owner, channel and cartId.' })
export class UpdateCheckoutSessionInput {
  @Field(() => GraphQLJSON, { nullable: true, description: 'Replaces the metadata (same limits as at create).' }) metadata?: unknown;
  @Field(() => CheckoutOwnerInput, { nullable: true }) owner?: CheckoutOwnerInput | null;
  @Field(() => String, { nullable: true }) channel?: string | null;
  @Field(() => ID, { nullable: true }) cartId?: string | null;
  @Field(() => [LineItemInput], {
    nullable: true,
    description: "Replaces every line (same rules as at create, same currency) while the session is OPEN and not paying; the calculation becomes stale. Not for an agent's checkout (its code binds the amount).",
  })
  lineItems?: LineItemInput[] | null;
  @Field(() => CaptureMode, { nullable: true, description: 'Takes effect for a payment intent not created yet.' }) captureMode?: CaptureMode | null;
  @Field(() => Boolean, { nullable: true }) requireBillingAddress?: boolean | null;
}
