// Which checkout sessions a principal may read. Every read of checkout sessions goes through here.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { SelectQueryBuilder } from 'typeorm';

/**
 * Narrows `qb` (alias `alias`) to the sessions `principal` may see: admin and Handoff's services
 * all; a merchant its own; an agent those its checkouts created; the hosted page its one
 * session. Anonymous → UNAUTHENTICATED.
 */
export function scopeCheckoutSessions<T extends object>(qb: SelectQueryBuilder<T>, alias: string, principal: Principal): void {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return;
    case 'MERCHANT':
      qb.andWhere(`${alias}.merchantId = :scopeMerchantId`, { scopeMerchantId: p.merchantId });
      return;
    case 'AGENT':
      qb.andWhere(`${alias}.agentId = :scopeAgentId`, { scopeAgentId: p.agentId });
      return;
    case 'CLIENT':
      qb.andWhere(`${alias}.id = :scopeSessionId`, { scopeSessionId: p.checkoutSessionId });
      return;
  }
}

/**
 * The same narrowing for hand-written SQL (hot paths): a condition on `alias`'s columns with its
 * parameters, numbered from `$<first>`; `TRUE` for admin and Handoff's services.
 */
export function checkoutSessionScopeSql(principal: Principal, alias: string, first: number): { sql: string; params: unknown[] } {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return { sql: 'TRUE', params: [] };
    case 'MERCHANT':
      return { sql: `${alias}.merchant_id = $${first}`, params: [p.merchantId] };
    case 'AGENT':
      return { sql: `${alias}.agent_id = $${first}`, params: [p.agentId] };
    case 'CLIENT':
      return { sql: `${alias}.id = $${first}`, params: [p.checkoutSessionId] };
  }
}
