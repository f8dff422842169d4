// The GraphQL face of a payment intent. Resolvers return PaymentIntentEntity rows: plain fields
// share the entity's property names; derived ones (amounts, merchant, checkoutSession) have
// field resolvers in payment-intent.resolver.ts.
import { MoneyType } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { CheckoutSessionRef } from '../checkout-session/checkout-session.type.js';
import { MerchantRef } from '../federation/stubs.js';
import { CaptureMode, PaymentIntentStatus, PaymentProvider } from './payment-intent.enums.js';

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

  @Field(() => Int, { description: 'Increments on every change (optimistic concurrency).' })
  version: number;

  @Field(() => Date)
  createdAt: Date;
}
