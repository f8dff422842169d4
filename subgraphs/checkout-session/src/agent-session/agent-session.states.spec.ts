import { stateTableProblems } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { AgentSessionStatus as S } from './agent-session.enums.js';
import { agentSessionStates, agentSessionTransitions, canTransitionAgentSession, effectiveAgentSessionStatus, isAgentSessionExpired } from './agent-session.states.js';

describe('agent session transitions', () => {
  const all = Object.values(S);
  const allowed = new Set(['ACTIVE>CHECKOUT', 'ACTIVE>EXPIRED', 'CHECKOUT>CONVERTED']);

  it('has a row for every status', () => {
    expect(Object.keys(agentSessionTransitions).sort()).toEqual([...all].sort());
  });

  it('is a sound table (shared state-table check)', () => {
    expect(stateTableProblems(agentSessionStates, all)).toEqual([]);
  });

  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    expect(canTransitionAgentSession(from, to)).toBe(allowed.has(`${from}>${to}`));
  });
});

describe('agent session expiry', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const past = new Date(now.getTime() - 1);
  const future = new Date(now.getTime() + 1000);

  it('reads an ACTIVE session past its window as EXPIRED, and leaves the others', () => {
    expect(effectiveAgentSessionStatus({ status: S.ACTIVE, expiresAt: past }, now)).toBe('EXPIRED');
    expect(effectiveAgentSessionStatus({ status: S.ACTIVE, expiresAt: future }, now)).toBe('ACTIVE');
    expect(effectiveAgentSessionStatus({ status: S.CHECKOUT, expiresAt: past }, now)).toBe('CHECKOUT');
  });

  it('counts the window as passed whatever the status, for new checkouts', () => {
    expect(isAgentSessionExpired({ status: S.CHECKOUT, expiresAt: past }, now)).toBe(true);
    expect(isAgentSessionExpired({ status: S.EXPIRED, expiresAt: future }, now)).toBe(true);
    expect(isAgentSessionExpired({ status: S.ACTIVE, expiresAt: future }, now)).toBe(false);
  });
});
