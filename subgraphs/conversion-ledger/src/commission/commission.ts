// Commission maths, pure: the amount from the merchant's terms (CPA, PERCENTAGE in basis points
// of the transaction value, HYBRID = both) and its exact split. Registered builder: builder =
// floor(80 %), network = the remainder. Anonymous agent: the builder's share is held unclaimed.
import { add, applyBasisPoints, money, splitByBasisPoints, zero, type Money } from '@handoff/shared';

export enum CommissionType {
  CPA = 'CPA',
  PERCENTAGE = 'PERCENTAGE',
  HYBRID = 'HYBRID',
}

export const BUILDER_SHARE_BPS = 8000;

export interface CommissionTerms {
  type: CommissionType;
  /** Minor units in the transaction's currency (CPA, HYBRID). */
  cpaMinor: number | null;
  percentageBps: number | null;
}

export interface CommissionSplit {
  amount: Money;
  networkFee: Money;
  /** Paid to a registered builder. */
  builderPayout: Money;
  /** Held for an anonymous agent's builder; released or never invoiced at settlement. */
  unclaimed: Money;
}

/** The commission on `value` (the transaction value, or what is left of it after refunds). */
export function commissionAmount(terms: CommissionTerms, value: Money): Money {
  const cpa = money(terms.cpaMinor ?? 0, value.currency);
  const pct = terms.percentageBps ? applyBasisPoints(value, terms.percentageBps, 'half_up') : zero(value.currency);
  switch (terms.type) {
    case CommissionType.CPA:
      return cpa;
    case CommissionType.PERCENTAGE:
      return pct;
    case CommissionType.HYBRID:
      return add(cpa, pct);
  }
}

/** Splits `amount` so the parts always add up to it exactly. */
export function splitCommission(amount: Money, builderRegistered: boolean): CommissionSplit {
  const [builderShare, networkFee] = splitByBasisPoints(amount, BUILDER_SHARE_BPS);
  const none = zero(amount.currency);
  return builderRegistered
    ? { amount, networkFee, builderPayout: builderShare, unclaimed: none }
    : { amount, networkFee, builderPayout: none, unclaimed: builderShare };
}

/**
 * The commission after `refundedMinor` of `value` was refunded: a percentage commission falls
 * pro rata (it is the percentage of what is left), a CPA commission stays as it is; a full
 * refund is a clawback and handled by the caller.
 */
export function commissionAfterRefund(terms: CommissionTerms, value: Money, refundedMinor: number): Money {
  const left = money(Math.max(0, value.amountMinor - refundedMinor), value.currency);
  return commissionAmount(terms, left);
}
