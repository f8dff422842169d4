// The one way a checkout session or an agent session changes status: check the table, save
// with the version (a concurrent change → VERSION_CONFLICT), write the event to the outbox.
// Runs inside the caller's transaction; the caller notifies the relay after commit.
import { versionConflict } from '@handoff/shared';
import type { EntityManager } from 'typeorm';
import { agentSessionSnapshot, AgentSessionEntity } from '../agent-session/agent-session.entity.js';
import type { AgentSessionStatus } from '../agent-session/agent-session.enums.js';
import { assertAgentSessionTransition } from '../agent-session/agent-session.states.js';
import { changeAndEmit, emit, table } from '../events.js';
import { CheckoutSessionEntity } from './checkout-session.entity.js';
import type { CheckoutSessionStatus } from './checkout-session.enums.js';
import { assertCheckoutSessionTransition } from './checkout-session.states.js';

export function checkoutSessionSnapshot(cs: CheckoutSessionEntity): Record<string, unknown> {
  return {
    checkoutSession: {
      id: cs.id,
      status: cs.status,
      mode: cs.mode,
      merchantId: cs.merchantId,
      agentId: cs.agentId,
      agentSessionId: cs.agentSessionId,
      recommendationId: cs.recommendationId,
      amountMinor: cs.totalMinor,
      currency: cs.currency,
      paymentIntentId: cs.paymentIntentId,
      expiresAt: cs.expiresAt.toISOString(),
      version: cs.version,
    },
  };
}

/** Saves `changes` on `cs` if its version is still `cs.version`; bumps the version. */
export async function saveCheckoutSessionVersioned(
  manager: EntityManager,
  cs: CheckoutSessionEntity,
  changes: Partial<Pick<CheckoutSessionEntity, 'status' | 'paymentIntentId' | 'paymentIntentsCanceledAt' | 'paymentMismatch'>>,
): Promise<CheckoutSessionEntity> {
  const result = await manager
    .createQueryBuilder()
    .update(CheckoutSessionEntity)
    .set({ ...changes, version: () => 'version + 1', updatedAt: () => 'now()' })
    .where('id = :id AND version = :version', { id: cs.id, version: cs.version })
    .execute();
  if (result.affected !== 1) {
    const current = await manager.findOneBy(CheckoutSessionEntity, { id: cs.id });
    throw versionConflict(cs.version, current?.version ?? cs.version);
  }
  Object.assign(cs, changes, { version: cs.version + 1, updatedAt: new Date() });
  return cs;
}

export async function transitionCheckoutSession(
  manager: EntityManager,
  cs: CheckoutSessionEntity,
  to: CheckoutSessionStatus,
  extra: Partial<Pick<CheckoutSessionEntity, 'paymentIntentId'>> = {},
): Promise<CheckoutSessionEntity> {
  assertCheckoutSessionTransition(cs.status, to);
  await saveCheckoutSessionVersioned(manager, cs, { status: to, ...extra });
  await emit(manager, 'checkout_session', to, cs.id, checkoutSessionSnapshot(cs));
  return cs;
}

export async function transitionAgentSession(
  manager: EntityManager,
  s: AgentSessionEntity,
  to: AgentSessionStatus,
): Promise<AgentSessionEntity> {
  assertAgentSessionTransition(s.status, to);
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
