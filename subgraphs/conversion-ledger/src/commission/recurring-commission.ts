// Recurring commissions (issue 22 item 5), pure: which paid period of a subscription earns
// commission under the merchant's recurring rule (set in the merchant subgraph's commission
// terms, recurring-commission.ts there, read with the terms), and what a payment intent's own
// record says it pays. A period that earns is a verified conversion of its own (its own
// payment, its own commission, its own books); a period that does not earns nothing and records
// no conversion (docs/architecture.md "Recurring commissions").
import type { PaymentIntentRecord } from '@handoff/shared';

export enum RecurringCommissionRule {
  FIRST_PAYMENT_ONLY = 'FIRST_PAYMENT_ONLY',
  EVERY_RENEWAL = 'EVERY_RENEWAL',
  MILESTONE = 'MILESTONE',
}

export interface RecurringCommission {
  rule: RecurringCommissionRule;
  /** EVERY_RENEWAL: periods 1..periods earn. */
  periods: number | null;
  /** MILESTONE: only this period earns. */
  paidPeriod: number | null;
}

export const FIRST_PAYMENT_ONLY: RecurringCommission = Object.freeze({ rule: RecurringCommissionRule.FIRST_PAYMENT_ONLY, periods: null, paidPeriod: null });

/** The subscription period a payment pays (period 1 = the first payment at checkout). */
export interface BillingPeriod {
  subscriptionId: string;
  period: number;
}

/** Whether paying `period` (>= 1) earns commission under `rule`. An incomplete rule earns as FIRST_PAYMENT_ONLY. */
export function periodEarnsCommission(rule: RecurringCommission, period: number): boolean {
  if (!Number.isInteger(period) || period < 1) return false;
  switch (rule.rule) {
    case RecurringCommissionRule.EVERY_RENEWAL:
      return period <= (rule.periods ?? 1);
    case RecurringCommissionRule.MILESTONE:
      return period === (rule.paidPeriod ?? 1);
    default:
      return period === 1;
  }
}

/**
 * The period a payment pays, from payment-intent's own record of its intent (never the PSP's
 * metadata): null for a one-off payment (no record, or no `recurring`). Throws on a record that
 * cannot be (payment-intent's bug, not the payment's): the job fails rather than guess.
 */
export function billingPeriodOf(intent: PaymentIntentRecord | null | undefined): BillingPeriod | null {
  const r = intent?.recurring;
  if (r === null || r === undefined) return null;
  if (typeof r.subscriptionId !== 'string' || r.subscriptionId === '' || r.subscriptionId.length > 200 || !Number.isInteger(r.period) || r.period < 1) {
    throw new TypeError(`payment intent ${intent!.id} has an invalid recurring record ${JSON.stringify(r)}`);
  }
  return { subscriptionId: r.subscriptionId, period: r.period };
}

/** A renewal (period 2 onwards): its code was issued at the subscription's checkout, long before. */
export const isRenewal = (b: BillingPeriod | null): boolean => b !== null && b.period > 1;
