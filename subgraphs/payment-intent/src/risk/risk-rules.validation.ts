// A merchant's risk rules as given (setRiskRules) → the stored configuration, checked field by
// field before anything is written: BAD_USER_INPUT naming the field (`input.rules[2].windowSeconds`).
// Each rule kind takes the fields it uses and refuses the others (a list's `windowSeconds` is a
// mistake, not something to ignore); a rule must do something (points or an action).
import { badUserInput, money, normalizeCurrency } from '@handoff/shared';
import { isIP } from 'node:net';
import { normalizeEmail } from './risk-engine.js';
import { COUNTED_SIGNALS, CountryPair, RiskAction, RiskRuleType, RiskSignal, type RiskConfig, type RiskRule } from './risk.model.js';

export const MAX_RULES = 50;
export const MAX_LIST_VALUES = 1000;
export const MIN_WINDOW_SECONDS = 60;
export const MAX_WINDOW_SECONDS = 30 * 24 * 3600;
const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface RiskRuleSpec {
  id: string;
  type: RiskRuleType;
  enabled?: boolean | null;
  score?: number | null;
  action?: RiskAction | null;
  signal?: RiskSignal | null;
  windowSeconds?: number | null;
  maxPayments?: number | null;
  amount?: { amountMinor: number; currency: string } | null;
  countries?: CountryPair | null;
  values?: string[] | null;
  maxRatioBps?: number | null;
  minAttempts?: number | null;
}

export interface RiskRulesSpec {
  rules: RiskRuleSpec[];
  challengeAt?: number | null;
  reviewAt?: number | null;
  blockAt?: number | null;
  kycRequiredAbove?: { amountMinor: number; currency: string } | null;
}

/** The fields each kind uses (beside id, type, enabled, score, action). */
const USES: Record<RiskRuleType, ReadonlyArray<keyof RiskRuleSpec>> = {
  [RiskRuleType.VELOCITY]: ['signal', 'windowSeconds', 'maxPayments'],
  [RiskRuleType.AMOUNT_ABOVE]: ['amount'],
  [RiskRuleType.COUNTRY_MISMATCH]: ['countries'],
  [RiskRuleType.BLOCK_LIST]: ['signal', 'values'],
  [RiskRuleType.ALLOW_LIST]: ['signal', 'values'],
  [RiskRuleType.DECLINE_RATIO]: ['signal', 'windowSeconds', 'maxRatioBps', 'minAttempts'],
};
const KIND_FIELDS: ReadonlyArray<keyof RiskRuleSpec> = ['signal', 'windowSeconds', 'maxPayments', 'amount', 'countries', 'values', 'maxRatioBps', 'minAttempts'];

const given = (v: unknown) => v !== null && v !== undefined;

function int(v: number | null | undefined, field: string, min: number, max: number, fallback?: number): number {
  if (!given(v)) {
    if (fallback !== undefined) return fallback;
    throw badUserInput(field, 'is required for this kind of rule.');
  }
  if (!Number.isSafeInteger(v) || v! < min || v! > max) throw badUserInput(field, `must be an integer from ${min} to ${max}.`);
  return v!;
}

function listValue(signal: RiskSignal, raw: string, field: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 320 || raw.includes('\u0000')) throw badUserInput(field, 'must be 1 to 320 characters.');
  const v = raw.trim();
  switch (signal) {
    case RiskSignal.EMAIL:
      if (!/^[^\s@]+@[^\s@]+$/.test(v)) throw badUserInput(field, 'must be an email address.');
      return normalizeEmail(v)!;
    case RiskSignal.COUNTRY:
      if (!/^[A-Za-z]{2}$/.test(v)) throw badUserInput(field, 'must be an ISO 3166-1 alpha-2 country code.');
      return v.toUpperCase();
    case RiskSignal.IP:
      if (!isIP(v)) throw badUserInput(field, 'must be an IPv4 or IPv6 address.');
      return v.toLowerCase();
    case RiskSignal.CARD_FINGERPRINT:
    case RiskSignal.AGENT:
      if (!/^[A-Za-z0-9_-]{1,120}$/.test(v)) throw badUserInput(field, 'must be 1 to 120 letters, digits, _ or -.');
      return v;
  }
}

export function validateRule(spec: RiskRuleSpec, at: string): RiskRule {
  if (typeof spec.id !== 'string' || !RULE_ID.test(spec.id)) throw badUserInput(`${at}.id`, 'must be 1 to 40 lower case letters, digits, _ or - (starting with a letter or digit).');
  const uses = USES[spec.type];
  if (!uses) throw badUserInput(`${at}.type`, 'is not a rule type.');
  for (const f of KIND_FIELDS) if (given(spec[f]) && !uses.includes(f)) throw badUserInput(`${at}.${f}`, `is not used by ${spec.type} rules.`);
  const isList = spec.type === RiskRuleType.BLOCK_LIST || spec.type === RiskRuleType.ALLOW_LIST;
  if (isList && given(spec.action)) throw badUserInput(`${at}.action`, `is not used by ${spec.type} rules (a block list blocks, an allow list allows).`);
  if (given(spec.action) && spec.action === RiskAction.ALLOW) throw badUserInput(`${at}.action`, 'must be CHALLENGE, REVIEW or BLOCK (an allow list allows).');
  const score = int(spec.score, `${at}.score`, 0, 100, 0);
  if (!isList && score === 0 && !given(spec.action)) throw badUserInput(`${at}`, 'does nothing: give it a score (1-100) or an action.');
  const rule: RiskRule = {
    id: spec.id,
    type: spec.type,
    enabled: spec.enabled ?? true,
    score,
    action: spec.action ?? null,
    signal: null,
    windowSeconds: null,
    maxPayments: null,
    amountMinor: null,
    currency: null,
    countries: null,
    values: null,
    maxRatioBps: null,
    minAttempts: null,
  };
  if (uses.includes('signal')) {
    if (!given(spec.signal)) throw badUserInput(`${at}.signal`, 'is required for this kind of rule.');
    const counted = spec.type === RiskRuleType.VELOCITY || spec.type === RiskRuleType.DECLINE_RATIO;
    if (counted && !COUNTED_SIGNALS.includes(spec.signal as never)) throw badUserInput(`${at}.signal`, 'must be EMAIL, CARD_FINGERPRINT, IP or AGENT.');
    rule.signal = spec.signal!;
  }
  if (uses.includes('windowSeconds')) rule.windowSeconds = int(spec.windowSeconds, `${at}.windowSeconds`, MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS);
  if (uses.includes('maxPayments')) rule.maxPayments = int(spec.maxPayments, `${at}.maxPayments`, 1, 100_000);
  if (uses.includes('maxRatioBps')) rule.maxRatioBps = int(spec.maxRatioBps, `${at}.maxRatioBps`, 0, 10_000);
  if (uses.includes('minAttempts')) rule.minAttempts = int(spec.minAttempts, `${at}.minAttempts`, 1, 100_000, 1);
  if (uses.includes('amount')) {
    if (!spec.amount) throw badUserInput(`${at}.amount`, 'is required for this kind of rule.');
    const m = money(spec.amount.amountMinor, normalizeCurrency(spec.amount.currency, `${at}.amount.currency`), `${at}.amount.amountMinor`);
    if (m.amountMinor < 0) throw badUserInput(`${at}.amount.amountMinor`, 'must be 0 or more.');
    rule.amountMinor = m.amountMinor;
    rule.currency = m.currency;
  }
  if (uses.includes('countries')) {
    if (!given(spec.countries)) throw badUserInput(`${at}.countries`, 'is required for this kind of rule.');
    rule.countries = spec.countries!;
  }
  if (uses.includes('values')) {
    const values = spec.values;
    if (!Array.isArray(values) || values.length === 0 || values.length > MAX_LIST_VALUES) throw badUserInput(`${at}.values`, `must list 1 to ${MAX_LIST_VALUES} values.`);
    rule.values = [...new Set(values.map((v, i) => listValue(rule.signal!, v, `${at}.values[${i}]`)))];
  }
  return rule;
}

function threshold(v: number | null | undefined, field: string): number | null {
  return given(v) ? int(v, field, 1, 100) : null;
}

export function validateRiskRules(spec: RiskRulesSpec, at = 'input'): RiskConfig {
  if (!Array.isArray(spec.rules)) throw badUserInput(`${at}.rules`, 'is required.');
  if (spec.rules.length > MAX_RULES) throw badUserInput(`${at}.rules`, `must have at most ${MAX_RULES} rules.`);
  const rules = spec.rules.map((r, i) => validateRule(r, `${at}.rules[${i}]`));
  const ids = new Set<string>();
  rules.forEach((r, i) => {
    if (ids.has(r.id)) throw badUserInput(`${at}.rules[${i}].id`, `is used by another rule (${r.id}).`);
    ids.add(r.id);
  });
  const challengeAt = threshold(spec.challengeAt, `${at}.challengeAt`);
  const reviewAt = threshold(spec.reviewAt, `${at}.reviewAt`);
  const blockAt = threshold(spec.blockAt, `${at}.blockAt`);
  const ordered = [
    ['challengeAt', challengeAt],
    ['reviewAt', reviewAt],
    ['blockAt', blockAt],
  ].filter((e): e is [string, number] => e[1] !== null);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]![1] < ordered[i - 1]![1]) throw badUserInput(`${at}.${ordered[i]![0]}`, `must not be below ${ordered[i - 1]![0]} (${ordered[i - 1]![1]}).`);
  }
  let kycRequiredAbove: RiskConfig['kycRequiredAbove'] = null;
  if (spec.kycRequiredAbove) {
    const m = money(spec.kycRequiredAbove.amountMinor, normalizeCurrency(spec.kycRequiredAbove.currency, `${at}.kycRequiredAbove.currency`), `${at}.kycRequiredAbove.amountMinor`);
    if (m.amountMinor < 0) throw badUserInput(`${at}.kycRequiredAbove.amountMinor`, 'must be 0 or more.');
    kycRequiredAbove = { amountMinor: m.amountMinor, currency: m.currency };
  }
  return { rules, challengeAt, reviewAt, blockAt, kycRequiredAbove };
}

/** What a caller says of the buyer's connection, checked: an IP address and an ISO country, each optional. */
export function validateRiskContext(input: { ipAddress?: string | null; ipCountry?: string | null } | null | undefined, at: string): { ipAddress: string | null; ipCountry: string | null } | null {
  if (!input) return null;
  const ip = input.ipAddress?.trim() || null;
  if (ip !== null && (ip.length > 64 || !isIP(ip))) throw badUserInput(`${at}.ipAddress`, 'must be an IPv4 or IPv6 address.');
  const country = input.ipCountry?.trim() || null;
  if (country !== null && !/^[A-Za-z]{2}$/.test(country)) throw badUserInput(`${at}.ipCountry`, 'must be an ISO 3166-1 alpha-2 country code.');
  return { ipAddress: ip ? ip.toLowerCase() : null, ipCountry: country ? country.toUpperCase() : null };
}
