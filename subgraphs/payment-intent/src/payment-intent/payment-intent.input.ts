// Arguments of the payment intent mutations.
import { SafeInt } from '@handoff/shared';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, ID, InputType } from 'type-graphql';
import { CaptureMode } from './payment-intent.enums.js';

@InputType('PaymentMethodInput', { description: 'Exactly one: a sandbox test card number (tokenized at once, never stored) or a pm_… token.' })
export class PaymentMethodInput {
  @Field(() => String, { nullable: true })
  testCard?: string | null;

  @Field(() => String, { nullable: true })
  token?: string | null;
}

@InputType('CreatePaymentIntentForCheckoutInput', { description: 'Internal (checkout-session).' })
@Directive('@inaccessible')
export class CreatePaymentIntentForCheckoutInput {
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => ID) merchantId: string;
  @Field(() => SafeInt) amountMinor: number;
  @Field(() => String) currency: string;
  @Field(() => CaptureMode, { nullable: true }) captureMode?: CaptureMode | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) metadata?: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Ask checkout-session (beginCheckoutPayment) for the amount before each confirmation.' })
  bindToCheckout?: boolean | null;
}
