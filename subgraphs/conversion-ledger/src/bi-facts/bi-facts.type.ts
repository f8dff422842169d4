// GraphQL types of the BI facts report and its incremental export (docs/bi.md).
import { MoneyType } from '@handoff/shared';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum BiIntervalEnum {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(BiIntervalEnum, { name: 'BiInterval', description: 'UTC days, ISO weeks (Monday to Sunday, UTC), UTC months.' });

export enum BiDimensionEnum {
  MERCHANT = 'MERCHANT',
  AGENT = 'AGENT',
  OFFER = 'OFFER',
  CURRENCY = 'CURRENCY',
  CHANNEL = 'CHANNEL',
}
registerEnumType(BiDimensionEnum, { name: 'BiDimension' });

@InputType('BiFactsInput')
export class BiFactsInput {
  @Field(() => Date, { nullable: true, description: 'Inclusive; defaults to 30 days before `to`.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Exclusive; defaults to now. At most 366 days after `from`.' }) to?: Date | null;
  @Field(() => BiIntervalEnum) interval: BiIntervalEnum;
  @Field(() => [BiDimensionEnum], { nullable: true, description: 'Any of the dimensions together (none: one row per bucket).' }) groupBy?: BiDimensionEnum[] | null;
  @Field(() => ID, { nullable: true, description: 'Admin: one merchant (none: every merchant). A merchant: its own only.' }) merchantId?: string | null;
  @Field(() => ID, { nullable: true }) agentId?: string | null;
}

@ObjectType('BiAmounts', { description: 'One currency of a row: amounts are never added across currencies.' })
export class BiAmountsType {
  @Field() currency: string;
  @Field(() => MoneyType, { description: 'Gross merchandise value: what succeeded payments captured.' }) gmv: MoneyType;
  @Field(() => MoneyType, { description: 'Refunded in the bucket (by when the refund happened).' }) refunded: MoneyType;
  @Field(() => Float, { nullable: true, description: 'refunded / gmv, 4 decimals; null without GMV.' }) refundRate: number | null;
  @Field(() => MoneyType, { description: 'Transaction value of the verified conversions.' }) conversionValue: MoneyType;
  @Field(() => MoneyType, { description: 'Builder payouts of the conversions paid out.' }) paidOut: MoneyType;
}

@ObjectType('BiFactsRow')
export class BiFactsRowType {
  @Field({ description: 'The bucket: 2026-12-06 (DAY), 2026-W49 (WEEK), 2026-12 (MONTH).' }) bucket: string;
  @Field({ description: 'The bucket\'s first instant (UTC).' }) bucketStart: Date;
  @Field(() => ID, { nullable: true }) merchantId: string | null;
  @Field(() => ID, { nullable: true }) agentId: string | null;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field(() => String, { nullable: true }) currency: string | null;
  @Field(() => String, { nullable: true, description: 'AGENT (attributed to an agent) or DIRECT.' }) channel: string | null;
  @Field(() => Int, { description: 'Distinct agent sessions started in the bucket.' }) agentSessions: number;
  @Field(() => Int) recommendations: number;
  @Field(() => Int, { description: 'Checkout sessions created.' }) checkouts: number;
  @Field(() => Int) paymentsSucceeded: number;
  @Field(() => Int) refunds: number;
  @Field(() => Int) conversionsVerified: number;
  @Field(() => Int, { description: 'Conversions paid out to their builder.' }) paidOut: number;
  @Field(() => [BiAmountsType]) amounts: BiAmountsType[];
}

@ObjectType('BiFactsReport')
export class BiFactsReportType {
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => BiIntervalEnum) interval: BiIntervalEnum;
  @Field(() => [BiDimensionEnum]) groupBy: BiDimensionEnum[];
  @Field(() => ID, { nullable: true }) merchantId: string | null;
  @Field(() => [BiFactsRowType]) rows: BiFactsRowType[];
}

@ObjectType('BiFactChange', { description: 'One fact, as the export hands it out once.' })
export class BiFactChangeType {
  @Field({ description: 'Resume after this row: pass it as `since`.' }) cursor: string;
  @Field(() => ID) id: string;
  @Field({ description: 'AGENT_SESSION, RECOMMENDATION, CHECKOUT, PAYMENT, REFUND, CONVERSION, PAYOUT.' }) kind: string;
  @Field(() => ID, { description: 'The agent session, recommendation, checkout session, payment intent or conversion.' }) subjectId: string;
  @Field() occurredAt: Date;
  @Field() recordedAt: Date;
  @Field(() => ID, { nullable: true }) merchantId: string | null;
  @Field(() => ID, { nullable: true }) agentId: string | null;
  @Field(() => ID, { nullable: true }) offerId: string | null;
  @Field(() => ID, { nullable: true }) agentSessionId: string | null;
  @Field() channel: string;
  @Field(() => MoneyType, { nullable: true }) amount: MoneyType | null;
}

@ObjectType('BiFactChangePage')
export class BiFactChangePageType {
  @Field(() => [BiFactChangeType]) changes: BiFactChangeType[];
  @Field({ description: 'Pass as `since` for the next page (the same cursor when nothing new was ready).' }) nextCursor: string;
  @Field({ description: 'More rows are ready now.' }) hasMore: boolean;
}
