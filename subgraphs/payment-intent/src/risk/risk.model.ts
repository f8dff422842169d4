// The merchant's risk rules and what they decide, as plain data (no I/O): the rule kinds, the
// signals a payment shows, the history counts the rules read, and an assessment's result. Used by
// the engine (risk-engine.ts), the rules' validation (risk-rules.validation.ts) and the store.

/** What the rules decide for a payment, mildest first: its order is the severity order. */
export enum RiskAction {
  ALLOW = 'ALLOW',
  /** Confirm with 3-D Secure forced. */
  CHALLENGE = 'CHALLENGE',
  /** Authorize and hold (manual capture); a person approves or rejects it. */
  REVIEW = 'REVIEW',
  /** Refuse the confirmation (FRAUD_BLOCKED); nothing is charged. */
  BLOCK = 'BLOCK',
}
const SEVERITY: readonly RiskAction[] = [RiskAction.ALLOW, RiskAction.CHALLENGE, RiskAction.REVIEW, RiskAction.BLOCK];
export const severityOf = (a: RiskAction) => SEVERITY.indexOf(a);
export const severest = (a: RiskAction, b: RiskAction) => (severityOf(b) > severityOf(a) ? b : a);

export enum RiskRuleType {
  /** More than `maxPayments` payments sharing the signal within `windowSeconds`. */
  VELOCITY = 'VELOCITY',
  /** The payment's amount is above `amount` (same currency; another currency is no signal). */
  AMOUNT_ABOVE = 'AMOUNT_ABOVE',
  /** Two of the payment's countries differ (`countries` says which two); an unknown one is no signal. */
  COUNTRY_MISMATCH = 'COUNTRY_MISMATCH',
  /** The signal's value is in `values`: the payment is blocked. */
  BLOCK_LIST = 'BLOCK_LIST',
  /** The signal's value is in `values`: the payment is allowed (unless a block list matches). */
  ALLOW_LIST = 'ALLOW_LIST',
  /** Declined attempts over all attempts sharing the signal within `windowSeconds` above `maxRatioBps` (at least `minAttempts` attempts; none is no signal). */
  DECLINE_RATIO = 'DECLINE_RATIO',
}

/** What a rule looks at. COUNTRY (lists only) matches any of the payment's countries. */
export enum RiskSignal {
  EMAIL = 'EMAIL',
  CARD_FINGERPRINT = 'CARD_FINGERPRINT',
  IP = 'IP',
  AGENT = 'AGENT',
  COUNTRY = 'COUNTRY',
}

/** The two countries a COUNTRY_MISMATCH rule compares. */
export enum CountryPair {
  BILLING_SHIPPING = 'BILLING_SHIPPING',
  BILLING_IP = 'BILLING_IP',
  SHIPPING_IP = 'SHIPPING_IP',
  CARD_BILLING = 'CARD_BILLING',
}

/** The signals velocity and ratio rules count by (a country is not counted). */
export type CountedSignal = Exclude<RiskSignal, RiskSignal.COUNTRY>;
export const COUNTED_SIGNALS: readonly CountedSignal[] = [RiskSignal.EMAIL, RiskSignal.CARD_FINGERPRINT, RiskSignal.IP, RiskSignal.AGENT];

export interface RiskRule {
  /** The merchant's name for it (reasons name it): lower case letters, digits, `_` and `-`. */
  id: string;
  type: RiskRuleType;
  enabled: boolean;
  /** Points added to the score when it matches (0-100). */
  score: number;
  /** The action it forces when it matches, beside the score's (null: the score decides). */
  action: RiskAction | null;
  signal: RiskSignal | null;
  windowSeconds: number | null;
  maxPayments: number | null;
  amountMinor: number | null;
  currency: string | null;
  countries: CountryPair | null;
  /** Lists: normalized (emails lower case, countries upper case). */
  values: string[] | null;
  maxRatioBps: number | null;
  minAttempts: number | null;
}

/** A merchant's whole risk configuration. */
export interface RiskConfig {
  rules: RiskRule[];
  /** Score thresholds of each action (null: the score never forces it). */
  challengeAt: number | null;
  reviewAt: number | null;
  blockAt: number | null;
  /** Payments above this amount (its currency) need a verified identity (KYC) first; null: never. */
  kycRequiredAbove: { amountMinor: number; currency: string } | null;
}

/** What a payment shows the rules; null where unknown. */
export interface RiskSignals {
  email: string | null;
  cardFingerprint: string | null;
  ip: string | null;
  agentId: string | null;
  billingCountry: string | null;
  shippingCountry: string | null;
  ipCountry: string | null;
  cardCountry: string | null;
  amountMinor: number;
  currency: string;
}

/** History for one counted signal's value, within one rule's window. */
export interface SignalHistory {
  /** Other payments (payment intents) confirmed with this value, not blocked. */
  payments: number;
  /** Confirmation attempts that reached the PSP, and how many it declined. */
  attempts: number;
  declined: number;
}

/** The history a rule reads: by rule id (velocity and ratio rules only). */
export type RiskHistory = ReadonlyMap<string, SignalHistory>;

/** A fraud provider's latest decision about the payment (fraud webhook). */
export interface ProviderDecision {
  decision: 'allow' | 'review' | 'block';
  score: number | null;
}

export interface RiskReason {
  /** The rule's id; null for a provider's decision. */
  ruleId: string | null;
  /** e.g. velocity:email, amount_above, country_mismatch:billing_shipping, block_list:email, decline_ratio:card_fingerprint, provider:review. */
  code: string;
  message: string;
  points: number;
  action: RiskAction | null;
}

export interface RiskResult {
  score: number;
  action: RiskAction;
  reasons: RiskReason[];
  ruleIds: string[];
}

export const DEFAULT_THRESHOLDS = { challengeAt: null, reviewAt: null, blockAt: null } as const;
