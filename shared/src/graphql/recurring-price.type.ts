// The GraphQL face of a recurring price (contracts/recurring-price.contract.ts): an offer's
// (merchant), a checkout line's (checkout-session) and a billing subscription's
// (payment-intent). A value type every subgraph that shows one declares the same (@shareable).
// The input's interval is a String, not the enum, so an unknown interval is refused by the rules
// (INVALID_RECURRING_PRICE, reason recurring:interval) rather than by GraphQL validation.
import { Directive, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { RecurringPrice } from '../contracts/recurring-price.contract.js';

export enum RecurringIntervalValue {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  YEAR = 'YEAR',
}
registerEnumType(RecurringIntervalValue, { name: 'RecurringInterval', description: 'The unit of a recurring price\'s billing cycle.' });

@ObjectType('RecurringPrice', { description: 'Bills every intervalCount intervals, the first charge after trialDays days (0: at checkout).' })
@Directive('@shareable')
export class RecurringPriceType {
  @Field(() => RecurringIntervalValue) interval: RecurringIntervalValue;
  @Field(() => Int, { description: '1 to one year of intervals (365 days, 52 weeks, 12 months, 1 year).' }) intervalCount: number;
  @Field(() => Int, { description: '0 to 365.' }) trialDays: number;

  static of(price: RecurringPrice | null | undefined): RecurringPriceType | null {
    if (!price) return null;
    return Object.assign(new RecurringPriceType(), { interval: price.interval as RecurringIntervalValue, intervalCount: price.intervalCount, trialDays: price.trialDays });
  }
}

@InputType('RecurringPriceInput')
export class RecurringPriceInputType {
  @Field(() => String, { description: 'DAY, WEEK, MONTH or YEAR (INVALID_RECURRING_PRICE otherwise).' }) interval: string;
  @Field(() => Int, { nullable: true, description: 'Default 1; at most one year of intervals.' }) intervalCount?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 0; at most 365.' }) trialDays?: number | null;
}
