// Which payment connectors a principal may read. Every read of connectors for a caller goes
// through connectorScope (the internal credentials query is SERVICE-only, checked in its resolver).
import type { Principal } from '@handoff/shared';
import type { ScopeCondition } from '../merchant/merchant.access.js';

/** The connectors `principal` may see, as a condition on alias `alias`; null when it sees none. Admins and services: all; a merchant: its own. */
export function connectorScope(alias: string, principal: Principal): ScopeCondition | null {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return { condition: null, parameters: {} };
    case 'MERCHANT':
      return { condition: `${alias}.merchantId = :scopeMerchantId`, parameters: { scopeMerchantId: principal.merchantId } };
    default:
      return null;
  }
}
