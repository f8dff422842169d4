// The merchant subgraph's own audit rows (shared/src/contracts/audit.contract.ts): every
// configuration change writes one with its outbox event, in the change's transaction. Snapshots
// hold what an operator needs to see what changed, never a secret (API key hashes, PSP or endpoint
// secrets, providers' signing secrets).
import { auditOutboxEvent, changedFields, type AuditChange, type OutboxEvent } from '@handoff/shared';
import { SUBGRAPH_NAME } from '../constants.js';

/** The audit row of a change (stamped with the request's actor and id; the merchant subgraph itself when none). */
export const merchantAudit = (change: AuditChange): OutboxEvent => auditOutboxEvent(change, SUBGRAPH_NAME);

/** An update's audit row: only the fields that changed, before and after; none when nothing did. */
export function merchantUpdateAudit(
  change: Omit<AuditChange, 'before' | 'after' | 'action'> & { action?: string },
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): OutboxEvent[] {
  const diff = changedFields(before, after);
  return diff ? [merchantAudit({ ...change, action: change.action ?? 'updated', ...diff })] : [];
}

/** JSON as a snapshot holds it (Dates as ISO strings, no undefined). */
export const plain = (v: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(v ?? {})) as Record<string, unknown>;
