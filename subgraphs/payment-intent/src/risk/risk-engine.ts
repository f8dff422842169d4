// The risk engine: a merchant's rules over one payment's signals and history → a score (0-100),
// the reasons (each matched rule), and the action. Pure: the caller gathers the signals
// (risk-signals.ts) and the history (risk-history.ts), and stores the result.
//
// The score is the sum of the matched rules' points, capped at 100. The action is the severest of
// the score's (challengeAt, reviewAt, blockAt) and of each matched rule's own action; a block list
// always blocks; an allow list allows whatever else matched, except a block list or the fraud
// provider's block. A rule whose signal is unknown (no email, no fingerprint, an amount in another
// currency) does not match, and a ratio rule with no attempts in its window is no signal (never a
// division by zero).
import {
  CountryPair,
  RiskAction,
  RiskRuleType,
  RiskSignal,
  severest,
  type ProviderDecision,
  type RiskConfig,
  type RiskHistory,
  type RiskReason,
  type RiskResult,
  type RiskRule,
  type RiskSignals,
} from './risk.model.js';

const SIGNAL_WORD: Record<RiskSignal, string> = {
  [RiskSignal.EMAIL]: 'email',
  [RiskSignal.CARD_FINGERPRINT]: 'card',
  [RiskSignal.IP]: 'IP address',
  [RiskSignal.AGENT]: 'agent',
  [RiskSignal.COUNTRY]: 'country',
};

/** The payment's value of a counted or listed signal, normalized as lists store them; null when unknown. */
export function signalValue(s: RiskSignals, signal: RiskSignal): string | null {
  switch (signal) {
    case RiskSignal.EMAIL:
      return normalizeEmail(s.email);
    case RiskSignal.CARD_FINGERPRINT:
      return s.cardFingerprint || null;
    case RiskSignal.IP:
      return s.ip ? s.ip.trim().toLowerCase() : null;
    case RiskSignal.AGENT:
      return s.agentId || null;
    case RiskSignal.COUNTRY:
      return null; // several: see countriesOf
  }
}

export const normalizeEmail = (email: string | null | undefined): string | null => (email ? email.trim().toLowerCase() : null) || null;

function countriesOf(s: RiskSignals): string[] {
  return [s.billingCountry, s.shippingCountry, s.ipCountry, s.cardCountry].filter((c): c is string => !!c).map((c) => c.toUpperCase());
}

const PAIRS: Record<CountryPair, [keyof RiskSignals, keyof RiskSignals, string]> = {
  [CountryPair.BILLING_SHIPPING]: ['billingCountry', 'shippingCountry', 'billing and shipping'],
  [CountryPair.BILLING_IP]: ['billingCountry', 'ipCountry', 'billing and IP'],
  [CountryPair.SHIPPING_IP]: ['shippingCountry', 'ipCountry', 'shipping and IP'],
  [CountryPair.CARD_BILLING]: ['cardCountry', 'billingCountry', 'card and billing'],
};

type Match = { code: string; message: string } | null;

function matchRule(rule: RiskRule, s: RiskSignals, history: RiskHistory): Match {
  const signal = rule.signal;
  const word = signal ? SIGNAL_WORD[signal] : '';
  const code = (prefix: string) => `${prefix}:${(signal ?? '').toLowerCase()}`;
  switch (rule.type) {
    case RiskRuleType.VELOCITY: {
      if (!signal || signalValue(s, signal) === null) return null;
      const h = history.get(rule.id);
      if (!h || h.payments < (rule.maxPayments ?? Infinity)) return null;
      return { code: code('velocity'), message: `${h.payments} payments with this ${word} in the last ${rule.windowSeconds} s (the rule allows ${rule.maxPayments}).` };
    }
    case RiskRuleType.AMOUNT_ABOVE:
      if (rule.currency !== s.currency || rule.amountMinor === null || s.amountMinor <= rule.amountMinor) return null;
      return { code: 'amount_above', message: `The amount ${s.amountMinor} ${s.currency} is above ${rule.amountMinor} ${rule.currency}.` };
    case RiskRuleType.COUNTRY_MISMATCH: {
      if (!rule.countries) return null;
      const [a, b, words] = PAIRS[rule.countries];
      const ca = s[a] as string | null;
      const cb = s[b] as string | null;
      if (!ca || !cb || ca.toUpperCase() === cb.toUpperCase()) return null;
      return { code: `country_mismatch:${rule.countries.toLowerCase()}`, message: `The ${words} countries differ (${ca.toUpperCase()}, ${cb.toUpperCase()}).` };
    }
    case RiskRuleType.BLOCK_LIST:
    case RiskRuleType.ALLOW_LIST: {
      if (!signal || !rule.values?.length) return null;
      const listed = new Set(rule.values);
      const hit = signal === RiskSignal.COUNTRY ? countriesOf(s).some((c) => listed.has(c)) : listed.has(signalValue(s, signal) ?? '\u0000');
      if (!hit) return null;
      const list = rule.type === RiskRuleType.BLOCK_LIST ? 'block' : 'allow';
      return { code: code(`${list}_list`), message: `The ${word} is on the merchant's ${list} list.` };
    }
    case RiskRuleType.DECLINE_RATIO: {
      if (!signal || signalValue(s, signal) === null) return null;
      const h = history.get(rule.id);
      // No attempts (or too few) in the window: no signal, never a division by zero.
      if (!h || h.attempts <= 0 || h.attempts < (rule.minAttempts ?? 1)) return null;
      const ratioBps = Math.floor((h.declined * 10_000) / h.attempts);
      if (ratioBps <= (rule.maxRatioBps ?? 10_000)) return null;
      return { code: code('decline_ratio'), message: `${h.declined} of ${h.attempts} attempts with this ${word} were declined in the last ${rule.windowSeconds} s.` };
    }
  }
}

/** The action a matched rule forces: a block list blocks, an allow list allows, any other its own (or none). */
function forcedBy(rule: RiskRule): RiskAction | null {
  if (rule.type === RiskRuleType.BLOCK_LIST) return RiskAction.BLOCK;
  if (rule.type === RiskRuleType.ALLOW_LIST) return RiskAction.ALLOW;
  return rule.action;
}

function scoreAction(config: RiskConfig, score: number): RiskAction {
  if (config.blockAt !== null && score >= config.blockAt) return RiskAction.BLOCK;
  if (config.reviewAt !== null && score >= config.reviewAt) return RiskAction.REVIEW;
  if (config.challengeAt !== null && score >= config.challengeAt) return RiskAction.CHALLENGE;
  return RiskAction.ALLOW;
}

export function assessRisk(config: RiskConfig, s: RiskSignals, history: RiskHistory, provider: ProviderDecision | null = null): RiskResult {
  const reasons: RiskReason[] = [];
  let blockListed = false;
  let allowListed = false;
  for (const rule of config.rules) {
    if (!rule.enabled) continue;
    const match = matchRule(rule, s, history);
    if (!match) continue;
    if (rule.type === RiskRuleType.BLOCK_LIST) blockListed = true;
    if (rule.type === RiskRuleType.ALLOW_LIST) allowListed = true;
    reasons.push({ ruleId: rule.id, code: match.code, message: match.message, points: rule.score, action: forcedBy(rule) });
  }
  if (provider && provider.decision !== 'allow') {
    const action = provider.decision === 'block' ? RiskAction.BLOCK : RiskAction.REVIEW;
    reasons.push({ ruleId: null, code: `provider:${provider.decision}`, message: `The fraud provider decided ${provider.decision}.`, points: 0, action });
  }
  const score = Math.min(100, reasons.reduce((sum, r) => sum + r.points, 0));
  let action = scoreAction(config, score);
  for (const r of reasons) if (r.action && r.action !== RiskAction.ALLOW) action = severest(action, r.action);
  const providerBlocks = provider?.decision === 'block';
  if (allowListed && !blockListed && !providerBlocks) action = RiskAction.ALLOW;
  return { score, action, reasons, ruleIds: reasons.flatMap((r) => (r.ruleId ? [r.ruleId] : [])) };
}
