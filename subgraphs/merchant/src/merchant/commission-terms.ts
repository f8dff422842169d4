// Commission terms: which of a fixed CPA amount and a percentage (in basis points) apply,
// validated against the merchant's default currency. Pure: no database, no GraphQL.
import { badUserInput, money, normalizeCurrency, type Money } from '@handoff/shared';
import { CommissionType } from './merchant.enums.js';
import { resolveRecurringCommission, type RecurringCommission, type RecurringCommissionSpec } from './recurring-commission.js';

export interface CommissionTerms {
  type: CommissionType;
  /** Set for CPA and HYBRID; always in the merchant's default currency. */
  cpa: Money | null;
  /** 1..10000; set for PERCENTAGE and HYBRID. */
  percentageBps: number | null;
  /** Which paid periods of a subscription earn commission (FIRST_PAYMENT_ONLY when omitted): recurring-commission.ts. */
  recurring: RecurringCommission;
}

export interface CommissionTermsSpec {
  type: CommissionType | string;
  cpa?: { amountMinor: number; currency: string } | null;
  percentageBps?: number | null;
  recurring?: RecurringCommissionSpec | null;
}

export const MAX_BASIS_POINTS = 10_000;

const needsCpa = (t: CommissionType) => t === CommissionType.CPA || t === CommissionType.HYBRID;
const needsPercentage = (t: CommissionType) => t === CommissionType.PERCENTAGE || t === CommissionType.HYBRID;

/** Validates terms for a merchant whose default currency is `defaultCurrency`; throws BAD_USER_INPUT. */
export function resolveCommissionTerms(
  spec: CommissionTermsSpec | null | undefined,
  defaultCurrency: string,
  field = 'commissionTerms',
): CommissionTerms {
  if (!spec || typeof spec !== 'object') throw badUserInput(field, 'is required.');
  const type = spec.type as CommissionType;
  if (!Object.values(CommissionType).includes(type)) {
    throw badUserInput(`${field}.type`, `must be one of ${Object.values(CommissionType).join(', ')}.`);
  }
  const hasCpa = spec.cpa !== null && spec.cpa !== undefined;
  const hasPercentage = spec.percentageBps !== null && spec.percentageBps !== undefined;

  let cpa: Money | null = null;
  if (needsCpa(type)) {
    if (!hasCpa) throw badUserInput(`${field}.cpa`, `is required for ${type} commission.`);
    cpa = cpaMoney(spec.cpa!, defaultCurrency, `${field}.cpa`);
  } else if (hasCpa) {
    throw badUserInput(`${field}.cpa`, `must be omitted for ${type} commission.`);
  }

  let percentageBps: number | null = null;
  if (needsPercentage(type)) {
    if (!hasPercentage) throw badUserInput(`${field}.percentageBps`, `is required for ${type} commission.`);
    percentageBps = spec.percentageBps!;
    if (!Number.isInteger(percentageBps) || percentageBps < 1 || percentageBps > MAX_BASIS_POINTS) {
      throw badUserInput(`${field}.percentageBps`, `must be an integer from 1 to ${MAX_BASIS_POINTS} (basis points).`);
    }
  } else if (hasPercentage) {
    throw badUserInput(`${field}.percentageBps`, `must be omitted for ${type} commission.`);
  }
  return { type, cpa, percentageBps, recurring: resolveRecurringCommission(spec.recurring, `${field}.recurring`) };
}

function cpaMoney(input: { amountMinor: number; currency: string }, defaultCurrency: string, field: string): Money {
  if (typeof input !== 'object') throw badUserInput(field, 'must be a MoneyInput.');
  const currency = normalizeCurrency(input.currency, `${field}.currency`);
  if (currency !== defaultCurrency) {
    throw badUserInput(`${field}.currency`, `must be the merchant's default currency ${defaultCurrency}.`);
  }
  const cpa = money(input.amountMinor, currency, `${field}.amountMinor`);
  if (cpa.amountMinor <= 0) throw badUserInput(`${field}.amountMinor`, 'must be greater than zero.');
  return cpa;
}
