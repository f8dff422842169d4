// The GraphQL face of a checkout session. Resolvers return CheckoutSessionEntity rows: plain
// fields share the entity's property names; derived ones (status, url, totals, merchant, lines,
// attribution) have field resolvers in checkout-session.resolver.ts.
import { Connection, MoneyInput, MoneyType, RecurringPriceInputType, RecurringPriceType, SafeInt, money, toMoneyType } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MerchantRef, OfferRef } from '../federation/stubs.js';
import { CheckoutMode, CheckoutSessionStatus } from './checkout-session.enums.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';
import { CaptureMode, CheckoutOwnerInput } from '../checkout-lifecycle/terms.type.js';

@ObjectType('Totals', { description: 'Amounts of a checkout session, all in its one currency.' })
export class Totals {
  @Field(() => MoneyType) subtotal: MoneyType;
  @Field(() => MoneyType) discount: MoneyType;
  @Field(() => MoneyType) tax: MoneyType;
  @Field(() => MoneyType) shipping: MoneyType;
  @Field(() => MoneyType) total: MoneyType;

  static of(session: CheckoutSessionEntity): Totals {
    const m = (minor: number) => toMoneyType(money(minor, session.currency));
    const totals = new Totals();
    totals.subtotal = m(session.subtotalMinor);
    totals.discount = m(session.discountMinor);
    totals.tax = m(session.taxMinor);
    totals.shipping = m(session.shippingMinor);
    totals.total = m(session.totalMinor);
    return totals;
  }
}

@ObjectType('LineItem')
export class LineItem {
  @Field() name: string;
  @Field(() => MoneyType) unitAmount: MoneyType;
  @Field(() => Int) quantity: number;
  @Field(() => MoneyType) total: MoneyType;
  @Field(() => OfferRef, { nullable: true }) offer: OfferRef | null;
  @Field({ description: "The tax category the line is taxed under: as given, else its offer's, else the merchant's default (fixed when the line was written)." })
  taxCategory: string;
  @Field(() => String, { nullable: true, description: "The merchant's SKU, as given." }) sku: string | null;
  @Field(() => RecurringPriceType, { nullable: true, description: "A SUBSCRIPTION session's recurring line: billed every period (its own price, else its offer's); null: charged once." })
  recurring: RecurringPriceType | null;
}

@ObjectType('Attribution', {
  description:
    "A session's attribution: the signed code its payment carries (an agent checkout's, or a verified token an agent attached; null fields when none) and the first and last touch agents attached (attachCheckoutAttribution).",
})
export class Attribution {
  @Field(() => String, { nullable: true, description: 'aap://<issuer>/v1/<payload>.<signature> (Ed25519), ≤ 500 characters.' }) aapCode: string | null;
  @Field(() => ID, { nullable: true }) recommendationId: string | null;
  @Field(() => ID, { nullable: true }) sessionId: string | null;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field(() => ID) merchantId: string;
  @Field(() => ID, { nullable: true }) agentId: string | null;
  /** Not a field: the session, for firstTouch / lastTouch (checkout-attribution/attribution-touch.resolver.ts). */
  checkoutSessionId: string;
}

@ObjectType('CheckoutPaymentMismatch', {
  description: 'A payment that succeeded for another amount or currency than the session total: the session was not completed.',
})
export class CheckoutPaymentMismatch {
  @Field(() => ID) paymentIntentId: string;
  @Field(() => MoneyType, { description: "The session's total." }) expected: MoneyType;
  @Field(() => SafeInt, { nullable: true, description: 'Minor units the payment reported; null when it did not say.' })
  receivedAmountMinor: number | null;
  @Field(() => String, { nullable: true }) receivedCurrency: string | null;
  @Field(() => Date) detectedAt: Date;
}

@ObjectType('CheckoutSession')
@Directive('@key(fields: "id")')
export class CheckoutSession {
  @Field(() => ID)
  id: string;

  @Field(() => CheckoutSessionStatus, { description: 'An open session past expiresAt reads as EXPIRED.' })
  status: CheckoutSessionStatus;

  @Field(() => CheckoutMode)
  mode: CheckoutMode;

  @Field(() => MerchantRef)
  merchant: MerchantRef;

  @Field(() => [LineItem])
  lineItems: LineItem[];

  @Field(() => Totals)
  totals: Totals;

  @Field(() => String, { description: 'The hosted checkout page (carries its client secret).' })
  url: string;

  @Field(() => String, {
    nullable: true,
    description: "The hosted page's client secret (the one `url` carries), for a client SDK; null when read by the hosted page itself.",
  })
  clientToken: string | null;

  @Field(() => String, { nullable: true, description: '{CHECKOUT_SESSION_ID} is replaced on redirect.' })
  successUrl: string | null;

  @Field(() => String, { nullable: true })
  cancelUrl: string | null;

  @Field(() => Date)
  expiresAt: Date;

  @Field(() => Int, { description: 'Increments on every change (optimistic concurrency).' })
  version: number;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => String, { nullable: true, description: 'Not shown to the hosted page.' })
  customerEmail: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "The merchant's metadata; not shown to the hosted page." })
  metadata: Record<string, string> | null;

  @Field(() => ID, { nullable: true, description: 'The payment intent paying this session, once created.' })
  paymentIntentId: string | null;

  @Field(() => Attribution, { nullable: true, description: 'Null for merchant-created sessions and for the hosted page.' })
  attribution: Attribution | null;

  @Field(() => CheckoutPaymentMismatch, { nullable: true, description: 'Set when a payment succeeded for another amount or currency; not shown to the hosted page.' })
  paymentMismatch: CheckoutPaymentMismatch | null;
}

export const CheckoutSessionConnection = Connection('CheckoutSession', CheckoutSession);

@InputType('LineItemInput')
export class LineItemInput {
  @Field({ description: '1 to 250 characters.' }) name: string;
  @Field(() => MoneyInput, { description: 'Whole minor units, greater than zero; every line in one currency.' }) unitAmount: MoneyInput;
  @Field(() => Int, { description: '1 to 999.' }) quantity: number;
  @Field(() => ID, { nullable: true, description: "One of the merchant's offers." }) offerId?: string | null;
  @Field(() => String, {
    nullable: true,
    description: "1 to 40 of a-z 0-9 _ - (lower-cased). Absent: the offer's tax category, else the merchant's default category.",
  })
  taxCategory?: string | null;
  @Field(() => String, { nullable: true, description: "The merchant's SKU: at most 100 characters, no control characters." }) sku?: string | null;
  @Field(() => RecurringPriceInputType, {
    nullable: true,
    description: "A recurring price (SUBSCRIPTION sessions only): every recurring line of a session on one cycle and one trial. Absent: the offer's recurring price, else charged once.",
  })
  recurring?: RecurringPriceInputType | null;
}

@InputType('CreateCheckoutSessionInput')
export class CreateCheckoutSessionInput {
  @Field(() => ID, { nullable: true, description: 'Admin only (a merchant key creates for its own merchant).' })
  merchantId?: string | null;
  @Field(() => [LineItemInput]) lineItems: LineItemInput[];
  @Field(() => CheckoutMode, { nullable: true, description: 'Default PAYMENT.' }) mode?: CheckoutMode | null;
  @Field(() => String, { nullable: true, description: 'https (http only for localhost); may hold {CHECKOUT_SESSION_ID}.' })
  successUrl?: string | null;
  @Field(() => String, { nullable: true }) cancelUrl?: string | null;
  @Field(() => Int, { nullable: true, description: '1800 to 86400, default 86400.' }) expiresInSeconds?: number | null;
  @Field(() => String, { nullable: true }) customerEmail?: string | null;
  @Field(() => GraphQLJSON, { nullable: true, description: '≤ 50 keys, key ≤ 40 characters, value ≤ 500; aap_* keys are reserved.' })
  metadata?: unknown;
  // Seed 003's session terms (checkout-lifecycle/).
  @Field(() => String, { nullable: true, description: "ISO 4217; when given it must be the line items' currency." }) currency?: string | null;
  @Field(() => CheckoutOwnerInput, { nullable: true, description: 'Who the session is for: a USER (with id) or a GUEST.' }) owner?: CheckoutOwnerInput | null;
  @Field(() => String, { nullable: true, description: 'Where the session comes from: web, app, pos, agent… (1 to 40 of a-z 0-9 . _ -).' }) channel?: string | null;
  @Field(() => ID, { nullable: true, description: "The merchant's cart the session is made from." }) cartId?: string | null;
  @Field(() => CaptureMode, { nullable: true, description: "AUTOMATIC or MANUAL (authorize now, capturePaymentIntent later); not given: the merchant's default capture mode (checkoutSettings), AUTOMATIC unless set." }) captureMode?: CaptureMode | null;
  @Field(() => Boolean, { nullable: true, description: 'Default false.' }) requireBillingAddress?: boolean | null;
}
