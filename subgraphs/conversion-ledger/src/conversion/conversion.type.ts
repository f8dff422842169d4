// The GraphQL face of a conversion. Resolvers return ConversionEntity rows: plain fields share
// the entity's property names; derived ones (transactionValue, merchant, agent) have field
// resolvers in conversion.resolver.ts.
import { MoneyType } from '@handoff/shared';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { AgentRef, MerchantRef } from '../federation/stubs.js';
import { ConversionPath, ConversionStatus } from './conversion.enums.js';

@ObjectType('Conversion')
@Directive('@key(fields: "id")')
export class Conversion {
  @Field(() => ID)
  id: string;

  @Field(() => ConversionStatus)
  status: ConversionStatus;

  @Field(() => ConversionPath)
  conversionPath: ConversionPath;

  @Field(() => String, { description: 'verified | pending_validation | flagged:<reason>' })
  verification: string;

  @Field(() => MoneyType)
  transactionValue: MoneyType;

  @Field(() => String, { nullable: true })
  orderReference: string | null;

  @Field(() => Int)
  validationPeriodDays: number;

  @Field(() => Date)
  validatesAt: Date;

  @Field(() => MerchantRef)
  merchant: MerchantRef;

  @Field(() => AgentRef, { nullable: true })
  agent: AgentRef | null;

  @Field(() => Int, { description: 'Increments on every change (optimistic concurrency).' })
  version: number;

  @Field(() => Date)
  createdAt: Date;
}
