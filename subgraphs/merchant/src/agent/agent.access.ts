// Which agents a principal may read. Every read of agents goes through scopeAgents.
import type { Principal, ReadPurpose } from '@handoff/shared';
import type { SelectQueryBuilder } from 'typeorm';

/**
 * Narrows `qb` (alias `alias`) to the agents `principal` may see; false when it sees none.
 * Admins and services: all. An agent: itself. A merchant: agents that a parent entity it was
 * allowed to read refers to (its conversions' agents), never by query.
 */
export function scopeAgents<T extends object>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  principal: Principal,
  purpose: ReadPurpose,
): boolean {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'AGENT':
      qb.andWhere(`${alias}.id = :scopeAgentId`, { scopeAgentId: principal.agentId });
      return true;
    case 'MERCHANT':
      return purpose === 'reference';
    case 'CLIENT':
    case 'ANONYMOUS':
      return false;
  }
}
