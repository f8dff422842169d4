// Which merchants a principal may read and write. Every read of merchants goes through
// scopeMerchants; every write that belongs to a merchant goes through loadWritableMerchant.
import type { Principal, ReadPurpose } from '@handoff/shared';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { MerchantEntity } from './merchant.entity.js';
import { MerchantStatus } from './merchant.enums.js';
import { merchantNotFound, merchantSuspended } from './merchant.errors.js';

/** A visibility rule as SQL: the condition on the alias (null: no narrowing) and its parameters. */
export interface ScopeCondition {
  condition: string | null;
  parameters: Record<string, unknown>;
}

/**
 * The merchants `principal` may see, as a condition on alias `alias`; null when it sees none.
 * Admins and services see all; a merchant only itself (suspended or not); an agent active
 * merchants, or any merchant a parent entity refers to; the hosted page only referred ones.
 */
export function merchantScope(alias: string, principal: Principal, purpose: ReadPurpose): ScopeCondition | null {
  switch (principal.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return { condition: null, parameters: {} };
    case 'MERCHANT':
      return { condition: `${alias}.id = :scopeMerchantId`, parameters: { scopeMerchantId: principal.merchantId } };
    case 'AGENT':
      return purpose === 'query'
        ? { condition: `${alias}.status = :scopeActive`, parameters: { scopeActive: MerchantStatus.ACTIVE } }
        : { condition: null, parameters: {} };
    case 'CLIENT':
      return purpose === 'reference' ? { condition: null, parameters: {} } : null;
    case 'ANONYMOUS':
      return null;
  }
}

/** Narrows `qb` (alias `alias`) to the merchants `principal` may see (merchantScope); false when it sees none. */
export function scopeMerchants<T extends object>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  principal: Principal,
  purpose: ReadPurpose,
): boolean {
  const scope = merchantScope(alias, principal, purpose);
  if (!scope) return false;
  if (scope.condition) qb.andWhere(scope.condition, scope.parameters);
  return true;
}

/**
 * The merchant row a write on behalf of `principal` belongs to, locked for the transaction:
 * MERCHANT_NOT_FOUND when it does not exist or is another merchant's; FORBIDDEN when a merchant
 * acts on itself while suspended. Callers check the principal's kind first.
 */
export async function loadWritableMerchant(
  manager: EntityManager,
  principal: Principal,
  merchantId: string,
  lock: 'pessimistic_write' | 'pessimistic_read' = 'pessimistic_write',
): Promise<MerchantEntity> {
  if (principal.kind === 'MERCHANT' && principal.merchantId !== merchantId) throw merchantNotFound(merchantId);
  const merchant = await manager.findOne(MerchantEntity, { where: { id: merchantId }, lock: { mode: lock } });
  if (!merchant) throw merchantNotFound(merchantId);
  if (principal.kind === 'MERCHANT' && merchant.status === MerchantStatus.SUSPENDED) throw merchantSuspended();
  return merchant;
}
