import { stateTableProblems } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { CheckoutSessionStatus as S } from './checkout-session.enums.js';
import {
  assertCheckoutSessionTransition,
  canTransitionCheckoutSession,
  checkoutSessionStates,
  checkoutSessionTransitions,
  effectiveStatus,
} from './checkout-session.states.js';

describe('effectiveStatus', () => {
  const now = new Date('2030-01-01T12:00:00Z');
  const before = new Date(now.getTime() - 1);
  const after = new Date(now.getTime() + 1);

  it('keeps an open session open until expiresAt', () => {
    expect(effectiveStatus({ status: S.OPEN, expiresAt: after }, now)).toBe('OPEN');
  });

  it('reads an open session at or past expiresAt as EXPIRED', () => {
    expect(effectiveStatus({ status: S.OPEN, expiresAt: now }, now)).toBe('EXPIRED');
    expect(effectiveStatus({ status: S.OPEN, expiresAt: before }, now)).toBe('EXPIRED');
  });

  it.each([S.COMPLETE, S.CANCELED, S.EXPIRED])('leaves a %s session as it is, expired or not', (status) => {
    expect(effectiveStatus({ status, expiresAt: before }, now)).toBe(status);
  });
});

describe('checkout session transitions', () => {
  const all = Object.values(S);
  const allowed: Array<[S, S]> = [
    [S.OPEN, S.COMPLETE],
    [S.OPEN, S.EXPIRED],
    [S.OPEN, S.CANCELED],
    [S.EXPIRED, S.COMPLETE],
  ];

  it('has a row for every status', () => {
    expect(Object.keys(checkoutSessionTransitions).sort()).toEqual([...all].sort());
  });

  it('is a sound table (shared state-table check)', () => {
    expect(stateTableProblems(checkoutSessionStates, all)).toEqual([]);
  });

  it.each(all.flatMap((from) => all.map((to) => [from, to] as [S, S])))('%s → %s', (from, to) => {
    const ok = allowed.some(([f, t]) => f === from && t === to);
    expect(canTransitionCheckoutSession(from, to)).toBe(ok);
    if (ok) expect(() => assertCheckoutSessionTransition(from, to)).not.toThrow();
    else expect(() => assertCheckoutSessionTransition(from, to)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_STATE_TRANSITION' }) }));
  });

  it('makes COMPLETE and CANCELED terminal', () => {
    expect(checkoutSessionTransitions[S.COMPLETE]).toEqual([]);
    expect(checkoutSessionTransitions[S.CANCELED]).toEqual([]);
  });
});
