// The risk rules and transaction limits forms' pure rules (specs beside it): a stored rule as the
// text a person edits, the fields each kind of rule uses (the server refuses the others), and the
// inputs setRiskRules / setTransactionLimits take built back from that text. Only what cannot be
// sent is refused here ("abc" for a number); the server judges the rest and names the field.
import type { PortalRiskRulesFragment, PortalTransactionLimitsFragment, RiskAction, RiskCountryPair, RiskRuleInput, RiskRuleType, RiskRulesInput, RiskSignal, TransactionLimitsInput } from '../../generated/graphql';
import type { ServerProblem } from '../../ui/server-errors';
import { localProblem } from '../../ui/server-errors';
import { moneyText, parseMoneyText, parseWholeText, parseWordList } from './settings-logic';

type StoredRule = PortalRiskRulesFragment['rules'][number];
export type RuleField = 'signal' | 'windowSeconds' | 'maxPayments' | 'amount' | 'countries' | 'values' | 'maxRatioBps' | 'minAttempts';

/** The fields each kind of rule takes besides id, type, enabled, score and action (as the server's). */
export const RULE_USES: Record<RiskRuleType, readonly RuleField[]> = {
  VELOCITY: ['signal', 'windowSeconds', 'maxPayments'],
  AMOUNT_ABOVE: ['amount'],
  COUNTRY_MISMATCH: ['countries'],
  BLOCK_LIST: ['signal', 'values'],
  ALLOW_LIST: ['signal', 'values'],
  DECLINE_RATIO: ['signal', 'windowSeconds', 'maxRatioBps', 'minAttempts'],
};

export const RULE_TYPES: ReadonlyArray<readonly [RiskRuleType, string]> = [
  ['VELOCITY', 'Velocity (payments per window)'],
  ['AMOUNT_ABOVE', 'Amount above'],
  ['COUNTRY_MISMATCH', 'Country mismatch'],
  ['BLOCK_LIST', 'Block list'],
  ['ALLOW_LIST', 'Allow list'],
  ['DECLINE_RATIO', 'Decline ratio'],
];
export const ACTIONS: ReadonlyArray<readonly ['' | Exclude<RiskAction, 'ALLOW'>, string]> = [['', 'None (score only)'], ['CHALLENGE', 'Challenge (3-D Secure)'], ['REVIEW', 'Manual review'], ['BLOCK', 'Block']];
export const ALL_SIGNALS: ReadonlyArray<readonly [RiskSignal, string]> = [['EMAIL', 'Customer email'], ['CARD_FINGERPRINT', 'Card fingerprint'], ['IP', 'IP address'], ['AGENT', 'Agent'], ['COUNTRY', 'Country']];
/** VELOCITY and DECLINE_RATIO count payments by one of these (not by country). */
export const COUNTED_SIGNALS = ALL_SIGNALS.filter(([s]) => s !== 'COUNTRY');
export const COUNTRY_PAIRS: ReadonlyArray<readonly [RiskCountryPair, string]> = [
  ['BILLING_SHIPPING', 'Billing vs shipping'],
  ['BILLING_IP', 'Billing vs IP'],
  ['SHIPPING_IP', 'Shipping vs IP'],
  ['CARD_BILLING', 'Card vs billing'],
];

export const isList = (type: RiskRuleType) => type === 'BLOCK_LIST' || type === 'ALLOW_LIST';

/** A rule as the form edits it: every value as typed. */
export interface RuleRow {
  key: number;
  id: string;
  type: RiskRuleType;
  enabled: boolean;
  score: string;
  action: '' | Exclude<RiskAction, 'ALLOW'>;
  signal: RiskSignal;
  windowSeconds: string;
  maxPayments: string;
  amount: string;
  /** The rule's amount currency (the merchant's for a new rule). */
  currency: string;
  countries: RiskCountryPair;
  values: string;
  maxRatioBps: string;
  minAttempts: string;
}

let nextKey = 1;
const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

export function ruleRow(currency: string, r?: StoredRule): RuleRow {
  return {
    key: nextKey++,
    id: r?.id ?? '',
    type: r?.type ?? 'VELOCITY',
    enabled: r?.enabled ?? true,
    score: r ? String(r.score) : '',
    action: r?.action && r.action !== 'ALLOW' ? r.action : '',
    signal: r?.signal ?? 'EMAIL',
    windowSeconds: num(r?.windowSeconds),
    maxPayments: num(r?.maxPayments),
    amount: r?.amount ? moneyText(r.amount.amountMinor, r.amount.currency) : '',
    currency: r?.amount?.currency ?? currency,
    countries: r?.countries ?? 'BILLING_SHIPPING',
    values: r?.values?.join(', ') ?? '',
    maxRatioBps: num(r?.maxRatioBps),
    minAttempts: num(r?.minAttempts),
  };
}

export interface Built<T> {
  input: T;
  /** What could not be sent (nothing is sent when there is one). */
  problems: ServerProblem[];
}

function whole(text: string, field: string, problems: ServerProblem[]): number | undefined {
  const p = parseWholeText(text);
  if (!p.ok) problems.push(localProblem(field, p.message));
  return p.ok ? p.value : undefined;
}

function amountOf(text: string, currency: string, field: string, problems: ServerProblem[]) {
  if (!text.trim()) return undefined;
  const p = parseMoneyText(text, currency);
  if (!p.ok) problems.push(localProblem(field, p.message));
  return p.ok ? { amountMinor: p.value, currency } : undefined;
}

/** One row as the RiskRuleInput it stands for: only the fields its kind uses are sent. */
export function ruleInput(row: RuleRow, at: string, problems: ServerProblem[]): RiskRuleInput {
  const uses = RULE_USES[row.type];
  const input: RiskRuleInput = { id: row.id.trim(), type: row.type, enabled: row.enabled, score: whole(row.score, `${at}.score`, problems) ?? 0 };
  if (!isList(row.type) && row.action) input.action = row.action;
  if (uses.includes('signal')) input.signal = row.signal;
  if (uses.includes('windowSeconds')) input.windowSeconds = whole(row.windowSeconds, `${at}.windowSeconds`, problems);
  if (uses.includes('maxPayments')) input.maxPayments = whole(row.maxPayments, `${at}.maxPayments`, problems);
  if (uses.includes('maxRatioBps')) input.maxRatioBps = whole(row.maxRatioBps, `${at}.maxRatioBps`, problems);
  if (uses.includes('minAttempts')) input.minAttempts = whole(row.minAttempts, `${at}.minAttempts`, problems);
  if (uses.includes('amount')) input.amount = amountOf(row.amount, row.currency, `${at}.amount`, problems);
  if (uses.includes('countries')) input.countries = row.countries;
  if (uses.includes('values')) input.values = parseWordList(row.values);
  return input;
}

export interface ThresholdText {
  challengeAt: string;
  reviewAt: string;
  blockAt: string;
  kycRequiredAbove: string;
}

export function thresholdText(r: PortalRiskRulesFragment): ThresholdText {
  return {
    challengeAt: num(r.challengeAt),
    reviewAt: num(r.reviewAt),
    blockAt: num(r.blockAt),
    kycRequiredAbove: r.kycRequiredAbove ? moneyText(r.kycRequiredAbove.amountMinor, r.kycRequiredAbove.currency) : '',
  };
}

/** The whole RiskRulesInput (setRiskRules replaces everything): an empty threshold is null (none). */
export function riskRulesInput(rows: readonly RuleRow[], t: ThresholdText, currency: string): Built<RiskRulesInput> {
  const problems: ServerProblem[] = [];
  const rules = rows.map((row, i) => ruleInput(row, `rules[${i}]`, problems));
  const input: RiskRulesInput = {
    rules,
    challengeAt: whole(t.challengeAt, 'challengeAt', problems) ?? null,
    reviewAt: whole(t.reviewAt, 'reviewAt', problems) ?? null,
    blockAt: whole(t.blockAt, 'blockAt', problems) ?? null,
    kycRequiredAbove: amountOf(t.kycRequiredAbove, currency, 'kycRequiredAbove', problems) ?? null,
  };
  return { input, problems };
}

export interface LimitsText {
  maxAmountPerPayment: string;
  maxAmountPerDay: string;
  maxPaymentsPerEmailPerHour: string;
}

export function limitsText(l: PortalTransactionLimitsFragment): LimitsText {
  return {
    maxAmountPerPayment: l.maxAmountPerPayment ? moneyText(l.maxAmountPerPayment.amountMinor, l.maxAmountPerPayment.currency) : '',
    maxAmountPerDay: l.maxAmountPerDay ? moneyText(l.maxAmountPerDay.amountMinor, l.maxAmountPerDay.currency) : '',
    maxPaymentsPerEmailPerHour: num(l.maxPaymentsPerEmailPerHour),
  };
}

/** Every limit is sent: an empty one is null, which removes it. Amounts in the merchant's currency. */
export function limitsInput(t: LimitsText, currency: string): Built<TransactionLimitsInput> {
  const problems: ServerProblem[] = [];
  const input: TransactionLimitsInput = {
    maxAmountPerPayment: amountOf(t.maxAmountPerPayment, currency, 'maxAmountPerPayment', problems) ?? null,
    maxAmountPerDay: amountOf(t.maxAmountPerDay, currency, 'maxAmountPerDay', problems) ?? null,
    maxPaymentsPerEmailPerHour: whole(t.maxPaymentsPerEmailPerHour, 'maxPaymentsPerEmailPerHour', problems) ?? null,
  };
  return { input, problems };
}
