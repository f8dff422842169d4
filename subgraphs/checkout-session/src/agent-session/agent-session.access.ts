// Which agent sessions and recommendations a principal may read. Every read goes through here.
import { qualifiedTable, type Principal, type ReadPurpose } from '@handoff/shared';
import type { SelectQueryBuilder } from 'typeorm';
import { SCHEMA_NAME } from '../events.js';

/**
 * Narrows `qb` (alias `alias`) to the agent sessions `principal` may see; false when none.
 * Admin and services: all. An agent: its own. A merchant: by reference only (a conversion's
 * session), and only sessions holding a recommendation of its offers. The hosted page: none.
 */
export function scopeAgentSessions<T extends object>(
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
      qb.andWhere(`${alias}.agentId = :scopeAgentId`, { scopeAgentId: principal.agentId });
      return true;
    case 'MERCHANT':
      if (purpose !== 'reference') return false;
      holdingRecommendationOf(qb, alias, principal.merchantId);
      return true;
    case 'CLIENT':
    case 'ANONYMOUS':
      return false;
  }
}

/** Narrows `qb` to agent sessions holding a recommendation of one of `merchantId`'s offers. */
export function holdingRecommendationOf<T extends object>(qb: SelectQueryBuilder<T>, alias: string, merchantId: string): void {
  qb.andWhere(
    `EXISTS (SELECT 1 FROM ${qualifiedTable(SCHEMA_NAME, 'recommendations')} scope_rec
             WHERE scope_rec.agent_session_id = ${alias}.id AND scope_rec.merchant_id = :scopeMerchantId)`,
    { scopeMerchantId: merchantId },
  );
}

/** Recommendations: admin and services all; an agent its own; a merchant those of its offers. */
export function scopeRecommendations<T extends object>(qb: SelectQueryBuilder<T>, alias: string, principal: Principal): boolean {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'AGENT':
      qb.andWhere(`${alias}.agentId = :scopeAgentId`, { scopeAgentId: principal.agentId });
      return true;
    case 'MERCHANT':
      qb.andWhere(`${alias}.merchantId = :scopeMerchantId`, { scopeMerchantId: principal.merchantId });
      return true;
    case 'CLIENT':
    case 'ANONYMOUS':
      return false;
  }
}
