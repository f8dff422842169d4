// The recurring rule of a merchant's commission terms (issue 22 item 5): which paid periods of a
// subscription earn commission. FIRST_PAYMENT_ONLY (the default, what a one-off payment earns:
// period 1 only), EVERY_RENEWAL for `periods` N (periods 1..N), MILESTONE at `paidPeriod` k (once,
// when period k is paid). Pure: no database, no GraphQL. The ledger applies the rule
// (conversion-ledger commission/recurring-commission.ts); the migration's CHECKs mirror this.
import { ErrorCode, HandoffError } from '@handoff/shared';
import { registerEnumType } from 'type-graphql';

export enum RecurringCommissionRule {
  FIRST_PAYMENT_ONLY = 'FIRST_PAYMENT_ONLY',
  EVERY_RENEWAL = 'EVERY_RENEWAL',
  MILESTONE = 'MILESTONE',
}
registerEnumType(RecurringCommissionRule, {
  name: 'RecurringCommissionRule',
  description:
    "Which paid periods of a subscription earn commission: FIRST_PAYMENT_ONLY (period 1, the checkout's payment), " +
    'EVERY_RENEWAL (periods 1..periods), MILESTONE (only period paidPeriod, e.g. 3 = the third paid period).',
});

export interface RecurringCommission {
  rule: RecurringCommissionRule;
  /** EVERY_RENEWAL only: commission on periods 1..periods. */
  periods: number | null;
  /** MILESTONE only: the one period whose payment earns commission. */
  paidPeriod: number | null;
}

export interface RecurringCommissionSpec {
  rule: RecurringCommissionRule | string;
  periods?: number | null;
  paidPeriod?: number | null;
}

/** The largest period a rule may name: 1000 (83 years of monthly renewals, 19 of weekly ones). */
export const MAX_RECURRING_PERIOD = 1000;

export const FIRST_PAYMENT_ONLY: RecurringCommission = Object.freeze({ rule: RecurringCommissionRule.FIRST_PAYMENT_ONLY, periods: null, paidPeriod: null });

/** BAD_USER_INPUT naming the field, with a stable `reason` (recurring_commission:<what>). */
const invalid = (field: string, reason: string, message: string) =>
  new HandoffError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field, reason: `recurring_commission:${reason}` });

/** Validates a rule; omitted (null/undefined) is FIRST_PAYMENT_ONLY. Throws BAD_USER_INPUT with a reason. */
export function resolveRecurringCommission(spec: RecurringCommissionSpec | null | undefined, field: string): RecurringCommission {
  if (spec === null || spec === undefined) return FIRST_PAYMENT_ONLY;
  if (typeof spec !== 'object') throw invalid(field, 'rule', 'must be an object.');
  const rule = spec.rule as RecurringCommissionRule;
  if (!Object.values(RecurringCommissionRule).includes(rule)) {
    throw invalid(`${field}.rule`, 'rule', `must be one of ${Object.values(RecurringCommissionRule).join(', ')}.`);
  }
  const periods = spec.periods ?? null;
  const paidPeriod = spec.paidPeriod ?? null;
  if (rule === RecurringCommissionRule.EVERY_RENEWAL) {
    if (periods === null) throw invalid(`${field}.periods`, 'periods', 'is required for EVERY_RENEWAL.');
    checkPeriod(periods, `${field}.periods`, 'periods');
  } else if (periods !== null) {
    throw invalid(`${field}.periods`, 'periods', `must be omitted for ${rule}.`);
  }
  if (rule === RecurringCommissionRule.MILESTONE) {
    if (paidPeriod === null) throw invalid(`${field}.paidPeriod`, 'paid_period', 'is required for MILESTONE.');
    checkPeriod(paidPeriod, `${field}.paidPeriod`, 'paid_period');
  } else if (paidPeriod !== null) {
    throw invalid(`${field}.paidPeriod`, 'paid_period', `must be omitted for ${rule}.`);
  }
  return { rule, periods, paidPeriod };
}

function checkPeriod(n: unknown, field: string, reason: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RECURRING_PERIOD) {
    throw invalid(field, reason, `must be an integer from 1 to ${MAX_RECURRING_PERIOD}.`);
  }
}
