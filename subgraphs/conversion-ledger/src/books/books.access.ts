// Which ledger entries and account balances a principal may read. Every read of the books goes
// through here (the ledger check is admin-only and reads everything).
import { requireAuthenticated, type Principal } from '@handoff/shared';
import type { Where } from '../sql-where.js';

/**
 * Narrows `w` (entries as alias `alias`) to those `principal` may see; false when none. Admin and
 * services: all. A merchant: its conversions' entries and its receivable. An agent: its
 * conversions' entries. The hosted page: none. Anonymous → UNAUTHENTICATED.
 */
export function scopeLedgerEntries(w: Where, alias: string, principal: Principal): boolean {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      w.add(
        (x) => `(${alias}.conversion_id IN (SELECT id FROM ledger.conversions WHERE merchant_id = ${x}) OR (${alias}.account_type = 'merchant_receivable' AND ${alias}.account_owner = ${x}))`,
        p.merchantId,
      );
      return true;
    case 'AGENT':
      w.add((x) => `${alias}.conversion_id IN (SELECT id FROM ledger.conversions WHERE agent_id = ${x})`, p.agentId);
      return true;
    case 'CLIENT':
      return false;
  }
}

/**
 * Narrows `w` (accounts as alias `alias`) to those `principal` may see; false when none. Admin and
 * services: all. A merchant: its receivable and its gift-card and store-credit accounts. An agent: its unclaimed shares and the payable
 * accounts of the builders of its conversions. The hosted page: none. Anonymous → UNAUTHENTICATED.
 */
export function scopeLedgerAccounts(w: Where, alias: string, principal: Principal): boolean {
  const p = requireAuthenticated(principal);
  switch (p.kind) {
    case 'ADMIN':
    case 'SERVICE':
      return true;
    case 'MERCHANT':
      w.raw(`${alias}.account_type IN ('merchant_receivable', 'gift_card_liability', 'store_credit_liability', 'tender_issued', 'tender_redeemed')`).add((x) => `${alias}.account_owner = ${x}`, p.merchantId);
      return true;
    case 'AGENT':
      w.add((x) => `((${alias}.account_type = 'unclaimed' AND ${alias}.account_owner = ${x}) OR (${alias}.account_type = 'builder_payable' AND ${alias}.account_owner IN
        (SELECT builder_id FROM ledger.conversions WHERE agent_id = ${x} AND builder_id IS NOT NULL)))`, p.agentId);
      return true;
    case 'CLIENT':
      return false;
  }
}
