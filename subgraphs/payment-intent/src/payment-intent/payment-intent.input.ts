// Arguments of the payment intent mutations.
import { MoneyInput, SafeInt } from '@handoff/shared';
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
  @Field(() => String, { nullable: true, description: "The session's customer email when known: the intent's receiptEmail (lowercased)." })
  customerEmail?: string | null;
}

@InputType('CreatePaymentIntentInput', {
  description: "A merchant's payment intent: standalone, or its checkout session's (the amount must be what the session charges).",
})
export class CreatePaymentIntentInput {
  @Field(() => ID, { nullable: true, description: 'An admin names the merchant; a merchant key is its own.' })
  merchantId?: string | null;

  @Field(() => ID, { nullable: true, description: "The checkout session it pays: its intent, for the grand total of the session's calculation." })
  checkoutSessionId?: string | null;

  @Field(() => MoneyInput)
  amount: MoneyInput;

  @Field(() => CaptureMode, { nullable: true, description: "AUTOMATIC (default; a session's: the session's) or MANUAL (authorize now, capturePaymentIntent later)." })
  captureMode?: CaptureMode | null;

  @Field(() => [String], { nullable: true, description: "Stripe's payment method types (default [card]); must include card." })
  paymentMethodTypes?: string[] | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Up to 40 string pairs (aap_* and handoff_* are reserved).' })
  metadata?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  description?: string | null;
}
