import { describe, expect, it } from 'vitest';
import type { PortalRiskRulesFragment } from '../../generated/graphql';
import { limitsInput, limitsText, riskRulesInput, ruleRow, thresholdText } from './risk-logic';

const stored: PortalRiskRulesFragment = {
  merchantId: 'm1',
  challengeAt: 30,
  reviewAt: null,
  blockAt: 90,
  kycRequiredAbove: { amountMinor: 100000, currency: 'GBP' },
  version: 2,
  updatedAt: '2026-12-06T10:00:00.000Z',
  rules: [
    { id: 'fast-email', type: 'VELOCITY', enabled: true, score: 40, action: null, signal: 'EMAIL', windowSeconds: 3600, maxPayments: 3, amount: null, countries: null, values: null, maxRatioBps: null, minAttempts: null },
    { id: 'big', type: 'AMOUNT_ABOVE', enabled: false, score: 0, action: 'REVIEW', signal: null, windowSeconds: null, maxPayments: null, amount: { amountMinor: 25050, currency: 'GBP' }, countries: null, values: null, maxRatioBps: null, minAttempts: null },
    { id: 'bad-ips', type: 'BLOCK_LIST', enabled: true, score: 0, action: 'BLOCK', signal: 'IP', windowSeconds: null, maxPayments: null, amount: null, countries: null, values: ['10.0.0.1', '10.0.0.2'], maxRatioBps: null, minAttempts: null },
  ],
};

describe('risk rules and limits logic', () => {
  it('round-trips stored rules and thresholds to the input setRiskRules takes', () => {
    const rows = stored.rules.map((r) => ruleRow('GBP', r));
    const built = riskRulesInput(rows, thresholdText(stored), 'GBP');
    expect(built.problems).toEqual([]);
    expect(built.input).toEqual({
      rules: [
        { id: 'fast-email', type: 'VELOCITY', enabled: true, score: 40, signal: 'EMAIL', windowSeconds: 3600, maxPayments: 3 },
        { id: 'big', type: 'AMOUNT_ABOVE', enabled: false, score: 0, action: 'REVIEW', amount: { amountMinor: 25050, currency: 'GBP' } },
        // A list's action is never sent (a block list blocks).
        { id: 'bad-ips', type: 'BLOCK_LIST', enabled: true, score: 0, signal: 'IP', values: ['10.0.0.1', '10.0.0.2'] },
      ],
      challengeAt: 30,
      reviewAt: null,
      blockAt: 90,
      kycRequiredAbove: { amountMinor: 100000, currency: 'GBP' },
    });
  });

  it('sends only the fields a changed kind uses, and names what cannot be sent', () => {
    const row = { ...ruleRow('GBP', stored.rules[0]), type: 'COUNTRY_MISMATCH' as const };
    expect(riskRulesInput([row], thresholdText(stored), 'GBP').input.rules[0]).toEqual({ id: 'fast-email', type: 'COUNTRY_MISMATCH', enabled: true, score: 40, countries: 'BILLING_SHIPPING' });
    const bad = riskRulesInput([{ ...ruleRow('GBP'), id: 'x', windowSeconds: 'soon' }], { challengeAt: 'high', reviewAt: '', blockAt: '', kycRequiredAbove: '1.234' }, 'GBP');
    expect(bad.problems.map((p) => p.field)).toEqual(['rules[0].windowSeconds', 'challengeAt', 'kycRequiredAbove']);
    expect(bad.problems.every((p) => p.local)).toBe(true);
    // Out of range but a number: sent, for the server to judge.
    expect(riskRulesInput([{ ...ruleRow('GBP'), id: 'x', windowSeconds: '10', maxPayments: '2' }], thresholdText(stored), 'GBP').problems).toEqual([]);
  });

  it('limits: every limit sent, an empty one as null (removed)', () => {
    const text = limitsText({ maxAmountPerPayment: { amountMinor: 5000, currency: 'GBP' }, maxAmountPerDay: null, maxPaymentsPerEmailPerHour: 3, updatedAt: null });
    expect(text).toEqual({ maxAmountPerPayment: '50.00', maxAmountPerDay: '', maxPaymentsPerEmailPerHour: '3' });
    expect(limitsInput(text, 'GBP')).toEqual({ input: { maxAmountPerPayment: { amountMinor: 5000, currency: 'GBP' }, maxAmountPerDay: null, maxPaymentsPerEmailPerHour: 3 }, problems: [] });
    expect(limitsInput({ ...text, maxAmountPerDay: 'lots', maxPaymentsPerEmailPerHour: '1.5' }, 'GBP').problems.map((p) => p.field)).toEqual(['maxAmountPerDay', 'maxPaymentsPerEmailPerHour']);
  });
});
