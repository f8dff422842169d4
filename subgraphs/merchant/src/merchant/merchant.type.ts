// The GraphQL face of a merchant (API.md "merchant subgraph"). `paymentConnector` and `offers`
// are field resolvers in their own concepts' resolvers.
import { Connection, MoneyType, toMoneyType } from '@handoff/shared';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { commissionTermsOf, conversionFlowOf, type MerchantEntity } from './merchant.entity.js';
import { CommissionType, MerchantStatus } from './merchant.enums.js';
import { RecurringCommissionRule } from './recurring-commission.js';

@ObjectType('RecurringCommission', { description: 'Which paid periods of a subscription earn commission (each one a verified conversion of its own).' })
export class RecurringCommissionType {
  @Field(() => RecurringCommissionRule) rule: RecurringCommissionRule;
  @Field(() => Int, { nullable: true, description: 'EVERY_RENEWAL: commission on periods 1..periods (period 1 = the first payment at checkout).' })
  periods: number | null;
  @Field(() => Int, { nullable: true, description: 'MILESTONE: commission once, when this period is paid (3 = the third paid period).' })
  paidPeriod: number | null;
}

@ObjectType('CommissionTerms')
export class CommissionTermsType {
  @Field(() => CommissionType) type: CommissionType;
  @Field(() => MoneyType, { nullable: true, description: 'The fixed amount per conversion (CPA, HYBRID).' })
  cpa: MoneyType | null;
  @Field(() => Int, { nullable: true, description: 'Basis points of the transaction value (PERCENTAGE, HYBRID).' })
  percentageBps: number | null;
  @Field(() => RecurringCommissionType, { description: "A subscription's paid periods that earn commission; FIRST_PAYMENT_ONLY unless set." })
  recurring: RecurringCommissionType;
}

@ObjectType('ConversionFlow')
export class ConversionFlowType {
  @Field({ description: 'instant_checkout, quote_application, install_activation, policy_start or custom.' })
  type: string;
  @Field(() => [String]) steps: string[];
  @Field(() => String, { nullable: true, description: 'The step after which the commission is payable.' })
  payableAfter: string | null;
}

@ObjectType('Merchant')
@Directive('@key(fields: "id")')
export class MerchantType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: 'ISO 3166-1 alpha-2.' }) country: string;
  @Field({ description: 'ISO 4217; offers and CPA commission are in this currency.' }) defaultCurrency: string;
  @Field(() => MerchantStatus) status: MerchantStatus;
  @Field(() => CommissionTermsType) commissionTerms: CommissionTermsType;
  @Field(() => Int, { description: 'Days a conversion waits before it validates (default 30).' })
  validationPeriodDays: number;
  @Field(() => ConversionFlowType) conversionFlow: ConversionFlowType;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;

  static from(m: MerchantEntity): MerchantType {
    const terms = commissionTermsOf(m);
    const flow = conversionFlowOf(m);
    return Object.assign(new MerchantType(), {
      id: m.id,
      name: m.name,
      country: m.country,
      defaultCurrency: m.defaultCurrency,
      status: m.status,
      commissionTerms: Object.assign(new CommissionTermsType(), {
        type: terms.type,
        cpa: terms.cpa ? toMoneyType(terms.cpa) : null,
        percentageBps: terms.percentageBps,
        recurring: Object.assign(new RecurringCommissionType(), terms.recurring),
      }),
      validationPeriodDays: m.validationPeriodDays,
      conversionFlow: Object.assign(new ConversionFlowType(), flow),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    });
  }
}

export const MerchantConnection = Connection('Merchant', MerchantType);
