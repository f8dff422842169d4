// Which settlement batches a principal may read. Every read of batches goes through here.
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { Where } from '../sql-where.js';

/**
 * Narrows `w` (batches as alias `alias`) to those `principal` may see; false when none. Admin and
 * services: all. A merchant: its invoices. An agent: the payouts of the builders of its
 * conversions. The hosted page: none. Anonymous → UNAUTHENTICATED.
 */
export function scopeSettlementBatches(w: Where, alias: string, principal: Principal): boolean {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      w.raw(`${alias}.payee_type = 'merchant'`).add((x) => `${alias}.payee_id = ${x}`, p.merchantId);
      return true;
    case 'AGENT':
      w.raw(`${alias}.payee_type = 'builder'`).add(
        (x) => `${alias}.payee_id IN (SELECT builder_id FROM ledger.conversions WHERE agent_id = ${x} AND builder_id IS NOT NULL)`,
        p.agentId,
      );
      return true;
    case 'CLIENT':
      return false;
  }
}
