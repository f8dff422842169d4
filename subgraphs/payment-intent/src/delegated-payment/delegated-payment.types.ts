// GraphQL shapes of delegated payments: the ACP delegate_payment request (camelCase; the gateway's
// REST route maps the spec's snake_case body onto it), the token as its agent sees it (never card
// data), and the answer of a payment with it.
import { SafeInt } from '@handoff/shared';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CheckoutSessionRef } from '../checkout-session/checkout-session.type.js';
import { PaymentIntent } from '../payment-intent/payment-intent.type.js';

@InputType('DelegatedCardInput', { description: "The spec's PaymentMethodCard. Vaulted at the merchant's PSP; Handoff keeps only the PSP's payment method id." })
export class DelegatedCardInput {
  @Field(() => String, { description: 'card' }) type: string;
  @Field(() => String, { description: 'fpan or network_token' }) cardNumberType: string;
  @Field(() => Boolean, { nullable: true }) virtual?: boolean | null;
  @Field(() => String) number: string;
  @Field(() => String, { nullable: true, description: '"01"-"12"' }) expMonth?: string | null;
  @Field(() => String, { nullable: true, description: 'Four digits.' }) expYear?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) cvc?: string | null;
  @Field(() => String, { nullable: true }) cryptogram?: string | null;
  @Field(() => String, { nullable: true }) eciValue?: string | null;
  @Field(() => [String], { nullable: true, description: 'avs, cvv, ani, auth0' }) checksPerformed?: string[] | null;
  @Field(() => String, { nullable: true }) iin?: string | null;
  @Field(() => String, { description: 'credit, debit or prepaid' }) displayCardFundingType: string;
  @Field(() => String, { nullable: true }) displayWalletType?: string | null;
  @Field(() => String, { nullable: true }) displayBrand?: string | null;
  @Field(() => String, { nullable: true }) displayLast4?: string | null;
  @Field(() => GraphQLJSONObject) metadata: Record<string, unknown>;
}

@InputType('DelegationAllowanceInput', { description: "The spec's Allowance: what the token may pay." })
export class DelegationAllowanceInput {
  @Field(() => String, { description: 'one_time' }) reason: string;
  @Field(() => SafeInt, { description: 'Minor units.' }) maxAmount: number;
  @Field(() => String, { description: 'Lowercase ISO 4217 (usd).' }) currency: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => ID) merchantId: string;
  @Field(() => String, { description: 'RFC 3339; within 30 days.' }) expiresAt: string;
}

@InputType('DelegationAddressInput')
export class DelegationAddressInput {
  @Field(() => String) name: string;
  @Field(() => String) lineOne: string;
  @Field(() => String, { nullable: true }) lineTwo?: string | null;
  @Field(() => String) city: string;
  @Field(() => String) state: string;
  @Field(() => String) country: string;
  @Field(() => String) postalCode: string;
}

@InputType('DelegationRiskSignalInput')
export class DelegationRiskSignalInput {
  @Field(() => String, { description: 'card_testing' }) type: string;
  @Field(() => Int) score: number;
  @Field(() => String, { description: 'blocked (refused), manual_review or authorized' }) action: string;
}

@InputType('DelegatePaymentInput', { description: "ACP's DelegatePaymentRequest." })
export class DelegatePaymentInput {
  @Field(() => DelegatedCardInput) paymentMethod: DelegatedCardInput;
  @Field(() => DelegationAllowanceInput) allowance: DelegationAllowanceInput;
  @Field(() => DelegationAddressInput, { nullable: true }) billingAddress?: DelegationAddressInput | null;
  @Field(() => [DelegationRiskSignalInput]) riskSignals: DelegationRiskSignalInput[];
  @Field(() => GraphQLJSONObject) metadata: Record<string, unknown>;
}

@ObjectType('DelegationAllowance')
export class DelegationAllowance {
  @Field() reason: string;
  @Field(() => SafeInt, { description: 'Minor units.' }) maxAmountMinor: number;
  @Field() currency: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => ID) merchantId: string;
  @Field(() => Date) expiresAt: Date;
}

@ObjectType('DelegatedCard', { description: 'What may be shown of the vaulted card.' })
export class DelegatedCard {
  @Field(() => String, { nullable: true }) brand: string | null;
  @Field(() => String, { nullable: true }) last4: string | null;
  @Field() funding: string;
}

@ObjectType('DelegatedPaymentToken', { description: 'A delegated payment token (vt_…), as the agent that delegated it sees it.' })
export class DelegatedPaymentToken {
  @Field(() => ID) id: string;
  @Field(() => Date) created: Date;
  @Field(() => GraphQLJSONObject, { description: "The request's metadata with merchant_id and idempotency_key added (the spec's echo)." })
  metadata: Record<string, string>;
  @Field({ description: 'ACTIVE or CONSUMED (paid once).' }) status: string;
  @Field(() => DelegationAllowance) allowance: DelegationAllowance;
  @Field(() => DelegatedCard) card: DelegatedCard;
  @Field(() => ID, { nullable: true, description: 'The payment intent it paid.' }) paymentIntentId: string | null;
  @Field(() => Date, { nullable: true }) consumedAt: Date | null;
  @Field(() => Int, { description: 'Declined payments (nothing charged; the token stays usable).' }) declinedAttempts: number;
}

@ObjectType('DelegatePaymentPayload')
export class DelegatePaymentPayload {
  @Field(() => DelegatedPaymentToken) token: DelegatedPaymentToken;
  @Field({ description: 'An earlier request with the same idempotency key answered this (nothing vaulted again).' }) replayed: boolean;
}

@InputType('PayCheckoutWithDelegatedPaymentInput')
export class PayCheckoutWithDelegatedPaymentInput {
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => String, { description: 'The vt_… token.' }) token: string;
  @Field(() => String, { nullable: true }) idempotencyKey?: string | null;
}

@ObjectType('DelegatedPaymentResult')
export class DelegatedPaymentResult {
  @Field(() => PaymentIntent) paymentIntent: unknown;
  @Field(() => CheckoutSessionRef, { description: 'The session paid (its status from checkout-session).' }) checkoutSession: CheckoutSessionRef;
  @Field(() => DelegatedPaymentToken) token: DelegatedPaymentToken;
}
