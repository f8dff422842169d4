// The one way an agent session changes status: check the table, save with the version (a
// concurrent change → VERSION_CONFLICT) and write the event, in one statement of the caller's
// transaction; the caller notifies the relay after commit.
import { assertTransition, versionConflict } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { changeAndEmit, table } from '../events.js';
import { agentSessionSnapshot, AgentSessionEntity } from './agent-session.entity.js';
import type { AgentSessionStatus } from './agent-session.enums.js';
import { agentSessionStates } from './agent-session.states.js';

export async function transitionAgentSession(
  manager: EntityManager,
  s: AgentSessionEntity,
  to: AgentSessionStatus,
): Promise<AgentSessionEntity> {
  assertTransition(agentSessionStates, s.status, to);
  // The versioned update and its event in one statement (no event when the version missed).
  const written = await changeAndEmit(
    manager,
    {
      sql: `UPDATE ${table('agent_sessions')} SET status = $3, version = version + 1, updated_at = now() WHERE id = $1 AND version = $2`,
      params: [s.id, s.version, to],
    },
    'agent_session',
    to,
    s.id,
    agentSessionSnapshot({ ...s, status: to, version: s.version + 1 }),
  );
  if (written !== 1) {
    const current = await manager.findOneBy(AgentSessionEntity, { id: s.id });
    throw versionConflict(s.version, current?.version ?? s.version);
  }
  return Object.assign(s, { status: to, version: s.version + 1, updatedAt: new Date() });
}
