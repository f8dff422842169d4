// The agent session's lifecycle as a table, and how its status reads.
import { assertTransition, canTransition, stateTable } from '@handoff/shared';
import { AgentSessionStatus } from './agent-session.enums.js';

const S = AgentSessionStatus;

/** Allowed moves. A second checkout from CHECKOUT stays CHECKOUT (no transition needed). */
export const agentSessionStates = stateTable<AgentSessionStatus>('agent_session', {
  [S.ACTIVE]: [S.CHECKOUT, S.EXPIRED],
  [S.CHECKOUT]: [S.CONVERTED],
  [S.CONVERTED]: [],
  [S.EXPIRED]: [],
});

export const agentSessionTransitions = agentSessionStates.moves;

export const canTransitionAgentSession = (from: AgentSessionStatus, to: AgentSessionStatus): boolean =>
  canTransition(agentSessionStates, from, to);

/** INVALID_STATE_TRANSITION ("An agent session cannot go from X to Y.", reason agent_session:X->Y) unless allowed. */
export const assertAgentSessionTransition = (from: AgentSessionStatus, to: AgentSessionStatus): void =>
  assertTransition(agentSessionStates, from, to);

/** An ACTIVE session past expiresAt reads as EXPIRED at once, before the expiry job marks it. */
export function effectiveAgentSessionStatus(
  session: { status: AgentSessionStatus; expiresAt: Date },
  now: Date = new Date(),
): AgentSessionStatus {
  if (session.status === S.ACTIVE && session.expiresAt.getTime() <= now.getTime()) return S.EXPIRED;
  return session.status;
}

/** Whether the recommendation window has passed (whatever the stored status). */
export const isAgentSessionExpired = (session: { status: AgentSessionStatus; expiresAt: Date }, now: Date = new Date()) =>
  session.status === S.EXPIRED || session.expiresAt.getTime() <= now.getTime();
