// Which offers a principal may read. Every read of offers goes through scopeOffers.
import type { Principal, ReadPurpose } from '@handoff/shared';
import type { SelectQueryBuilder } from 'typeorm';
import { MerchantEntity } from '../merchant/merchant.entity.js';
import { MerchantStatus } from '../merchant/merchant.enums.js';

/**
 * Narrows `qb` (alias `alias`) to the offers `principal` may see; false when it sees none.
 * Admins and services: all. A merchant: its own. An agent: active offers of active merchants,
 * or any offer a parent entity refers to (a recommendation of an offer since withdrawn).
 */
export function scopeOffers<T extends object>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  principal: Principal,
  purpose: ReadPurpose,
): boolean {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      qb.andWhere(`${alias}.merchantId = :scopeMerchantId`, { scopeMerchantId: principal.merchantId });
      return true;
    case 'AGENT':
      if (purpose === 'query') {
        qb.andWhere(`${alias}.active = true`).innerJoin(
          MerchantEntity,
          'scope_merchant',
          `scope_merchant.id = ${alias}.merchantId AND scope_merchant.status = :scopeActive`,
          { scopeActive: MerchantStatus.ACTIVE },
        );
      }
      return true;
    case 'CLIENT':
      return purpose === 'reference';
    case 'ANONYMOUS':
      return false;
  }
}
