// Inputs of the merchant mutations. Shapes only: validation is in merchant.validation.ts.
import { MoneyInput } from '@handoff/shared';
import { Field, InputType, Int } from 'type-graphql';
import { CommissionType, MerchantStatus } from './merchant.enums.js';
import { RecurringCommissionRule } from './recurring-commission.js';

@InputType('RecurringCommissionInput')
export class RecurringCommissionInput {
  @Field(() => RecurringCommissionRule) rule: RecurringCommissionRule;
  @Field(() => Int, { nullable: true, description: 'Required for EVERY_RENEWAL (only): commission on periods 1..periods, 1..1000.' })
  periods?: number | null;
  @Field(() => Int, { nullable: true, description: 'Required for MILESTONE (only): the paid period that earns commission, 1..1000.' })
  paidPeriod?: number | null;
}

@InputType('CommissionTermsInput')
export class CommissionTermsInput {
  @Field(() => CommissionType) type: CommissionType;
  @Field(() => MoneyInput, { nullable: true, description: "Required for CPA and HYBRID; in the merchant's default currency." })
  cpa?: MoneyInput | null;
  @Field(() => Int, { nullable: true, description: 'Required for PERCENTAGE and HYBRID: 1..10000 basis points.' })
  percentageBps?: number | null;
  @Field(() => RecurringCommissionInput, { nullable: true, description: 'Subscriptions: which paid periods earn commission; FIRST_PAYMENT_ONLY when omitted.' })
  recurring?: RecurringCommissionInput | null;
}

@InputType('ConversionFlowInput')
export class ConversionFlowInput {
  @Field({ description: 'A preset (instant_checkout, quote_application, install_activation, policy_start) or custom.' })
  type: string;
  @Field(() => [String], { nullable: true, description: 'Only for custom: 1 to 20 unique snake_case step names.' })
  steps?: string[] | null;
  @Field(() => String, { nullable: true, description: 'One of the steps; the last step when omitted.' })
  payableAfter?: string | null;
}

@InputType('CreateMerchantInput')
export class CreateMerchantInput {
  @Field() name: string;
  @Field({ description: 'ISO 3166-1 alpha-2, e.g. GB.' }) country: string;
  @Field({ description: 'ISO 4217, e.g. GBP.' }) defaultCurrency: string;
  @Field(() => CommissionTermsInput) commissionTerms: CommissionTermsInput;
  @Field(() => Int, { nullable: true, description: '0..365; 30 when omitted.' }) validationPeriodDays?: number | null;
  @Field(() => ConversionFlowInput, { nullable: true, description: 'instant_checkout when omitted.' })
  conversionFlow?: ConversionFlowInput | null;
}

@InputType('UpdateMerchantInput')
export class UpdateMerchantInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => CommissionTermsInput, { nullable: true }) commissionTerms?: CommissionTermsInput | null;
  @Field(() => Int, { nullable: true }) validationPeriodDays?: number | null;
  @Field(() => ConversionFlowInput, { nullable: true }) conversionFlow?: ConversionFlowInput | null;
  @Field(() => MerchantStatus, { nullable: true, description: 'Admin only.' }) status?: MerchantStatus | null;
}
