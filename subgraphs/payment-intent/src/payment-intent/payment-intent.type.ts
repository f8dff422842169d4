// The GraphQL face of a payment intent. Resolvers return PaymentIntentEntity rows: plain fields
// share the entity's property names; derived ones (amounts, merchant, checkoutSession) have
// field resolvers in payment-intent.resolver.ts.
import { MoneyType } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { CheckoutSessionRef } from '../checkout-session/checkout-session.type.js';
import { MerchantRef } from '../federation/stubs.js';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from './payment-intent.enums.js';

@ObjectType('NextAction')
export class NextActionType {
  @Field(() => String, { description: '"three_d_secure" or "redirect_to_url".' })
  type: string;

  @Field(() => String, { nullable: true })
  url: string | null;
}

@ObjectType('PaymentError')
export class PaymentErrorType {
  @Field(() => String, { description: "e.g. card_declined (Stripe's codes)." })
  code: string;

  @Field(() => String, { nullable: true, description: 'e.g. insufficient_funds, generic_decline.' })
  declineCode: string | null;

  @Field(() => String)
  message: string;
}

@ObjectType('PaymentEvent', { description: "One entry of a payment intent's timeline." })
export class PaymentEventType {
  @Field(() => String, { description: 'e.g. payment_intent.succeeded, payment_intent.refunded, psp.charge.dispute.created.' })
  type: string;

  @Field(() => Date)
  at: Date;

  @Field(() => GraphQLJSON, { nullable: true })
  data: Record<string, unknown>;
}

@ObjectType('SandboxTestCard', { description: "One of the sandbox PSP's test cards and what paying with it does." })
export class SandboxTestCardType {
  @Field(() => String, { description: 'The card number, e.g. 4242424242424242.' })
  number: string;

  @Field(() => String, { description: 'succeed | decline_generic | decline_insufficient_funds | three_d_secure | processing' })
  behaviour: string;

  @Field(() => String, { description: 'What happens, in plain words, e.g. "Declined (insufficient funds)".' })
  outcome: string;
}

@ObjectType('PaymentIntent')
@Directive('@key(fields: "id")')
export class PaymentIntent {
  @Field(() => ID)
  id: string;

  @Field(() => PaymentIntentStatus)
  status: PaymentIntentStatus;

  @Field(() => MoneyType)
  amount: MoneyType;

  @Field(() => MoneyType)
  amountCaptured: MoneyType;

  @Field(() => MoneyType)
  amountRefunded: MoneyType;

  @Field(() => CaptureMode)
  captureMode: CaptureMode;

  @Field(() => [String], { description: "What it accepts (Stripe's payment_method_types)." })
  paymentMethodTypes: string[];

  @Field(() => PaymentProvider)
  provider: PaymentProvider;

  @Field(() => String, { nullable: true, description: "The PSP's own id (the data.object.id of its webhooks)." })
  providerPaymentId: string | null;

  @Field(() => GraphQLJSON, { description: 'Includes the attribution (aap_*) keys.' })
  metadata: Record<string, unknown>;

  @Field(() => MerchantRef)
  merchant: MerchantRef;

  @Field(() => CheckoutSessionRef, { nullable: true })
  checkoutSession: CheckoutSessionRef | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The buyer's email, lowercase (Stripe's receipt_email): its checkout session's customer email, when known. paymentIntents(filter: { customerEmail }) matches it exactly.",
  })
  receiptEmail: string | null;

  @Field(() => NextActionType, { nullable: true, description: 'What the buyer must do next (3-D Secure), while REQUIRES_ACTION.' })
  nextAction: NextActionType | null;

  @Field(() => PaymentErrorType, { nullable: true, description: 'Why the last attempt failed (a decline, a failed 3-D Secure).' })
  lastPaymentError: PaymentErrorType | null;

  @Field(() => Int, { description: 'Increments on every change (optimistic concurrency).' })
  version: number;

  @Field(() => Date)
  createdAt: Date;
}
