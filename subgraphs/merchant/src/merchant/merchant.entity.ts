// A merchant row in merchant.merchants. Commission terms and the conversion flow are flat
// columns (CHECK constraints in the migration mirror the validation in commission-terms.ts and
// conversion-flow.ts).
import { MinorUnitsColumn, type Money } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CommissionTerms } from './commission-terms.js';
import type { ConversionFlow } from './conversion-flow.js';
import { CommissionType, MerchantStatus } from './merchant.enums.js';
import { RecurringCommissionRule } from './recurring-commission.js';

@Entity({ name: 'merchants' })
export class MerchantEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) country: string;
  @Column({ type: 'text', name: 'default_currency' }) defaultCurrency: string;
  @Column({ type: 'text' }) status: MerchantStatus;
  @Column({ type: 'text', name: 'commission_type' }) commissionType: CommissionType;
  @MinorUnitsColumn({ name: 'commission_cpa_minor', nullable: true }) commissionCpaMinor: number | null;
  @Column({ type: 'text', name: 'commission_cpa_currency', nullable: true }) commissionCpaCurrency: string | null;
  @Column({ type: 'int', name: 'commission_percentage_bps', nullable: true }) commissionPercentageBps: number | null;
  @Column({ type: 'text', name: 'commission_recurring_rule', default: RecurringCommissionRule.FIRST_PAYMENT_ONLY }) commissionRecurringRule: RecurringCommissionRule;
  @Column({ type: 'int', name: 'commission_recurring_periods', nullable: true }) commissionRecurringPeriods: number | null;
  @Column({ type: 'int', name: 'commission_recurring_paid_period', nullable: true }) commissionRecurringPaidPeriod: number | null;
  @Column({ type: 'int', name: 'validation_period_days' }) validationPeriodDays: number;
  @Column({ type: 'text', name: 'flow_type' }) flowType: string;
  @Column({ type: 'text', name: 'flow_steps', array: true }) flowSteps: string[];
  @Column({ type: 'text', name: 'flow_payable_after' }) flowPayableAfter: string;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}

export function commissionTermsOf(m: MerchantEntity): CommissionTerms {
  const cpa: Money | null =
    m.commissionCpaMinor === null || m.commissionCpaCurrency === null
      ? null
      : { amountMinor: m.commissionCpaMinor, currency: m.commissionCpaCurrency };
  const recurring = { rule: m.commissionRecurringRule, periods: m.commissionRecurringPeriods, paidPeriod: m.commissionRecurringPaidPeriod };
  return { type: m.commissionType, cpa, percentageBps: m.commissionPercentageBps, recurring };
}

export function setCommissionTerms(m: MerchantEntity, terms: CommissionTerms): void {
  m.commissionType = terms.type;
  m.commissionCpaMinor = terms.cpa?.amountMinor ?? null;
  m.commissionCpaCurrency = terms.cpa?.currency ?? null;
  m.commissionPercentageBps = terms.percentageBps;
  m.commissionRecurringRule = terms.recurring.rule;
  m.commissionRecurringPeriods = terms.recurring.periods;
  m.commissionRecurringPaidPeriod = terms.recurring.paidPeriod;
}

export function conversionFlowOf(m: MerchantEntity): ConversionFlow {
  return { type: m.flowType, steps: [...m.flowSteps], payableAfter: m.flowPayableAfter };
}

export function setConversionFlow(m: MerchantEntity, flow: ConversionFlow): void {
  m.flowType = flow.type;
  m.flowSteps = [...flow.steps];
  m.flowPayableAfter = flow.payableAfter;
}

/** What events carry about a merchant: everything but secrets (it has none) and timestamps. */
export function merchantSnapshot(m: MerchantEntity): Record<string, unknown> {
  return {
    merchantId: m.id,
    name: m.name,
    country: m.country,
    defaultCurrency: m.defaultCurrency,
    status: m.status,
    commissionTerms: commissionTermsOf(m),
    validationPeriodDays: m.validationPeriodDays,
    conversionFlow: conversionFlowOf(m),
  };
}
