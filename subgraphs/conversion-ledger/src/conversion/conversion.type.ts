// The GraphQL face of a conversion. Resolvers return ConversionEntity rows: plain fields share
// the entity's property names; derived ones have field resolvers in conversion.resolver.ts.
import { MoneyInput, MoneyType } from '@handoff/shared';
import { GraphQLJSON } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CommissionType } from '../commission/commission.js';
import { AgentRef, AgentSessionRef, MerchantRef, PaymentIntentRef, RecommendationRef } from '../federation/stubs.js';
import { ConversionPath, ConversionStatus } from './conversion.enums.js';

@ObjectType('Commission', { description: 'The commission as it stands now (after refunds and clawbacks); parts add up exactly.' })
export class CommissionType_ {
  @Field(() => MoneyType) amount: MoneyType;
  @Field(() => MoneyType) networkFee: MoneyType;
  @Field(() => MoneyType, { description: '80 % (floor) to a registered builder; 0 for an anonymous agent.' }) builderPayout: MoneyType;
  @Field(() => MoneyType, { description: "An anonymous agent's builder share, held until settlement." }) unclaimed: MoneyType;
  @Field(() => MoneyType, { description: 'A held share no builder claimed before settlement: never invoiced.' }) forfeited: MoneyType;
  @Field(() => CommissionType) type: CommissionType;
}

@ObjectType('Milestone')
export class MilestoneType {
  @Field() step: string;
  @Field({ description: 'completed | failed' }) status: string;
  @Field(() => GraphQLJSON, { nullable: true }) metadata: unknown;
  @Field() recordedAt: Date;
}

@ObjectType('LedgerEntry', { description: 'One append-only line of the double-entry books.' })
export class LedgerEntryType {
  @Field(() => ID) id: string;
  @Field({ description: 'e.g. builder_payable:<builder id>, network_revenue' }) account: string;
  @Field() accountType: string;
  @Field() owner: string;
  @Field({ description: 'debit | credit' }) direction: string;
  @Field(() => MoneyType, { description: 'Always positive; see direction.' }) amount: MoneyType;
  @Field(() => ID) transactionId: string;
  @Field({ description: 'commission | adjustment | reversal | release | forfeit | payout | invoice_payment' }) kind: string;
  @Field(() => ID, { nullable: true, description: 'The original transaction this one corrects.' }) reversesTransactionId: string | null;
  @Field(() => ID, { nullable: true }) conversionId: string | null;
  @Field() createdAt: Date;
}

@ObjectType('Conversion')
@Directive('@key(fields: "id")')
export class Conversion {
  @Field(() => ID) id: string;
  @Field(() => ConversionStatus) status: ConversionStatus;
  @Field(() => ConversionPath) conversionPath: ConversionPath;
  @Field(() => String, { description: 'verified | pending_validation | flagged:<reason> | rejected:<reason>' }) verification: string;
  @Field(() => MoneyType) transactionValue: MoneyType;
  @Field(() => MoneyType) refunded: MoneyType;
  @Field(() => String, { nullable: true }) orderReference: string | null;
  @Field(() => CommissionType_) commission: CommissionType_;
  @Field(() => Int) validationPeriodDays: number;
  @Field(() => Date) validatesAt: Date;
  @Field(() => MerchantRef) merchant: MerchantRef;
  @Field(() => AgentRef, { nullable: true }) agent: AgentRef | null;
  @Field(() => RecommendationRef, { nullable: true }) recommendation: RecommendationRef | null;
  @Field(() => AgentSessionRef, { nullable: true }) session: AgentSessionRef | null;
  @Field(() => PaymentIntentRef, { nullable: true }) paymentIntent: PaymentIntentRef | null;
  @Field(() => ID, { nullable: true, description: "The billing subscription (bsub_…) whose period this payment paid; null for a one-off payment." })
  subscriptionId: string | null;
  @Field(() => Int, {
    nullable: true,
    description: "The subscription period this conversion's payment paid: 1 = the first payment at checkout, 2 = the first renewal, …; null for a one-off payment. Each period that earns commission under the merchant's recurring rule is a conversion of its own.",
  })
  billingPeriod: number | null;
  @Field(() => [MilestoneType]) milestones: MilestoneType[];
  @Field(() => [LedgerEntryType]) ledgerEntries: LedgerEntryType[];
  @Field(() => String, { nullable: true, description: "The admin's decision on a flagged conversion." }) reviewReason: string | null;
  @Field(() => Date, { nullable: true }) paidAt: Date | null;
  @Field(() => Int, { description: 'Increments on every change (optimistic concurrency).' }) version: number;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
}

@InputType('ReportConversionInput')
export class ReportConversionInput {
  @Field(() => ID) sessionId: string;
  @Field() orderReference: string;
  @Field(() => MoneyInput) transactionValue: MoneyInput;
}

@InputType('MilestoneInput')
export class MilestoneInput {
  @Field() step: string;
  @Field({ description: 'completed | failed' }) status: string;
  @Field(() => GraphQLJSON, { nullable: true }) metadata?: Record<string, unknown> | null;
}
