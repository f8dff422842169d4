import { describe, expect, it } from 'vitest';
import { assessRisk } from './risk-engine.js';
import { CountryPair, RiskAction, RiskRuleType, RiskSignal, type RiskConfig, type RiskRule, type RiskSignals, type SignalHistory } from './risk.model.js';

const rule = (r: Partial<RiskRule> & Pick<RiskRule, 'id' | 'type'>): RiskRule => ({
  enabled: true,
  score: 0,
  action: null,
  signal: null,
  windowSeconds: null,
  maxPayments: null,
  amountMinor: null,
  currency: null,
  countries: null,
  values: null,
  maxRatioBps: null,
  minAttempts: null,
  ...r,
});
const config = (rules: RiskRule[], t: Partial<RiskConfig> = {}): RiskConfig => ({ rules, challengeAt: null, reviewAt: null, blockAt: null, kycRequiredAbove: null, ...t });
const signals = (s: Partial<RiskSignals> = {}): RiskSignals => ({
  email: 'buyer@example.com',
  cardFingerprint: 'fp_1',
  ip: '203.0.113.9',
  agentId: null,
  billingCountry: 'GB',
  shippingCountry: 'GB',
  ipCountry: null,
  cardCountry: null,
  amountMinor: 5000,
  currency: 'GBP',
  ...s,
});
const history = (entries: Record<string, Partial<SignalHistory>>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, { payments: 0, attempts: 0, declined: 0, ...v }]));

describe('risk engine', () => {
  it('allows with score 0 and no reasons when nothing matches', () => {
    expect(assessRisk(config([rule({ id: 'big', type: RiskRuleType.AMOUNT_ABOVE, amountMinor: 10_000, currency: 'GBP', action: RiskAction.CHALLENGE })]), signals(), new Map())).toEqual({
      score: 0,
      action: RiskAction.ALLOW,
      reasons: [],
      ruleIds: [],
    });
  });

  it('blocks a block-listed email (case-insensitively) whatever the score', () => {
    const r = assessRisk(config([rule({ id: 'bad', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.EMAIL, values: ['fraud@example.com'] })]), signals({ email: 'Fraud@Example.com ' }), new Map());
    expect(r.action).toBe(RiskAction.BLOCK);
    expect(r.reasons[0]).toMatchObject({ ruleId: 'bad', code: 'block_list:email' });
  });

  it('a country list matches any of the payment countries', () => {
    const c = config([rule({ id: 'c', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.COUNTRY, values: ['KP'] })]);
    expect(assessRisk(c, signals({ ipCountry: 'KP' }), new Map()).action).toBe(RiskAction.BLOCK);
    expect(assessRisk(c, signals(), new Map()).action).toBe(RiskAction.ALLOW);
  });

  it('velocity matches once the window already holds maxPayments payments', () => {
    const c = config([rule({ id: 'v', type: RiskRuleType.VELOCITY, signal: RiskSignal.EMAIL, windowSeconds: 3600, maxPayments: 3, action: RiskAction.REVIEW })]);
    expect(assessRisk(c, signals(), history({ v: { payments: 2 } })).action).toBe(RiskAction.ALLOW);
    const r = assessRisk(c, signals(), history({ v: { payments: 3 } }));
    expect(r).toMatchObject({ action: RiskAction.REVIEW, ruleIds: ['v'] });
    expect(r.reasons[0]!.code).toBe('velocity:email');
    // No email: no signal.
    expect(assessRisk(c, signals({ email: null }), history({ v: { payments: 9 } })).action).toBe(RiskAction.ALLOW);
  });

  it('an amount threshold in another currency is no signal', () => {
    const c = config([rule({ id: 'a', type: RiskRuleType.AMOUNT_ABOVE, amountMinor: 1000, currency: 'EUR', score: 40 })], { challengeAt: 30 });
    expect(assessRisk(c, signals(), new Map()).action).toBe(RiskAction.ALLOW);
    expect(assessRisk(c, signals({ currency: 'EUR', amountMinor: 1001 }), new Map())).toMatchObject({ score: 40, action: RiskAction.CHALLENGE });
    expect(assessRisk(c, signals({ currency: 'EUR', amountMinor: 1000 }), new Map()).score).toBe(0);
  });

  it('sums points (capped at 100) and takes the severest of the score and the rules', () => {
    const c = config(
      [
        rule({ id: 'm', type: RiskRuleType.COUNTRY_MISMATCH, countries: CountryPair.BILLING_SHIPPING, score: 60 }),
        rule({ id: 'a', type: RiskRuleType.AMOUNT_ABOVE, amountMinor: 100, currency: 'GBP', score: 70, action: RiskAction.CHALLENGE }),
      ],
      { challengeAt: 20, reviewAt: 50, blockAt: 100 },
    );
    const r = assessRisk(c, signals({ shippingCountry: 'FR' }), new Map());
    expect(r.score).toBe(100);
    expect(r.action).toBe(RiskAction.BLOCK);
    expect(r.reasons.map((x) => x.code)).toEqual(['country_mismatch:billing_shipping', 'amount_above']);
  });

  it('an unknown country is no mismatch', () => {
    const c = config([rule({ id: 'm', type: RiskRuleType.COUNTRY_MISMATCH, countries: CountryPair.BILLING_IP, action: RiskAction.REVIEW })]);
    expect(assessRisk(c, signals({ ipCountry: null }), new Map()).action).toBe(RiskAction.ALLOW);
    expect(assessRisk(c, signals({ ipCountry: 'us' }), new Map()).action).toBe(RiskAction.REVIEW);
  });

  it('a ratio rule with no history is no signal, never a division by zero', () => {
    const c = config([rule({ id: 'r', type: RiskRuleType.DECLINE_RATIO, signal: RiskSignal.CARD_FINGERPRINT, windowSeconds: 3600, maxRatioBps: 0, minAttempts: 1, action: RiskAction.BLOCK })]);
    for (const h of [new Map(), history({ r: { attempts: 0, declined: 0 } }), history({ r: { attempts: 0, declined: 3 } })]) {
      const r = assessRisk(c, signals(), h);
      expect(r.action).toBe(RiskAction.ALLOW);
      expect(Number.isFinite(r.score)).toBe(true);
    }
    expect(assessRisk(c, signals(), history({ r: { attempts: 4, declined: 1 } })).action).toBe(RiskAction.BLOCK);
    // Below minAttempts: no signal.
    const few = config([rule({ id: 'r', type: RiskRuleType.DECLINE_RATIO, signal: RiskSignal.CARD_FINGERPRINT, windowSeconds: 3600, maxRatioBps: 5000, minAttempts: 5, action: RiskAction.BLOCK })]);
    expect(assessRisk(few, signals(), history({ r: { attempts: 4, declined: 4 } })).action).toBe(RiskAction.ALLOW);
    expect(assessRisk(few, signals(), history({ r: { attempts: 5, declined: 3 } })).action).toBe(RiskAction.BLOCK);
    expect(assessRisk(few, signals(), history({ r: { attempts: 6, declined: 3 } })).action).toBe(RiskAction.ALLOW);
  });

  it('an allow list allows what the other rules would not, but not a block list nor a provider block', () => {
    const allow = rule({ id: 'vip', type: RiskRuleType.ALLOW_LIST, signal: RiskSignal.EMAIL, values: ['buyer@example.com'] });
    const big = rule({ id: 'big', type: RiskRuleType.AMOUNT_ABOVE, amountMinor: 1, currency: 'GBP', action: RiskAction.REVIEW, score: 90 });
    expect(assessRisk(config([allow, big], { blockAt: 50 }), signals(), new Map()).action).toBe(RiskAction.ALLOW);
    const block = rule({ id: 'fp', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.CARD_FINGERPRINT, values: ['fp_1'] });
    expect(assessRisk(config([allow, block]), signals(), new Map()).action).toBe(RiskAction.BLOCK);
    expect(assessRisk(config([allow]), signals(), new Map(), { decision: 'block', score: 99 }).action).toBe(RiskAction.BLOCK);
  });

  it("a provider's review or block is a reason", () => {
    const r = assessRisk(config([]), signals(), new Map(), { decision: 'review', score: 70 });
    expect(r).toMatchObject({ action: RiskAction.REVIEW, ruleIds: [] });
    expect(r.reasons[0]).toMatchObject({ ruleId: null, code: 'provider:review' });
    expect(assessRisk(config([]), signals(), new Map(), { decision: 'allow', score: 1 }).reasons).toEqual([]);
  });

  it('a disabled rule never matches', () => {
    const c = config([rule({ id: 'bad', type: RiskRuleType.BLOCK_LIST, signal: RiskSignal.EMAIL, values: ['buyer@example.com'], enabled: false })]);
    expect(assessRisk(c, signals(), new Map()).action).toBe(RiskAction.ALLOW);
  });
});
