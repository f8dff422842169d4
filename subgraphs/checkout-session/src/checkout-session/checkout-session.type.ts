// The GraphQL face of a checkout session. Resolvers return CheckoutSessionEntity rows: plain
// fields share the entity's property names; derived ones (status, url, totals, merchant) have
// field resolvers in checkout-session.resolver.ts.
import { MoneyType, money, toMoneyType } from '@handoff/shared';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { MerchantRef } from '../federation/stubs.js';
import { CheckoutMode, CheckoutSessionStatus } from './checkout-session.enums.js';
import type { CheckoutSessionEntity } from './checkout-session.entity.js';

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

  @Field(() => Totals)
  totals: Totals;

  @Field(() => String, { description: 'The hosted checkout page.' })
  url: string;

  @Field(() => String, { nullable: true })
  successUrl: string | null;

  @Field(() => String, { nullable: true })
  cancelUrl: string | null;

  @Field(() => Date)
  expiresAt: Date;

  @Field(() => Int, { description: 'Increments on every change (optimistic concurrency).' })
  version: number;

  @Field(() => Date)
  createdAt: Date;
}
