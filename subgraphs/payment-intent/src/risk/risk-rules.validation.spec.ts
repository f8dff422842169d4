import { describe, expect, it } from 'vitest';
import { validateRiskRules } from './risk-rules.validation.js';
import { CountryPair, RiskAction, RiskRuleType, RiskSignal } from './risk.model.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { field?: string } }).extensions?.field;
  }
  return undefined;
};

describe('risk rules validation', () => {
  it('normalizes lists and keeps what each kind uses', () => {
    const c = validateRiskRules({
      rules: [
        { id: 'bad-emails', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.EMAIL, values: [' Fraud@Example.com', 'fraud@example.com'] },
        { id: 'countries', type: RiskRuleType.ALLOW_LIST, signal: RiskSignal.COUNTRY, values: ['gb'] },
        { id: 'velocity', type: RiskRuleType.VELOCITY, signal: RiskSignal.EMAIL, windowSeconds: 3600, maxPayments: 2, action: RiskAction.REVIEW },
        { id: 'ratio', type: RiskRuleType.DECLINE_RATIO, signal: RiskSignal.IP, windowSeconds: 600, maxRatioBps: 5000, score: 30 },
        { id: 'mismatch', type: RiskRuleType.COUNTRY_MISMATCH, countries: CountryPair.BILLING_SHIPPING, score: 20 },
        { id: 'big', type: RiskRuleType.AMOUNT_ABOVE, amount: { amountMinor: 10_000, currency: 'gbp' }, action: RiskAction.CHALLENGE },
      ],
      challengeAt: 30,
      blockAt: 90,
      kycRequiredAbove: { amountMinor: 50_000, currency: 'GBP' },
    });
    expect(c.rules[0]!.values).toEqual(['fraud@example.com']);
    expect(c.rules[1]!.values).toEqual(['GB']);
    expect(c.rules[3]!.minAttempts).toBe(1);
    expect(c.rules[5]).toMatchObject({ amountMinor: 10_000, currency: 'GBP', enabled: true });
    expect(c).toMatchObject({ challengeAt: 30, reviewAt: null, blockAt: 90, kycRequiredAbove: { amountMinor: 50_000, currency: 'GBP' } });
  });

  it('names the field of every mistake', () => {
    const base = { id: 'v', type: RiskRuleType.VELOCITY, signal: RiskSignal.EMAIL, windowSeconds: 3600, maxPayments: 2, action: RiskAction.BLOCK };
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, id: 'Bad Id' }] }))).toBe('input.rules[0].id');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, windowSeconds: 5 }] }))).toBe('input.rules[0].windowSeconds');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, maxPayments: null }] }))).toBe('input.rules[0].maxPayments');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, signal: RiskSignal.COUNTRY }] }))).toBe('input.rules[0].signal');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, values: ['x'] }] }))).toBe('input.rules[0].values');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, action: null }] }))).toBe('input.rules[0]');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, action: RiskAction.ALLOW }] }))).toBe('input.rules[0].action');
    expect(fieldOf(() => validateRiskRules({ rules: [{ ...base, score: 101 }] }))).toBe('input.rules[0].score');
    expect(fieldOf(() => validateRiskRules({ rules: [base, { ...base }] }))).toBe('input.rules[1].id');
    expect(fieldOf(() => validateRiskRules({ rules: [{ id: 'l', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.IP, values: ['not-an-ip'] }] }))).toBe('input.rules[0].values[0]');
    expect(fieldOf(() => validateRiskRules({ rules: [{ id: 'l', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.EMAIL, values: [] }] }))).toBe('input.rules[0].values');
    expect(fieldOf(() => validateRiskRules({ rules: [{ id: 'l', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.EMAIL, values: ['a@b.c'], action: RiskAction.BLOCK }] }))).toBe(
      'input.rules[0].action',
    );
    expect(fieldOf(() => validateRiskRules({ rules: [{ id: 'a', type: RiskRuleType.AMOUNT_ABOVE, amount: { amountMinor: 1, currency: 'ZZZZ' }, score: 1 }] }))).toBe(
      'input.rules[0].amount.currency',
    );
    expect(fieldOf(() => validateRiskRules({ rules: [], challengeAt: 80, reviewAt: 50 }))).toBe('input.reviewAt');
    expect(fieldOf(() => validateRiskRules({ rules: [], blockAt: 0 }))).toBe('input.blockAt');
    expect(fieldOf(() => validateRiskRules({ rules: Array.from({ length: 51 }, (_, i) => ({ ...base, id: `r${i}` })) }))).toBe('input.rules');
  });
});
