// Who may read a merchant's checkout pricing configuration (shipping, tax, promotions,
// providers) through Merchant's fields: admins, services, and the merchant itself. Agents and
// hosted-page clients see null. Writes go through requireMerchantAccess + loadWritableMerchant.
import type { Principal } from '@handoff/shared';

export function mayReadPricingConfig(principal: Principal, merchantId: string): boolean {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      return principal.merchantId === merchantId;
    default:
      return false;
  }
}
